#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include "brasa/rdd/output_committer.h"
#include "brasa/rdd/rdd_node.h"

namespace fs = std::filesystem;

namespace brasa {

// The path is made absolute: executors may run in another working directory.
OutputCommitter::OutputCommitter(std::string path, bool overwrite)
    : path_(path.empty() ? path : fs::absolute(path).lexically_normal().string()) {
  std::error_code ec;
  if (fs::exists(path_, ec)) {
    if (!overwrite)
      throw std::runtime_error("output directory " + path_ +
                               " already exists; remove it or pass overwrite=true to replace it");
    fs::remove_all(path_, ec);
    if (ec) throw std::runtime_error("cannot remove existing output " + path_ + ": " + ec.message());
  }
  fs::create_directories(fs::path(path_) / "_temporary", ec);
  if (ec) throw std::runtime_error("cannot create output directory " + path_ + ": " + ec.message());
}

std::string OutputCommitter::task_dir() const { return (fs::path(path_) / "_temporary").string(); }

void OutputCommitter::commit(int num_partitions) {
  for (int p = 0; p < num_partitions; ++p)
    fs::rename(checkpoint_file(task_dir(), p), checkpoint_file(path_, p));
  fs::remove_all(fs::path(path_) / "_temporary");
  std::ofstream(fs::path(path_) / "_SUCCESS").flush();
}

void OutputCommitter::abort() noexcept {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace brasa
