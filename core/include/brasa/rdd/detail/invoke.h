// How operators call the user's function on a record: moving it when the
// record is the task's own, by const reference when it is lent (a cached
// block read in place) and the function can take it so.
#pragma once

#include <type_traits>
#include <utility>

namespace brasa {

// Calls f with x as an rvalue when f accepts one (so it may move from x),
// as an lvalue otherwise.
template <class F, class X> decltype(auto) invoke_moving(F& f, X& x) {
  if constexpr (std::is_invocable_v<F&, X&&>)
    return f(std::move(x));
  else
    return f(x);
}

template <class F, class X>
using MovingResult = std::decay_t<decltype(invoke_moving(std::declval<F&>(), std::declval<X&>()))>;

namespace detail {
template <class F>
concept PlainCallOperator = requires { &F::operator(); };
}  // namespace detail

// True when f can be called with Args, asked only of functions whose
// parameter types are fixed (a non-generic lambda or functor) or that
// declare themselves `reads_in_place` (Brasa's wrappers, constrained so the
// question never instantiates a body): asking a generic lambda could compile
// its body with a const argument and fail. False for the others, which are
// then given copies.
template <class F, class... Args> constexpr bool kSafelyCallable = [] {
  if constexpr (detail::PlainCallOperator<F> || requires { typename F::reads_in_place; })
    return std::is_invocable_v<F&, Args...>;
  else
    return false;
}();

// True when f can read a lent record in place.
template <class F, class X> constexpr bool kReadsInPlace = kSafelyCallable<F, const X&>;

// Calls f on a lent record: in place when f can read it so, on a copy
// otherwise.
template <class F, class X> auto invoke_lent(F& f, const X& x) {
  if constexpr (kReadsInPlace<F, X>) {
    return f(x);
  } else {
    X copy(x);
    return invoke_moving(f, copy);
  }
}

// f(acc, x) for a lent record x: by const reference when f takes it so,
// on a copy otherwise (folds: aggregate's seq, reduce).
template <class F, class A, class X> auto fold_lent(F& f, A&& acc, const X& x) {
  if constexpr (kSafelyCallable<F, A&&, const X&>) {
    return f(std::forward<A>(acc), x);
  } else {
    X copy(x);
    return f(std::forward<A>(acc), std::move(copy));
  }
}

}  // namespace brasa
