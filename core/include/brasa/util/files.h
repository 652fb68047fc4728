// Small file helpers with error messages that name the file.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace brasa {

// Reads a whole file; throws std::runtime_error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

// Reads a file front to back in pieces (blocks too large to buffer whole).
class SequentialFile {
 public:
  // Throws std::runtime_error naming the path if it cannot be opened.
  explicit SequentialFile(const std::filesystem::path& path);
  ~SequentialFile();
  SequentialFile(const SequentialFile&) = delete;
  SequentialFile& operator=(const SequentialFile&) = delete;
  // Fills buf with up to n bytes; fewer only at the end of the file.
  size_t read(void* buf, size_t n);
  // Everything from the current position to the end.
  std::string read_rest();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_;
};

// Writes a whole file via a temporary name and a rename, so readers never
// see a partial file.
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);
// The same for a file made of `pieces` one after the other (no buffer that
// joins them).
void write_file_atomic(const std::filesystem::path& path, std::span<const std::string_view> pieces);

}  // namespace brasa
