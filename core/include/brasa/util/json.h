// Writing JSON by hand (model metadata, the apps' metrics, event logs): a
// string as a quoted, escaped JSON string.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace brasa {

inline std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace brasa
