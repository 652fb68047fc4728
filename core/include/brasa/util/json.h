// Writing JSON by hand (model metadata, the apps' metrics, event logs): a
// string as a quoted, escaped JSON string.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace brasa {

// Appends s, quoted and escaped, to out (a std::string, or any buffer with
// push_back and append(first, last), such as fmt::memory_buffer).
template <class Out>
void json_quote_to(Out& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      const int n = std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out.append(buf, buf + n);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

inline std::string json_quote(std::string_view s) {
  std::string out;
  json_quote_to(out, s);
  return out;
}

}  // namespace brasa
