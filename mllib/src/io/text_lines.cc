#include "io/text_lines.h"

#include <fstream>

#include "brasa/rdd/text_input.h"

namespace brasa::mllib::detail {

std::string quoted_line(std::string_view line) {
  return "\"" + std::string(line.substr(0, 80)) + (line.size() > 80 ? "...\"" : "\"");
}

std::string first_bad_line(const std::string& path, bool header,
                           const std::function<std::string(const std::string&, const std::string&)>& check) {
  for (const auto& file : list_input_files(path)) {
    std::ifstream in(file);
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
      if (header && number == 1) continue;
      const std::string where = file + ":" + std::to_string(number);
      if (std::string why = check(line, where); !why.empty()) return where + ": " + why;
    }
  }
  return "";
}

}  // namespace brasa::mllib::detail
