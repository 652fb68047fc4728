#include "brasa/mllib/io/dense.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <fstream>
#include <stdexcept>
#include <utility>

#include <spdlog/fmt/fmt.h>

#include "brasa/rdd/text_input.h"
#include "io/text_lines.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace dense_io_impl {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string shown(std::string_view line) { return detail::quoted_line(line); }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

double parse_field(std::string_view field, size_t number, std::string_view line) {
  if (field.empty()) throw std::invalid_argument(fmt::format("field {} is empty in {}", number, shown(line)));
  std::string_view digits = field;
  if (digits.size() > 1 && digits[0] == '+') digits.remove_prefix(1);
  double out = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec == std::errc::result_out_of_range) return out;  // too small or large: as strtod, 0 or +-inf
  if (ec != std::errc() || ptr != digits.data() + digits.size())
    throw std::invalid_argument(fmt::format("field {} \"{}\" is not a number in {}", number, field, shown(line)));
  return out;
}

// The rows of one split of the input: a file's first line is its header
// when there is one.
struct ReadRows {
  char separator;
  bool header;

  std::vector<std::vector<double>> operator()(const FileSplit& split) const {
    std::vector<std::vector<double>> rows;
    LineReader reader(split);
    std::string line;
    bool first = split.start == 0;
    std::vector<double> row;
    while (reader.next(line)) {
      if (first && header) {
        first = false;
        continue;
      }
      first = false;
      if (parse_dense_line(line, separator, row)) rows.push_back(row);
    }
    return rows;
  }
};

struct Widths {
  int32_t min = INT32_MAX, max = -1;
  template <class Ar> void serialize(Ar& ar) { ar(min, max); }
};
struct AddWidth {
  Widths operator()(Widths w, const std::vector<double>& row) const {
    const auto n = static_cast<int32_t>(row.size());
    return Widths{std::min(w.min, n), std::max(w.max, n)};
  }
};
struct MergeWidths {
  Widths operator()(Widths a, const Widths& b) const { return Widths{std::min(a.min, b.min), std::max(a.max, b.max)}; }
};

std::vector<double> without(const std::vector<double>& row, int32_t column) {
  std::vector<double> out;
  out.reserve(row.size());
  for (size_t j = 0; j < row.size(); ++j)
    if (static_cast<int32_t>(j) != column) out.push_back(row[j]);
  return out;
}

struct ToPoint {
  int32_t label_column;
  LabeledPoint operator()(const std::vector<double>& row) const {
    return LabeledPoint{row[static_cast<size_t>(label_column)], Vector::dense(without(row, label_column))};
  }
};

struct ToVector {
  int32_t label_column;  // -1: none
  Vector operator()(const std::vector<double>& row) const {
    return label_column < 0 ? Vector::dense(row) : Vector::dense(without(row, label_column));
  }
};

// The first bad line of the input, as "file:line: why" ("" when none),
// a row of another width than the first included.
std::string locate_bad_line(const std::string& path, char separator, bool header) {
  std::string first_row;  // where the first row is, for a width mismatch
  size_t width = 0;
  std::vector<double> row;
  return detail::first_bad_line(path, header, [&](const std::string& line, const std::string& where) -> std::string {
    try {
      if (!parse_dense_line(line, separator, row)) return "";
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    if (first_row.empty()) {
      first_row = where;
      width = row.size();
    } else if (row.size() != width) {
      return fmt::format("{} columns, but the first row ({}) has {}", row.size(), first_row, width);
    }
    return "";
  });
}

struct Rows {
  RDD<std::vector<double>> rows;
  int32_t width = 0;  // 0: no rows
};

Rows read_rows(Context& ctx, const std::string& path, const DenseOptions& options, const char* who) {
  if (options.label_column < -1)
    throw std::invalid_argument(fmt::format("{}: label_column must be -1 (none) or a column, got {}", who,
                                            options.label_column));
  if (options.partitions < 0)
    throw std::invalid_argument(fmt::format("{}: partitions must be at least 0, got {}", who, options.partitions));
  if (options.separator == '\n' || options.separator == '\r')
    throw std::invalid_argument(fmt::format("{}: separator cannot end lines", who));
  auto splits = plan_text_splits(path, options.partitions > 0 ? options.partitions : ctx.default_parallelism());
  const int slices = std::max<int>(1, static_cast<int>(splits.size()));
  auto rows = ctx.parallelize(std::move(splits), slices).flat_map(ReadRows{options.separator, options.header});
  Widths widths;
  std::string failure;
  try {
    widths = rows.aggregate(Widths{}, AddWidth{}, MergeWidths{});
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty() || (widths.max >= 0 && widths.min != widths.max)) {
    std::string where = locate_bad_line(path, options.separator, options.header);
    if (where.empty() && !failure.empty()) throw std::runtime_error(std::string(who) + ": " + failure);
    throw std::invalid_argument(std::string(who) + ": " + where);
  }
  const int32_t width = std::max(0, widths.max);
  if (width > 0 && options.label_column >= width)
    throw std::invalid_argument(fmt::format("{}: label_column {} is beyond the {} columns of {}", who,
                                            options.label_column, width, path));
  return Rows{rows, width};
}

}  // namespace dense_io_impl
using namespace dense_io_impl;

bool parse_dense_line(std::string_view line, char separator, std::vector<double>& out) {
  out.clear();
  std::string_view content = trimmed(line);
  if (content.empty() || content[0] == '#') return false;
  const char sep = separator != 0 ? separator : content.find(',') != std::string_view::npos ? ',' : ' ';
  if (sep == ' ' || sep == '\t') {
    size_t pos = 0;
    while (pos < content.size()) {
      size_t begin = pos;
      while (pos < content.size() && !is_blank(content[pos])) ++pos;
      out.push_back(parse_field(content.substr(begin, pos - begin), out.size() + 1, line));
      while (pos < content.size() && is_blank(content[pos])) ++pos;
    }
    return true;
  }
  size_t begin = 0;
  while (true) {
    size_t end = content.find(sep, begin);
    const size_t length = end == std::string_view::npos ? std::string_view::npos : end - begin;
    std::string_view field = content.substr(begin, length);
    out.push_back(parse_field(trimmed(field), out.size() + 1, line));
    if (end == std::string_view::npos) break;
    begin = end + 1;
  }
  return true;
}

RDD<LabeledPoint> load_dense(Context& ctx, const std::string& path, DenseOptions options) {
  if (options.label_column < 0)
    throw std::invalid_argument(fmt::format(
        "load_dense: label_column must name the label's column, got {} (load_dense_vectors reads unlabelled rows)",
        options.label_column));
  auto rows = read_rows(ctx, path, options, "load_dense");
  return rows.rows.map(ToPoint{options.label_column});
}

RDD<Vector> load_dense_vectors(Context& ctx, const std::string& path, DenseOptions options) {
  auto rows = read_rows(ctx, path, options, "load_dense_vectors");
  return rows.rows.map(ToVector{options.label_column});
}

}  // namespace brasa::mllib
