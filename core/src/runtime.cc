#include "brasa/runtime.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>

#include "brasa/accumulator.h"
#include "brasa/broadcast.h"
#include "brasa/deploy/cluster_backend.h"
#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/scheduler/progress_bar.h"
#include "ui/web_server.h"
#include "init_check.h"
#include "scheduler/local_backend.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/storage/block_manager.h"

namespace brasa {
namespace {

// Removes the local directories (brasa-PID-N) of processes that no longer
// run: executors killed with their driver, or any Brasa process that died
// before removing its own.
void remove_stale_local_dirs(const std::filesystem::path& base) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    unsigned long long pid = 0;
    int used = 0;
    if (std::sscanf(name.c_str(), "brasa-%llu-%*u%n", &pid, &used) != 1 || used != static_cast<int>(name.size()) ||
        pid == 0 || pid > INT32_MAX)
      continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    std::error_code remove_ec;
    std::filesystem::remove_all(entry.path(), remove_ec);
  }
}

std::string make_local_dir(const Conf& conf) {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path base = conf.get("brasa.local.dir", tmp && *tmp ? tmp : "/tmp");
  {  // once per base directory and process
    static std::mutex mu;
    static std::set<std::string> cleaned;
    std::lock_guard lock(mu);
    if (cleaned.insert(base.string()).second) remove_stale_local_dirs(base);
  }
  std::random_device rd;
  auto dir = base / ("brasa-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create local directory " + dir.string() + ": " + ec.message());
  return dir.string();
}

// The backend the master URL names. A new launcher is one more branch here.
// Cluster backends run executors as this program started again, which
// brasa::init turns into executors.
void require_init(const Conf& conf) {
  if (!detail::init_was_called())
    throw std::logic_error("master " + conf.master() +
                           " runs executors as this program started again: call brasa::init(argc, argv) first "
                           "thing in main(), before creating the Context");
}

std::unique_ptr<Backend> make_backend(Runtime& runtime) {
  const Conf& conf = runtime.conf();
  if (auto [executors, cores] = conf.local_cluster(); executors > 0) {
    require_init(conf);
    return ClusterBackend::start_local_cluster(runtime, executors, cores);
  }
  if (conf.master().rfind("brasa://", 0) == 0) {
    require_init(conf);
    return ClusterBackend::start_standalone(runtime, conf.master().substr(8));
  }
  if (conf.master() == "slurm") {
    require_init(conf);
    return ClusterBackend::start_slurm(runtime);
  }
  return std::make_unique<LocalBackend>(runtime, runtime.threads());
}

}  // namespace

spdlog::level::level_enum parse_log_level(const std::string& name, const std::string& what) {
  auto level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off")
    throw std::invalid_argument(what + ": unknown log level '" + name +
                                "' (use trace, debug, info, warn, error, critical or off)");
  return level;
}

Runtime::Runtime(Conf conf) : conf_(std::move(conf)) {
  // BRASA_LOG_LEVEL in the environment wins over the configuration.
  if (const char* env = std::getenv("BRASA_LOG_LEVEL"))
    spdlog::set_level(parse_log_level(env, "BRASA_LOG_LEVEL"));
  else
    spdlog::set_level(parse_log_level(conf_.get("brasa.log.level", "warn"), "configuration brasa.log.level"));
  threads_ = conf_.local_threads();
  default_parallelism_ = static_cast<int>(conf_.get_int("brasa.default.parallelism", threads_));
  if (default_parallelism_ < 1) throw std::invalid_argument("brasa.default.parallelism must be at least 1");
  int max_failures = static_cast<int>(conf_.get_int("brasa.task.max_failures", 4));
  if (max_failures < 1) throw std::invalid_argument("brasa.task.max_failures must be at least 1");
  size_t budget = conf_.get_bytes("brasa.memory.storage", size_t{2} << 30);
  size_t shuffle_budget = conf_.get_bytes("brasa.memory.shuffle", size_t{1} << 30);
  // Per task, not divided among threads: whether a task spills (and so the
  // order and grouping of its output) must not depend on how many run at once.
  task_shuffle_memory_ = std::max<size_t>(shuffle_budget, 1);
  local_dir_ = make_local_dir(conf_);

  events_ = std::make_unique<EventBus>(static_cast<size_t>(conf_.get_int("brasa.events.queue_size", 100000)));
  if (conf_.get_bool("brasa.ui.show_progress", true) && ::isatty(STDERR_FILENO))
    events_->add_listener(std::make_shared<ConsoleProgressBar>());
  ui::start_monitoring(*this);  // before the backend, whose executors are events too
  block_manager_ = std::make_unique<BlockManager>(budget, local_dir_);
  block_manager_->set_on_update([this](BlockId id, size_t memory, size_t disk) {
    Event e{Event::Type::kBlockUpdated};  // executors ship theirs to the driver instead
    e.rdd_id = id.rdd_id;
    e.partition = id.partition;
    e.memory_bytes = static_cast<int64_t>(memory);
    e.disk_bytes = static_cast<int64_t>(disk);
    events_->post(std::move(e));
  });
  shuffle_manager_ = std::make_unique<ShuffleManager>(shuffle_budget);
  broadcasts_ = std::make_unique<BroadcastManager>();
  accumulators_ = std::make_unique<AccumulatorRegistry>();
  scheduler_ = std::make_unique<DAGScheduler>(*this, max_failures);
  backend_ = make_backend(*this);
  if (!conf_.contains("brasa.default.parallelism") && cluster()) default_parallelism_ = backend_->total_cores();
  spdlog::info("{}: started with master {} ({} threads), storage budget {} MiB, local dir {}", conf_.app_name(),
               conf_.master(), threads_, budget >> 20, local_dir_);
}

ClusterBackend* Runtime::cluster() { return dynamic_cast<ClusterBackend*>(backend_.get()); }

Runtime::~Runtime() {
  backend_.reset();
  scheduler_.reset();
  events_.reset();
  block_manager_.reset();
  std::error_code ec;
  std::filesystem::remove_all(local_dir_, ec);
}

}  // namespace brasa
