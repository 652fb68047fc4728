// Rating triples as text: "user item rating [timestamp]" per line, fields
// separated by commas, tabs, spaces or MovieLens's "::". Ids must be
// integers in the 32-bit range (as Spark's ALS requires). Blank lines and
// lines starting with '#' are skipped.
#pragma once

#include <string>
#include <string_view>

#include "brasa/context.h"
#include "brasa/mllib/recommendation/als.h"

namespace brasa::mllib {

struct RatingsOptions {
  int partitions = 0;   // minimum partitions of the text input (0: the default)
  bool header = false;  // skip the first line of each file (MovieLens's CSV header)
};

// The ratings of the file(s) at `path`. Reads them once to check every
// line: a bad line throws std::runtime_error naming its file and line.
RDD<Rating> load_ratings(Context& ctx, const std::string& path, RatingsOptions options = {});

// Parses one line; false for a blank or comment line, std::invalid_argument
// for a malformed one.
bool parse_rating_line(std::string_view line, Rating& out);

}  // namespace brasa::mllib
