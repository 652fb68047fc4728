// Tab-separated text records: the state files of disk mode and the apps'
// output lines. Numbers are written as the shortest text that reads back to
// the same bits, so a state that goes through a file comes back unchanged.
#pragma once

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>

namespace brasa::apps {

std::string format_double(double x);  // app.cc

inline std::string join_fields(std::initializer_list<std::string> fields) {
  std::string out;
  for (const auto& f : fields) {
    if (!out.empty()) out += '\t';
    out += f;
  }
  return out;
}

// The first n tab-separated fields of a line; throws std::invalid_argument
// quoting the line when it has fewer or one is not a number.
class Fields {
 public:
  Fields(std::string_view line, int n) : line_(line) {
    size_t start = 0;
    for (int i = 0; i < n; ++i) {
      if (i >= kMax || start > line.size()) bad();
      size_t end = line.find('\t', start);
      if (end == std::string_view::npos) end = line.size();
      fields_[i] = line.substr(start, end - start);
      start = end + 1;
    }
  }
  std::string_view operator[](int i) const { return fields_[i]; }
  int64_t int64(int i) const {
    int64_t x = 0;
    auto [end, ec] = std::from_chars(fields_[i].data(), fields_[i].data() + fields_[i].size(), x);
    if (ec != std::errc() || end != fields_[i].data() + fields_[i].size()) bad();
    return x;
  }
  double real(int i) const {
    double x = 0;
    auto [end, ec] = std::from_chars(fields_[i].data(), fields_[i].data() + fields_[i].size(), x);
    if (ec != std::errc() || end != fields_[i].data() + fields_[i].size()) bad();
    return x;
  }

 private:
  static constexpr int kMax = 8;
  [[noreturn]] void bad() const { throw std::invalid_argument("malformed state line: \"" + std::string(line_) + "\""); }
  std::string_view line_;
  std::string_view fields_[kMax];
};

}  // namespace brasa::apps
