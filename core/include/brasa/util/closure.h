// The rule for functions given to transformations: they must be shippable to
// an executor process that runs the same binary. That means trivially
// copyable (a lambda capturing values such as numbers, or a Broadcast or
// Accumulator handle) or a functor with a cereal-style serialize method.
// Lambdas capturing std::string, containers or smart pointers break the rule
// and are rejected at compile time, in local mode too, so that a program
// which works locally also works on a cluster.
#pragma once

#include <type_traits>

#include "brasa/util/serializer.h"

namespace brasa {

template <class F>
concept ShippableClosure = std::is_trivially_copyable_v<F> || HasSerializeMethod<F>;

#define BRASA_CHECK_CLOSURE(F)                                                                              \
  static_assert(::brasa::ShippableClosure<F>,                                                               \
                "brasa: a function given to an RDD operation must be trivially copyable (capture only "     \
                "plain values, not strings, containers or references to big state) or a functor with a "  \
                "`serialize` method. Put large read-only data in ctx.broadcast(value) and capture the "    \
                "handle instead.");                                                                         \
  static_assert(!std::is_pointer_v<F> && !std::is_member_pointer_v<F>,                                      \
                "brasa: pass a lambda, not a function pointer: a function's address differs between the "  \
                "driver and executor processes. Write [](auto a, auto b) { return f(a, b); } instead of f.")

}  // namespace brasa
