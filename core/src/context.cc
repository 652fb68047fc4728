#include "brasa/context.h"

#include "brasa/deploy/executor.h"

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace brasa {

Context::Context(Conf conf) : runtime_(std::make_shared<Runtime>(std::move(conf))) {}

Context::~Context() = default;

RDD<int64_t> Context::range(int64_t start, int64_t end, int64_t step, int num_slices, CallSite site) {
  return RDD<int64_t>(std::make_shared<RangeNode>(runtime_, start, end, step, slices(num_slices), site));
}

RDD<std::string> Context::text_file(const std::string& path, int min_partitions, CallSite site) {
  auto splits = plan_text_splits(path, slices(min_partitions));
  return RDD<std::string>(std::make_shared<TextFileNode>(runtime_, std::move(splits), site));
}

RDD<std::pair<std::string, std::string>> Context::whole_text_files(const std::string& path, int min_partitions,
                                                                   CallSite site) {
  return RDD<std::pair<std::string, std::string>>(
      std::make_shared<WholeTextFilesNode>(runtime_, list_input_files(path), slices(min_partitions), site));
}

std::vector<std::string> Context::object_files(const std::string& path) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "_SUCCESS"))
    throw std::runtime_error("object file " + path + " is missing or incomplete (no _SUCCESS marker)");
  auto files = list_input_files(path);
  return files;
}

JobStats Context::last_job() const { return runtime_->scheduler().last_job(); }

spdlog::level::level_enum parse_log_level(const std::string& name, const std::string& what);

void init(int, char**) {
  // Keep freed memory for reuse instead of handing it back to the system:
  // every task allocates its shuffle buckets and batches afresh, and the
  // first touch of a new page (zeroed by the kernel, under the process's
  // memory-map lock) cost a quarter of a shuffled join. Blocks of 32 MB
  // and more are still mapped and unmapped directly, so that a cached
  // partition's chunks (ChunkedSink) go back at once.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (deploy::launched_as_executor()) deploy::run_executor();
  spdlog::set_level(spdlog::level::warn);
  if (const char* level = std::getenv("BRASA_LOG_LEVEL")) spdlog::set_level(parse_log_level(level, "BRASA_LOG_LEVEL"));
}

}  // namespace brasa
