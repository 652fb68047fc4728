#include "brasa/util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace brasa {

SequentialFile::SequentialFile(const std::filesystem::path& path)
    : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
  if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
}

SequentialFile::~SequentialFile() { ::close(fd_); }

size_t SequentialFile::read(void* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = ::read(fd_, static_cast<char*>(buf) + done, n - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::runtime_error("cannot read " + path_.string() + ": " + std::strerror(errno));
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

std::string SequentialFile::read_rest() {
  // Read straight into a buffer of the file's size: spilled blocks are
  // hundreds of megabytes, and growing a string by appending copies them.
  struct stat st {};
  std::string out(::fstat(fd_, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0, '\0');
  size_t done = 0;
  while (true) {
    if (done == out.size()) out.resize(std::max<size_t>(2 * out.size(), 1 << 16));
    size_t got = read(out.data() + done, out.size() - done);
    done += got;
    if (done < out.size()) break;  // a short read is the end of the file
  }
  out.resize(done);
  return out;
}

std::string read_file(const std::filesystem::path& path) { return SequentialFile(path).read_rest(); }

void write_file_atomic(const std::filesystem::path& path, const std::string& bytes) {
  std::string_view piece(bytes);
  write_file_atomic(path, std::span<const std::string_view>(&piece, 1));
}

void write_file_atomic(const std::filesystem::path& path, std::span<const std::string_view> pieces) {
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(::gettid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
  for (std::string_view bytes : pieces) {
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(err));
  }
}

}  // namespace brasa
