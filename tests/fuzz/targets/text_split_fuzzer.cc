// Fuzzes the text-split reader (brasa/rdd/text_input.h): a file cut into
// byte ranges at arbitrary points must give each line exactly once, in
// order, whatever the cuts: the lines of the whole file, where "\n" and
// "\r\n" end a line, a last line without a newline counts and a trailing
// newline adds none. The first byte says how many cuts, the next ones where.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "brasa/rdd/text_input.h"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t cuts = std::min<size_t>(data[0] % 8, size - 1);
  const std::string text(reinterpret_cast<const char*>(data) + 1 + cuts, size - 1 - cuts);
  std::vector<uint64_t> bounds = {0, text.size()};
  for (size_t i = 0; i < cuts; ++i) bounds.push_back(text.size() * data[1 + i] / 255);
  std::sort(bounds.begin(), bounds.end());

  static const struct TempFile {
    std::string path = "/tmp/brasa-text-split-fuzzer-" + std::to_string(::getpid());
    ~TempFile() { std::remove(path.c_str()); }
  } file;
  const std::string& path = file.path;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);

  std::vector<std::string> got;
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    brasa::LineReader reader(brasa::FileSplit{path, bounds[i], bounds[i + 1] - bounds[i]});
    for (std::string line; reader.next(line);) got.push_back(line);
  }
  if (got != lines_of(text)) std::abort();
  return 0;
}
