#include "brasa/mllib/io/libsvm.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "io/text_lines.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace libsvm_impl {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

using detail::parse_number;
std::string shown(std::string_view line) { return detail::quoted_line(line); }

struct ParseLibSVM {
  int32_t num_features;
  std::vector<LabeledPoint> operator()(const std::vector<std::string>& lines) const {
    std::vector<LabeledPoint> out;
    out.reserve(lines.size());
    LabeledPoint p;
    for (const auto& line : lines)
      if (parse_libsvm_line(line, num_features, p)) out.push_back(std::move(p));
    return out;
  }
};

}  // namespace libsvm_impl
using namespace libsvm_impl;

bool parse_libsvm_line(std::string_view line, int32_t num_features, LabeledPoint& out) {
  size_t pos = 0;
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  if (pos == line.size() || line[pos] == '#') return false;
  auto next_token = [&]() {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
    size_t begin = pos;
    while (pos < line.size() && !is_blank(line[pos])) ++pos;
    return line.substr(begin, pos - begin);
  };
  std::string_view label = next_token();
  if (!parse_number(label, out.label))
    throw std::invalid_argument("the label \"" + std::string(label) + "\" is not a number in " + shown(line));
  std::vector<int32_t> indices;
  std::vector<double> values;
  for (std::string_view token = next_token(); !token.empty(); token = next_token()) {
    size_t colon = token.find(':');
    int32_t index;
    double value;
    if (colon == std::string_view::npos || !parse_number(token.substr(0, colon), index) ||
        !parse_number(token.substr(colon + 1), value))
      throw std::invalid_argument("\"" + std::string(token) + "\" is not index:value in " + shown(line));
    if (index < 1) throw std::invalid_argument("indices are one-based, found " + std::to_string(index));
    if (!indices.empty() && index - 1 <= indices.back())
      throw std::invalid_argument("indices must ascend, found " + std::to_string(index) + " after " +
                                  std::to_string(indices.back() + 1));
    if (num_features >= 0 && index > num_features)
      throw std::invalid_argument("index " + std::to_string(index) + " is beyond num_features = " +
                                  std::to_string(num_features));
    indices.push_back(index - 1);
    values.push_back(value);
  }
  int32_t size = num_features >= 0 ? num_features : (indices.empty() ? 0 : indices.back() + 1);
  out.features = Vector::sparse(size, std::move(indices), std::move(values));
  return true;
}

RDD<LabeledPoint> load_libsvm(Context& ctx, const std::string& path, LibSVMOptions options) {
  if (options.num_features < 0)
    throw std::invalid_argument("load_libsvm: num_features must be at least 0, got " +
                                std::to_string(options.num_features));
  if (options.partitions < 0)
    throw std::invalid_argument("load_libsvm: partitions must be at least 0, got " +
                                std::to_string(options.partitions));
  auto lines = ctx.text_file(path, options.partitions);
  const int32_t checked = options.num_features > 0 ? options.num_features : -1;
  int32_t width = 0;
  try {
    width = lines.map_partitions(ParseLibSVM{checked})
                .aggregate(
                    int32_t{0}, [](int32_t m, const LabeledPoint& p) { return std::max(m, p.features.size()); },
                    [](int32_t a, int32_t b) { return std::max(a, b); });
  } catch (const std::exception& e) {
    LabeledPoint p;
    std::string where =
        detail::first_line_that_throws(path, false, [&](const std::string& line) { parse_libsvm_line(line, checked, p); });
    throw std::runtime_error("load_libsvm: " + (where.empty() ? std::string(e.what()) : where));
  }
  return lines.map_partitions(ParseLibSVM{options.num_features > 0 ? options.num_features : width});
}

}  // namespace brasa::mllib
