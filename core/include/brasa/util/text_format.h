// How records are written by save_as_text_file: Spark's toString conventions,
// so "(word,3)" for a pair and plain text for strings.
#pragma once

#include <charconv>
#include <iosfwd>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace brasa {

template <class T> void append_text(std::string& out, const T& v);

namespace detail {
template <class T>
concept Streamable = requires(std::ostream& os, const T& v) { os << v; };
std::string stream_to_string_fallback(const void* v, void (*print)(std::ostream&, const void*));
}  // namespace detail

template <class T> void append_text(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, const char*>) {
    out += v;
  } else if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, char>) {
    out.push_back(v);
  } else if constexpr (std::is_arithmetic_v<T>) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  } else if constexpr (requires { v.first; v.second; }) {
    out.push_back('(');
    append_text(out, v.first);
    out.push_back(',');
    append_text(out, v.second);
    out.push_back(')');
  } else if constexpr (requires { std::tuple_size<T>::value; }) {
    out.push_back('(');
    bool first = true;
    std::apply(
        [&](const auto&... es) {
          ((out += first ? "" : ",", first = false, append_text(out, es)), ...);
        },
        v);
    out.push_back(')');
  } else if constexpr (requires { v.has_value(); *v; }) {
    if (v) {
      out += "Some(";
      append_text(out, *v);
      out += ")";
    } else {
      out += "None";
    }
  } else if constexpr (requires { v.begin(); v.end(); }) {
    out.push_back('[');
    bool first = true;
    for (const auto& e : v) {
      if (!first) out += ", ";
      first = false;
      append_text(out, e);
    }
    out.push_back(']');
  } else {
    static_assert(detail::Streamable<T>, "brasa: cannot format this record as text; give it an operator<<");
    out += detail::stream_to_string_fallback(&v, [](std::ostream& os, const void* p) { os << *static_cast<const T*>(p); });
  }
}

template <class T> std::string to_text(const T& v) {
  std::string s;
  append_text(s, v);
  return s;
}

}  // namespace brasa
