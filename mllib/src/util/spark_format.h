// Numbers as Spark prints them, Java's Double.toString for the common
// cases: the shortest digits that read back, ".0" on integers (1.0, 0.5,
// 2.25). Very small or large numbers keep C++'s shortest form (0.0001,
// 1e+22) where Java writes 1.0E-4.
#pragma once

#include <charconv>
#include <string>
#include <string_view>

namespace brasa::mllib::detail {

inline void append_double(std::string& s, double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  s += text;
  if (text.find_first_of(".eEni") == std::string_view::npos) s += ".0";
}

inline std::string double_text(double x) {
  std::string s;
  append_double(s, x);
  return s;
}

}  // namespace brasa::mllib::detail
