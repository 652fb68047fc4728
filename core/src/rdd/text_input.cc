#include "brasa/rdd/text_input.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace brasa {

std::vector<std::string> list_input_files(const std::string& given) {
  // Absolute, so that executors whose working directory is not the
  // driver's (a standalone worker's) read the same files.
  const std::string pattern = given.empty() ? given : fs::absolute(given).lexically_normal().string();
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_directory(pattern, ec)) {
    for (const auto& entry : fs::directory_iterator(pattern, ec)) {
      std::string name = entry.path().filename().string();
      if (name.empty() || name[0] == '.' || name[0] == '_') continue;  // _SUCCESS, hidden files
      if (entry.is_regular_file()) files.push_back(entry.path().string());
    }
    if (ec) throw std::runtime_error("cannot list input directory " + pattern + ": " + ec.message());
  } else if (fs::is_regular_file(pattern, ec)) {
    files.push_back(pattern);
  } else {
    glob_t g{};
    if (::glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i)
        if (fs::is_regular_file(g.gl_pathv[i], ec)) files.push_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
    if (files.empty()) throw std::runtime_error("input path does not exist or matches no file: " + pattern);
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<FileSplit> plan_text_splits(const std::string& pattern, int min_partitions) {
  auto files = list_input_files(pattern);
  uint64_t total = 0;
  std::vector<uint64_t> sizes;
  for (const auto& f : files) {
    std::error_code ec;
    uint64_t size = fs::file_size(f, ec);
    if (ec) throw std::runtime_error("cannot read size of " + f + ": " + ec.message());
    sizes.push_back(size);
    total += size;
  }
  uint64_t goal = std::max<uint64_t>(1, total / static_cast<uint64_t>(std::max(1, min_partitions)));
  std::vector<FileSplit> splits;
  for (size_t i = 0; i < files.size(); ++i) {
    uint64_t size = sizes[i];
    if (size == 0) continue;
    uint64_t n = std::max<uint64_t>(1, (size + goal - 1) / goal);
    for (uint64_t k = 0; k < n; ++k) {
      uint64_t start = size * k / n, end = size * (k + 1) / n;
      splits.push_back(FileSplit{files[i], start, end - start});
    }
  }
  return splits;
}

LineReader::LineReader(const FileSplit& split)
    : path_(split.path), pos_(split.start), end_(split.start + split.length), buf_(1 << 16) {
  file_ = std::fopen(path_.c_str(), "rb");
  if (!file_) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
  // A split that does not start a file begins after the first newline at or
  // after start-1: the line in progress belongs to the previous split.
  if (split.start > 0) {
    if (std::fseek(file_, static_cast<long>(split.start - 1), SEEK_SET) != 0)
      throw std::runtime_error("cannot seek in " + path_ + ": " + std::strerror(errno));
    pos_ = split.start - 1;
    std::string skipped;
    read_line(skipped);
  }
}

LineReader::~LineReader() {
  if (file_) std::fclose(file_);
}

bool LineReader::fill() {
  buf_len_ = std::fread(buf_.data(), 1, buf_.size(), file_);
  buf_pos_ = 0;
  if (buf_len_ == 0 && std::ferror(file_)) throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
  return buf_len_ > 0;
}

bool LineReader::read_line(std::string& line) {
  line.clear();
  bool any = false;
  while (true) {
    if (buf_pos_ == buf_len_ && !fill()) return any;
    any = true;
    const char* start = buf_.data() + buf_pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', buf_len_ - buf_pos_));
    size_t n = nl ? static_cast<size_t>(nl - start) : buf_len_ - buf_pos_;
    line.append(start, n);
    buf_pos_ += n;
    pos_ += n;
    if (nl) {
      ++buf_pos_;
      ++pos_;
      return true;
    }
  }
}

bool LineReader::next(std::string& line) {
  if (pos_ >= end_) return false;
  if (!read_line(line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace brasa
