// Positional reads and writes of a whole buffer, retried after signals and
// short transfers. Private to the library (spill files, host-local shuffle
// files).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace brasa {

namespace detail {
template <class Byte, class Op> bool transfer_all(Op op, int fd, Byte* data, size_t n, off_t at) {
  while (n > 0) {
    ssize_t done = op(fd, data, n, at);
    if (done < 0 && errno == EINTR) continue;
    if (done <= 0) {
      if (done == 0) errno = 0;  // the end of the file
      return false;
    }
    data += done;
    n -= static_cast<size_t>(done);
    at += done;
  }
  return true;
}
}  // namespace detail

// False on an error (errno says which) or, for reads, at the end of the
// file (errno 0).
inline bool pwrite_all(int fd, const char* data, size_t n, off_t at) {
  return detail::transfer_all(::pwrite, fd, data, n, at);
}
inline bool pread_all(int fd, char* data, size_t n, off_t at) { return detail::transfer_all(::pread, fd, data, n, at); }

}  // namespace brasa
