#include "brasa/context.h"

#include "brasa/deploy/executor.h"
#include "init_check.h"
#include "rdd/source_nodes.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

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

void Context::cancel_all_jobs(const std::string& reason) { runtime_->scheduler().cancel_all_jobs(reason); }

spdlog::level::level_enum parse_log_level(const std::string& name, const std::string& what);

namespace {

int interrupt_pipe[2] = {-1, -1};
volatile sig_atomic_t interrupted = 0;

// SIGINT and SIGTERM: the first cancels the running jobs (their save_*
// actions remove partial output) and exits with 128 + signal once they have
// unwound, or after 10 s; a second one exits at once.
void on_interrupt(int sig) {
  if (interrupted) _exit(128 + sig);
  interrupted = sig;
  char b = static_cast<char>(sig);
  if (::write(interrupt_pipe[1], &b, 1) < 0) _exit(128 + sig);
}

void watch_interrupts() {
  char sig = 0;
  while (::read(interrupt_pipe[0], &sig, 1) < 0 && errno == EINTR) {
  }
  const char* name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
  spdlog::warn("{}: cancelling running jobs", name);
  DAGScheduler::interrupt(sig);
  for (int i = 0; i < 1000 && (DAGScheduler::active_jobs_everywhere() > 0 || UndoScope::active() > 0); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  spdlog::default_logger()->flush();
  std::_Exit(128 + sig);
}

void install_interrupt_handlers() {
  if (::pipe2(interrupt_pipe, O_CLOEXEC) != 0) return;
  std::thread(watch_interrupts).detach();
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace

namespace detail {
namespace {
std::atomic<bool> init_called{false};
}
void note_init() { init_called = true; }
bool init_was_called() { return init_called; }
}  // namespace detail

void init(int, char**) {
  detail::note_init();
  // Keep freed memory for reuse instead of handing it back to the system:
  // every task allocates its shuffle buckets and batches afresh, and the
  // first touch of a new page (zeroed by the kernel, under the process's
  // memory-map lock) cost a quarter of a shuffled join. Blocks of 32 MB
  // and more are still mapped and unmapped directly, so that a cached
  // partition's chunks (ChunkedSink) go back at once.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (deploy::launched_as_executor()) deploy::run_executor();
  install_interrupt_handlers();
  spdlog::set_level(spdlog::level::warn);
  if (const char* level = std::getenv("BRASA_LOG_LEVEL")) spdlog::set_level(parse_log_level(level, "BRASA_LOG_LEVEL"));
}

}  // namespace brasa
