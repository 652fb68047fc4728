// Reading text files as lines, split into byte ranges like Hadoop's
// TextInputFormat: a line belongs to the split in which it starts, so no
// line is lost or read twice at split edges. "\n" and "\r\n" both end lines;
// a final line without a newline counts; a trailing newline adds no line.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace brasa {

struct FileSplit {
  std::string path;
  uint64_t start = 0;
  uint64_t length = 0;
  template <class Ar> void serialize(Ar& ar) { ar(path, start, length); }
};

// The files named by `pattern`: a file, a directory (its visible files, in
// name order) or a glob. Throws std::runtime_error naming the pattern when
// nothing matches.
std::vector<std::string> list_input_files(const std::string& pattern);

// Splits the files into about `min_partitions` byte ranges (at least one per
// non-empty file).
std::vector<FileSplit> plan_text_splits(const std::string& pattern, int min_partitions);

class LineReader {
 public:
  explicit LineReader(const FileSplit& split);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Reads the next line of the split into `line`; false at the end.
  bool next(std::string& line);

 private:
  bool fill();
  bool read_line(std::string& line);  // from the current position to the next newline

  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t pos_ = 0;  // file offset of the next unread byte
  uint64_t end_ = 0;  // lines starting at or after this belong to the next split
  std::vector<char> buf_;
  size_t buf_pos_ = 0;
  size_t buf_len_ = 0;
};

}  // namespace brasa
