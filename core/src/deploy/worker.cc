// brasa-worker: keeps shipped binaries in its work dir and runs executors
// for the master. See brasa/deploy/standalone.h.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <condition_variable>
#include <future>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "brasa/deploy/executor.h"
#include "brasa/deploy/standalone.h"
#include "executor_launcher.h"
#include "rpc_common.h"

namespace fs = std::filesystem;

namespace brasa::deploy {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// A hash is a file name: hex digits, a dash, decimal digits.
bool valid_hash(const std::string& h) {
  if (h.empty() || h.size() > 64) return false;
  for (char c : h)
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

class WorkerService final : public rpc::Worker::Service {
 public:
  WorkerService(const WorkerOptions& o, std::string id) : o_(o), id_(std::move(id)) {
    fs::create_directories(fs::path(o_.work_dir) / "bin");
  }

  grpc::Status HasBinary(grpc::ServerContext* ctx, const rpc::HasBinaryRequest* req,
                         rpc::HasBinaryReply* reply) override {
    if (auto s = check_secret(ctx, o_.secret, "HasBinary"); !s.ok()) return s;
    const bool present = valid_hash(req->binary_hash()) && fs::exists(binary(req->binary_hash()));
    std::error_code ec;
    if (present) fs::last_write_time(binary(req->binary_hash()), fs::file_time_type::clock::now(), ec);  // used
    reply->set_present(present);
    return grpc::Status::OK;
  }

  grpc::Status UploadBinary(grpc::ServerContext* ctx, grpc::ServerReader<rpc::BinaryChunk>* reader,
                            rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "UploadBinary"); !s.ok()) return s;
    rpc::BinaryChunk chunk;
    std::string hash;
    std::string tmp = (fs::path(o_.work_dir) / "bin" / ("upload-" + std::to_string(std::random_device{}()))).string();
    {
      std::ofstream out(tmp, std::ios::binary);
      while (reader->Read(&chunk)) {
        if (hash.empty()) hash = chunk.binary_hash();
        out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
      }
      if (!out) {
        fs::remove(tmp);
        return grpc::Status(grpc::StatusCode::INTERNAL, "cannot write " + tmp);
      }
    }
    if (!valid_hash(hash) || hash_file(tmp) != hash) {
      fs::remove(tmp);
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "uploaded binary does not match its hash");
    }
    ::chmod(tmp.c_str(), 0755);
    fs::rename(tmp, binary(hash));
    spdlog::info("received application binary {} from {}", hash, ctx->peer());
    prune_binaries(hash);
    return grpc::Status::OK;
  }

  grpc::Status LaunchExecutor(grpc::ServerContext* ctx, const rpc::LaunchExecutorRequest* req, rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "LaunchExecutor"); !s.ok()) return s;
    if (!valid_hash(req->binary_hash()) || !fs::exists(binary(req->binary_hash())))
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "binary " + req->binary_hash() + " not uploaded");
    std::string app = req->app_id();
    for (char c : app)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad application id");
    spdlog::info("{} asks for executor {} of {} (binary {}, driver {})", ctx->peer(), req->executor_id(), app,
                 req->binary_hash(), req->driver_address());
    fs::path dir = fs::path(o_.work_dir) / app;
    fs::create_directories(dir);
    std::string log = (dir / ("executor-" + std::to_string(req->executor_id()) + ".log")).string();
    std::vector<std::string> env{
        std::string(kDriverEnv) + "=" + req->driver_address(),
        "BRASA_EXECUTOR_ID=" + std::to_string(req->executor_id()),
        "BRASA_EXECUTOR_CORES=" + std::to_string(req->cores()),
        "BRASA_EXECUTOR_HOST=" + o_.host,
        "BRASA_EXECUTOR_PARENT=" + std::to_string(::getpid()),
        "BRASA_SECRET=" + o_.secret,
        "BRASA_EXECUTOR_MEMORY=" + std::to_string(req->memory_bytes()),
        "TMPDIR=" + dir.string(),
    };
    // Started by the main thread (see run_pending_launches).
    Launch launch{binary(req->binary_hash()), env, log, app, req->executor_id(), {}};
    auto done = launch.done.get_future();
    {
      std::lock_guard lock(mu_);
      launches_.push_back(std::move(launch));
    }
    wake_.notify_all();
    std::string error = done.get();
    if (!error.empty()) return grpc::Status(grpc::StatusCode::INTERNAL, error);
    return grpc::Status::OK;
  }

  // Starts the executors requested since the last call. Only the main thread
  // calls this: an executor's PR_SET_PDEATHSIG fires when the thread that
  // started it ends, and gRPC's handler threads come and go.
  void run_pending_launches(std::chrono::milliseconds wait) {
    std::vector<Launch> todo;
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, wait, [this] { return !launches_.empty(); });
      todo.swap(launches_);
    }
    for (auto& l : todo) {
      try {
        pid_t pid = spawn_process(l.exe, {"brasa-executor"}, l.env, l.log);
        {
          std::lock_guard lock(mu_);
          children_[pid] = Child{l.app, l.executor, l.log, l.exe};
        }
        spdlog::info("launched executor {} of {} (pid {}), log {}", l.executor, l.app, pid, l.log);
        l.done.set_value("");
      } catch (const std::exception& e) {
        l.done.set_value(e.what());
      }
    }
  }

  grpc::Status KillApplication(grpc::ServerContext* ctx, const rpc::KillApplicationRequest* req,
                               rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "KillApplication"); !s.ok()) return s;
    std::lock_guard lock(mu_);
    for (auto& [pid, c] : children_)
      if (c.app == req->app_id()) {
        c.killed = true;
        ::kill(pid, SIGKILL);
      }
    return grpc::Status::OK;
  }

  struct Exited {
    std::string app;
    int executor;
    std::string reason;
  };
  // Reaps exited executors; reports those the master did not kill.
  std::vector<Exited> reap() {
    std::vector<Exited> out;
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      std::lock_guard lock(mu_);
      auto it = children_.find(pid);
      if (it == children_.end()) continue;
      std::string why = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                            : "exited with code " + std::to_string(WEXITSTATUS(status));
      // Stopped by its driver, or its driver is gone: nothing to replace.
      bool clean = WIFEXITED(status) && (WEXITSTATUS(status) == kExitStopped || WEXITSTATUS(status) == kExitDriverGone);
      if (!it->second.killed && !clean) out.push_back({it->second.app, it->second.executor, why + "; log:\n" + log_tail(it->second.log)});
      // An executor killed outright leaves its scratch directory (brasa-PID-*) behind.
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(fs::path(it->second.log).parent_path(), ec))
        if (entry.path().filename().string().rfind("brasa-" + std::to_string(pid) + "-", 0) == 0)
          fs::remove_all(entry.path(), ec);
      children_.erase(it);
    }
    return out;
  }

  // Spark's worker cleanup: the directories of applications that ended
  // longer ago than the retention (untouched since; none of their executors
  // running) go.
  void prune_app_dirs() {
    std::set<std::string> running;
    {
      std::lock_guard lock(mu_);
      for (const auto& [pid, c] : children_) running.insert(c.app);
    }
    if (o_.app_retention_hours <= 0) return;  // kept for ever
    const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(o_.app_retention_hours);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(o_.work_dir, ec)) {
      const std::string name = entry.path().filename().string();
      // Application directories only (the master names them app-NNNN).
      if (name.rfind("app-", 0) != 0 || !entry.is_directory(ec) || running.count(name)) continue;
      if (entry.last_write_time(ec) >= cutoff || ec) continue;
      fs::remove_all(entry.path(), ec);
      spdlog::info("removed {}: older than the retention of {} h", entry.path().string(), o_.app_retention_hours);
    }
  }

  void kill_all() {
    std::lock_guard lock(mu_);
    for (auto& [pid, c] : children_) ::kill(pid, SIGKILL);
    for (auto& [pid, c] : children_) ::waitpid(pid, nullptr, 0);
    children_.clear();
  }

 private:
  struct Child {
    std::string app;
    int executor;
    std::string log;
    std::string exe;  // its binary
    bool killed = false;
  };
  std::string binary(const std::string& hash) const { return (fs::path(o_.work_dir) / "bin" / hash).string(); }

  // Keeps the max_binaries most recently used shipped binaries (and `keep`,
  // and those of running executors: their applications may need another).
  void prune_binaries(const std::string& keep) {
    std::lock_guard lock(prune_mu_);
    std::set<std::string> in_use{binary(keep)};
    {
      std::lock_guard children_lock(mu_);
      for (const auto& [pid, c] : children_) in_use.insert(c.exe);
      for (const auto& l : launches_) in_use.insert(l.exe);
    }
    std::vector<std::pair<fs::file_time_type, fs::path>> binaries;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(fs::path(o_.work_dir) / "bin", ec)) {
      const std::string name = entry.path().filename().string();
      if (valid_hash(name) && !in_use.count(entry.path().string()))
        binaries.emplace_back(entry.last_write_time(ec), entry.path());
    }
    std::sort(binaries.begin(), binaries.end());  // least recently used first
    const size_t max = static_cast<size_t>(std::max(o_.max_binaries, 1));
    const size_t room = max > in_use.size() ? max - in_use.size() : 0;
    for (size_t i = 0; i + room < binaries.size(); ++i) {
      fs::remove(binaries[i].second, ec);  // a running executor keeps its open file
      spdlog::info("removed binary {}: more than {} kept", binaries[i].second.filename().string(), o_.max_binaries);
    }
  }

  struct Launch {
    std::string exe;
    std::vector<std::string> env;
    std::string log, app;
    int executor;
    std::promise<std::string> done;  // the error, or empty
  };

  const WorkerOptions& o_;
  std::string id_;
  std::mutex mu_;
  std::mutex prune_mu_;
  std::condition_variable wake_;
  std::vector<Launch> launches_;
  std::map<pid_t, Child> children_;
};

}  // namespace

int run_worker(const WorkerOptions& options) {
  if (!std::getenv("BRASA_LOG_LEVEL")) spdlog::set_level(spdlog::level::info);  // a daemon reports what it does
  WorkerOptions o = options;
  o.secret = resolve_secret(o.secret);
  if (!secret_or_insecure("brasa-worker", o.secret, o.insecure)) return 2;
  use_tls_files(o.tls_cert, o.tls_key, o.tls_ca);
  if (o.cores <= 0) o.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::string id = "worker-" + o.host + "-" + std::to_string(::getpid());
  WorkerService service(o, id);
  int port = 0;
  auto server = start_server(o.host, o.port, &service, &port);
  if (!server) {
    spdlog::error("brasa-worker: cannot listen on {}:{}", o.host, o.port);
    return 1;
  }
  std::string address = o.host + ":" + std::to_string(port);
  auto master = rpc::Master::NewStub(make_channel(o.master));
  spdlog::info("brasa-worker {} at {}: {} cores, {} MiB, work dir {}, master {}", id, address, o.cores,
               o.memory_bytes >> 20, o.work_dir, o.master);

  bool registered = false, master_unreachable = false;
  auto last_beat = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  auto last_cleanup = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (!g_stop) {
    if (std::chrono::steady_clock::now() - last_cleanup >= std::chrono::minutes(1)) {
      last_cleanup = std::chrono::steady_clock::now();
      service.prune_app_dirs();
    }
    for (auto& e : service.reap()) {
      rpc::ExecutorExitedRequest req;
      req.set_worker_id(id);
      req.set_app_id(e.app);
      req.set_executor_id(e.executor);
      req.set_reason(e.reason);
      auto ctx = client_context(o.secret, std::chrono::milliseconds(2000));
      rpc::Empty out;
      master->ExecutorExited(ctx.get(), req, &out);
      spdlog::warn("executor {} of {} {}", e.executor, e.app, e.reason.substr(0, e.reason.find('\n')));
    }
    if (std::chrono::steady_clock::now() - last_beat >= std::chrono::seconds(1) || !registered) {
      last_beat = std::chrono::steady_clock::now();
      auto ctx = client_context(o.secret, std::chrono::milliseconds(2000));
      if (!registered) {
        rpc::RegisterWorkerRequest req;
        req.set_protocol_version(kProtocolVersion);
        req.set_worker_id(id);
        req.set_address(address);
        req.set_cores(o.cores);
        req.set_memory_bytes(static_cast<int64_t>(o.memory_bytes));
        rpc::Empty out;
        grpc::Status s = master->RegisterWorker(ctx.get(), req, &out);
        registered = s.ok();
        if (registered)
          spdlog::info("registered with master {}", o.master);
        else
          spdlog::warn("cannot register with master {}: {}", o.master, s.error_message());
      } else {
        rpc::WorkerHeartbeatRequest req;
        req.set_worker_id(id);
        rpc::WorkerHeartbeatReply reply;
        grpc::Status s = master->WorkerHeartbeat(ctx.get(), req, &reply);
        if (s.ok() && !reply.known()) registered = false;
        // Said at once: executors keep running, and the worker registers
        // again when the master is back (or restarted and forgot it).
        if (!s.ok() && !master_unreachable)
          spdlog::warn("the master {} is unreachable ({}); executors keep running, registering again when it is back",
                       o.master, s.error_message());
        if (s.ok() && master_unreachable) spdlog::info("the master {} is reachable again", o.master);
        master_unreachable = !s.ok();
      }
    }
    service.run_pending_launches(std::chrono::milliseconds(50));
  }
  spdlog::info("brasa-worker stopping; killing its executors");
  service.kill_all();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}

}  // namespace brasa::deploy
