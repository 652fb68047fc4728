// The rule for functions given to transformations: they must be shippable to
// an executor process that runs the same binary. That means trivially
// copyable (a lambda capturing values such as numbers, or a Broadcast or
// Accumulator handle), a functor with a cereal-style serialize method, one
// of the program's own functions passed by name (`lines.map(parse_point)`:
// shipped as its offset in the binary, the same in every process), or a
// function with a value shipped beside it (brasa::with, util/with.h).
// Lambdas capturing std::string, containers or smart pointers break the rule
// and are rejected at compile time, in local mode too, so that a program
// which works locally also works on a cluster. A lambda capturing a
// reference or a pointer ([&]) compiles but points into the driver's memory:
// on a cluster, the executor that runs it dies, and the job's error says so.
#pragma once

#include <cstdint>
#include <type_traits>

#include "brasa/util/serializer.h"

namespace brasa {

template <class F>
concept ShippableClosure = std::is_trivially_copyable_v<F> || HasSerializeMethod<F>;

namespace detail {
// A function of the program as an offset from the program's load address;
// std::invalid_argument when it is not the program's (a shared library's).
uint64_t function_offset(const void* f);
// The function at that offset; std::runtime_error when the offset is not in
// the program's code.
const void* function_at(uint64_t offset);
}  // namespace detail

#define BRASA_CHECK_CLOSURE(F)                                                                              \
  static_assert(::brasa::ShippableClosure<F>,                                                               \
                "brasa: a function given to an RDD operation must be trivially copyable (capture only "     \
                "plain values, not strings, containers or references to big state) or a functor with a "  \
                "`serialize` method. Put large read-only data in ctx.broadcast(value) and capture the "    \
                "handle instead.");                                                                         \
  static_assert(!std::is_member_pointer_v<F> &&                                                             \
                    (!std::is_pointer_v<F> || std::is_function_v<std::remove_pointer_t<F>>),               \
                "brasa: pass a lambda or a function, not a pointer to data or a member: its address means "\
                "nothing in an executor process.")

}  // namespace brasa
