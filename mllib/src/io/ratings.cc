#include "brasa/mllib/io/ratings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>
#include <vector>

#include "brasa/rdd/text_input.h"
#include "io/text_lines.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace ratings_impl {

bool is_blank(char c) { return c == '\t' || c == ' ' || c == '\r'; }

// At a field separator: ",", a blank, or MovieLens's "::".
bool at_separator(std::string_view line, size_t p) {
  const char c = line[p];
  return c == ',' || is_blank(c) || (c == ':' && p + 1 < line.size() && line[p + 1] == ':');
}

using detail::parse_number;
std::string shown(std::string_view line) { return detail::quoted_line(line); }

// The first line of each file, when they are headers to skip.
std::set<std::string> headers(const std::string& path, bool header) {
  std::set<std::string> out;
  if (!header) return out;
  for (const auto& file : list_input_files(path)) {
    std::ifstream in(file);
    std::string line;
    if (std::getline(in, line)) out.insert(line);
  }
  return out;
}

struct ParseRatings {
  std::vector<std::string> skip;  // header lines
  template <class Ar> void serialize(Ar& ar) { ar(skip); }
  std::vector<Rating> operator()(const std::vector<std::string>& lines) const {
    std::vector<Rating> out;
    out.reserve(lines.size());
    Rating r;
    for (const auto& line : lines)
      if (std::find(skip.begin(), skip.end(), line) == skip.end() && parse_rating_line(line, r)) out.push_back(r);
    return out;
  }
};

struct CountRatings {
  int64_t operator()(int64_t n, const Rating&) const { return n + 1; }
};
struct Plus {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

}  // namespace ratings_impl
using namespace ratings_impl;

bool parse_rating_line(std::string_view line, Rating& out) {
  size_t pos = 0;
  while (pos < line.size() && is_blank(line[pos])) ++pos;
  if (pos == line.size() || line[pos] == '#') return false;
  std::string_view fields[4];
  int n = 0;
  while (pos < line.size()) {
    size_t end = pos;
    while (end < line.size() && !at_separator(line, end)) ++end;
    if (n == 4) throw std::invalid_argument("more than 4 fields (user item rating [timestamp]) in " + shown(line));
    fields[n++] = line.substr(pos, end - pos);
    pos = end;
    // One separator: ",", "\t", " ", "::" (runs of spaces or tabs count as one).
    if (pos < line.size() && line.compare(pos, 2, "::") == 0) {
      pos += 2;
    } else if (pos < line.size() && line[pos] == ',') {
      ++pos;
    } else {
      while (pos < line.size() && is_blank(line[pos])) ++pos;
    }
  }
  if (n < 3) throw std::invalid_argument("expected \"user item rating [timestamp]\", got " + shown(line));
  int64_t user, item;
  if (!parse_number(fields[0], user) || !parse_number(fields[1], item))
    throw std::invalid_argument("user and item must be integers in " + shown(line));
  if (user < INT32_MIN || user > INT32_MAX || item < INT32_MIN || item > INT32_MAX)
    throw std::invalid_argument("user and item ids must fit in 32 bits in " + shown(line));
  double rating;
  if (!parse_number(fields[2], rating) || std::isnan(rating))
    throw std::invalid_argument("the rating \"" + std::string(fields[2]) + "\" is not a number in " + shown(line));
  out = Rating{static_cast<int32_t>(user), static_cast<int32_t>(item), static_cast<float>(rating)};
  return true;
}

RDD<Rating> load_ratings(Context& ctx, const std::string& path, RatingsOptions options) {
  if (options.partitions < 0)
    throw std::invalid_argument("load_ratings: partitions must be at least 0, got " +
                                std::to_string(options.partitions));
  auto skip = headers(path, options.header);
  auto ratings = ctx.text_file(path, options.partitions)
                     .map_partitions(ParseRatings{std::vector<std::string>(skip.begin(), skip.end())});
  try {
    ratings.aggregate(int64_t{0}, CountRatings{}, Plus{});
  } catch (const std::exception& e) {
    Rating r;
    std::string where = detail::first_line_that_throws(path, options.header,
                                                       [&](const std::string& line) { parse_rating_line(line, r); });
    throw std::runtime_error("load_ratings: " + (where.empty() ? std::string(e.what()) : where));
  }
  return ratings;
}

}  // namespace brasa::mllib
