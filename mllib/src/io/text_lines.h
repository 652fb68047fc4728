// What the text loaders share: how errors quote a line, number parsing,
// and the driver-side rescan that names the first bad line (a job reading
// files in parallel knows neither file names nor line numbers).
#pragma once

#include <charconv>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace brasa::mllib::detail {

// At most 80 characters of the line, in quotes.
std::string quoted_line(std::string_view line);

// from_chars over the whole field, with an optional leading '+'.
template <class N> bool parse_number(std::string_view s, N& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Reads the files at `path` in order (skipping each file's first line when
// `header`) and returns "file:line: why" for the first line whose check
// returns a non-empty why, or "". check(line, "file:line") may keep state
// across lines.
std::string first_bad_line(const std::string& path, bool header,
                           const std::function<std::string(const std::string&, const std::string&)>& check);

// check for a parser that throws std::invalid_argument on a bad line.
template <class Parse> std::string first_line_that_throws(const std::string& path, bool header, Parse parse) {
  return first_bad_line(path, header, [&](const std::string& line, const std::string&) -> std::string {
    try {
      parse(line);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  });
}

}  // namespace brasa::mllib::detail
