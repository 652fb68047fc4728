#include "brasa/deploy/cluster_backend.h"

#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <future>
#include <mutex>
#include <cstring>
#include <random>
#include <set>
#include <thread>
#include <sstream>

#include "brasa/accumulator.h"
#include "brasa/broadcast.h"
#include "brasa/deploy/executor.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/dag_scheduler.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/util/sink.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/storage/block_manager.h"
#include "brasa/util/serializer.h"
#include "executor_launcher.h"
#include "rpc_common.h"


namespace brasa {

using namespace deploy;

// Plans up to this size ride along with the first task instead of taking a
// SendPlan round trip of their own.
constexpr size_t kInlinePlanBytes = size_t{256} << 10;

// A task slot of an executor (one per core): a long-lived stream on which
// the driver sends one task at a time and reads its replies, so a task
// costs two messages rather than a call of its own.
struct TaskSlot {
  struct Call {  // the stream, after its context (which must outlive it)
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReaderWriter<rpc::LaunchTaskRequest, rpc::TaskReply>> stream;
  };

  bool busy = false;
  int job = -1;  // of the task it runs
  bool cancelled = false;  // its stream was cancelled: not reusable
  std::unique_ptr<rpc::Executor::Stub> stub;  // on a connection of its own to the executor's task server
  std::unique_ptr<Call> call;  // null until first used, and after the stream broke

  // Cancels the stream of a busy slot (the backend's lock is held).
  void cancel() {
    if (!call) return;
    call->ctx->TryCancel();
    cancelled = true;
  }
};

struct ClusterBackend::Impl final : public rpc::Driver::Service {
  using Attempt = TaskAttempt;
  struct Executor {
    int id = 0;
    pid_t pid = 0;
    std::string address;
    std::string task_address;
    std::string shuffle_dir;  // where it writes map outputs for reducers on its host
    std::string log;
    int cores = 0;
    int free = 0;
    std::vector<TaskSlot> slots;  // `cores` of them
    bool registered = false;
    bool alive = true;
    std::set<int> plans;  // stages whose plan it has
    std::chrono::steady_clock::time_point last_heartbeat = std::chrono::steady_clock::now();
    std::unique_ptr<rpc::Executor::Stub> stub;
    std::vector<rpc::Removal> removals;  // what the driver freed that it has not acknowledged
    uint64_t next_removal = 1;           // the sequence number of the next one
  };

  Runtime& rt;
  std::string secret;
  std::unique_ptr<grpc::Server> server;
  std::string address;
  mutable std::mutex mu;
  std::condition_variable cv;       // an executor registered or was lost, or a slot came free
  std::condition_variable stop_cv;  // the monitor's: `stopping` was set
  std::map<int, Executor> executors;
  std::map<std::pair<int, int>, int> cached_blocks;  // (rdd, partition) -> executor that computed it
  std::chrono::milliseconds locality_wait{3000};
  // Reducers read map outputs written on their host from the file instead
  // of fetching them (Spark's spark.shuffle.readHostLocalDisk).
  bool read_host_local;
  std::chrono::milliseconds heartbeat_timeout{10000};
  std::thread monitor;
  bool stopping = false;
  std::condition_variable removal_cv;  // the remover's: removals were queued, or `stopping` was set
  std::thread remover;                 // sends removals no task took (remove_pending)
  // Standalone mode: the master that places executors, and this application's id there.
  std::unique_ptr<rpc::Master::Stub> master;
  std::string master_address;
  bool master_unreachable = false;  // its last heartbeat call failed
  std::string master_forgot;        // why the master no longer knows this application, once it says so
  std::string last_crash;           // crash_of's last answer
  std::string app_id;
  // local-cluster and slurm: how this driver starts its executors (null
  // when the standalone master does), and what it does about lost ones.
  std::unique_ptr<ExecutorLauncher> launcher;
  int next_executor_id = 0;
  bool ready = false;          // the first executors registered
  int executors_lost = 0;      // lost after registering, or before
  std::string no_replacement;  // why lost executors are replaced no more, once they are not

  void launch();

  explicit Impl(Runtime& r) : rt(r), read_host_local(r.conf().get_bool("brasa.shuffle.readHostLocalDisk", true)) {}

  // ---- Driver service ----------------------------------------------------------------

  grpc::Status RegisterExecutor(grpc::ServerContext* ctx, const rpc::RegisterExecutorRequest* req,
                                rpc::Empty*) override {
    if (auto s = check_secret(ctx, secret, "RegisterExecutor"); !s.ok()) return s;
    if (req->protocol_version() != kProtocolVersion)
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "protocol version " + std::to_string(req->protocol_version()) + " but the driver speaks " +
                              std::to_string(kProtocolVersion));
    if (req->binary_hash() != binary_hash())
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "executor binary " + req->binary_hash() + " differs from the driver's " + binary_hash() +
                              "; driver and executors must run the identical binary");
    std::lock_guard lock(mu);
    auto it = executors.find(req->executor_id());
    if (master && it == executors.end()) {  // placed by the master
      it = executors.emplace(req->executor_id(), Executor{}).first;
      it->second.id = req->executor_id();
    }
    if (it == executors.end() || it->second.registered)
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unexpected executor id " +
                                                                  std::to_string(req->executor_id()));
    Executor& e = it->second;
    e.address = req->address();
    e.cores = std::max(1, req->cores());
    e.free = e.cores;
    e.task_address = req->task_address();
    e.shuffle_dir = req->shuffle_dir();
    e.slots.resize(static_cast<size_t>(e.cores));
    e.registered = true;
    e.last_heartbeat = std::chrono::steady_clock::now();
    e.stub = rpc::Executor::NewStub(make_channel(e.address));
    spdlog::info("executor {} registered from {} (pid {}, {} cores)", e.id, e.address, req->pid(), e.cores);
    // A Unix socket's name means nothing to a reader (of the web UI, the
    // event log): an executor listening on one runs on this machine.
    const bool unix_socket = e.address.rfind("unix-abstract:", 0) == 0;
    rt.scheduler().executor_added(e.id, unix_socket ? "localhost (pid " + std::to_string(req->pid()) + ")" : e.address,
                                  e.cores);
    cv.notify_all();
    return grpc::Status::OK;
  }

  grpc::Status Heartbeat(grpc::ServerContext* ctx, const rpc::HeartbeatRequest* req,
                         rpc::HeartbeatReply* reply) override {
    if (auto s = check_secret(ctx, secret, "Heartbeat"); !s.ok()) return s;
    std::lock_guard lock(mu);
    auto it = executors.find(req->executor_id());
    reply->set_known(it != executors.end() && it->second.alive);
    if (reply->known()) it->second.last_heartbeat = std::chrono::steady_clock::now();
    return grpc::Status::OK;
  }

  grpc::Status FetchBroadcast(grpc::ServerContext* ctx, const rpc::FetchBroadcastRequest* req,
                              grpc::ServerWriter<rpc::Chunk>* writer) override {
    if (auto s = check_secret(ctx, secret, "FetchBroadcast"); !s.ok()) return s;
    std::string bytes;
    try {
      bytes = rt.broadcasts().encoded(req->broadcast_id());
    } catch (const std::exception& e) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
    }
    write_chunks(writer, bytes);
    return grpc::Status::OK;
  }

  // ---- Executor processes ---------------------------------------------------------------

  void start_server(const std::string& host) {
    int port = 0;
    server = deploy::start_server(host, 0, this, &port);
    if (!server) throw std::runtime_error("driver: cannot open its RPC port on " + host);
    address = host + ":" + std::to_string(port);
  }

  // Makes sure a worker has this binary (it keeps binaries by hash).
  void ship_binary(const std::string& worker) {
    auto stub = rpc::Worker::NewStub(make_channel(worker));
    {
      auto ctx = client_context(secret, std::chrono::milliseconds(10000));
      rpc::HasBinaryRequest req;
      req.set_binary_hash(binary_hash());
      rpc::HasBinaryReply reply;
      grpc::Status s = stub->HasBinary(ctx.get(), req, &reply);
      if (!s.ok()) throw std::runtime_error("worker " + worker + ": " + s.error_message());
      if (reply.present()) return;
    }
    std::ifstream in("/proc/self/exe", std::ios::binary);
    auto ctx = client_context(secret);
    rpc::Empty out;
    auto writer = stub->UploadBinary(ctx.get(), &out);
    std::string buf(kChunkBytes, '\0');
    rpc::BinaryChunk chunk;
    chunk.set_binary_hash(binary_hash());
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      chunk.set_data(buf.data(), static_cast<size_t>(in.gcount()));
      if (!writer->Write(chunk)) break;
      chunk.clear_binary_hash();
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) throw std::runtime_error("cannot ship the application binary to worker " + worker + ": " +
                                         s.error_message());
    spdlog::info("shipped the application binary to worker {}", worker);
  }

  // Starts executor `id` through the launcher. The entry exists before the
  // process does, so its registration always finds it.
  void spawn(int id) {
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    std::vector<std::string> env{
        std::string(kDriverEnv) + "=" + address,
        "BRASA_EXECUTOR_ID=" + std::to_string(id),
        "BRASA_EXECUTOR_CORES=" + std::to_string(launcher->cores()),
        "BRASA_EXECUTOR_HOST=" + launcher->executor_host(),
        "BRASA_SECRET=" + secret,
        "BRASA_EXECUTOR_MEMORY=" + launcher->memory(),
        "BRASA_EXECUTOR_SHUFFLE_MEMORY=" + launcher->shuffle_memory(),
    };
    // The disk the user chose for spills and blocks, for the executors too.
    if (auto dir = rt.conf().get("brasa.local.dir", ""); !dir.empty()) env.push_back("BRASA_LOCAL_DIR=" + dir);
    {
      std::lock_guard lock(mu);
      Executor& e = executors[id];
      e.id = id;
      e.log = launcher->log_path(id);
      next_executor_id = std::max(next_executor_id, id + 1);
    }
    pid_t pid = launcher->launch(id, exe, std::move(env));
    std::lock_guard lock(mu);
    executors[id].pid = pid;
    cv.notify_all();
  }

  // Starts an executor for each one lost, while the launcher may.
  void replace_lost_executors() {
    int wanted = 0, lost = 0;
    {
      std::lock_guard lock(mu);
      if (!launcher || !launcher->replaces_lost() || stopping || !ready || !no_replacement.empty()) return;
      int live = 0;
      for (auto& [id, e] : executors) live += e.alive;
      wanted = launcher->executors() - live;
      lost = executors_lost;
    }
    if (wanted <= 0) return;
    if (std::string why = launcher->why_not_replace(lost); !why.empty()) {
      spdlog::error("{}: {}", launcher->name(), why);
      std::lock_guard lock(mu);
      no_replacement = std::move(why);
      cv.notify_all();
      return;
    }
    for (int i = 0; i < wanted; ++i) {
      int id;
      {
        std::lock_guard lock(mu);
        id = next_executor_id++;  // never reused, even when its launch fails
      }
      spdlog::warn("{}: starting executor {} in place of a lost one", launcher->name(), id);
      try {
        spawn(id);
      } catch (const std::exception& ex) {
        spdlog::error("{}: cannot start executor {}: {}", launcher->name(), id, ex.what());
        std::lock_guard lock(mu);
        Executor& e = executors[id];
        e.id = id;
        e.alive = false;
        ++executors_lost;
      }
    }
  }

  std::string log_of(const Executor& e) const {
    return e.log.empty() ? "(on its worker: see the worker's work dir)" : log_tail(e.log);
  }

  // Why an executor that broke off a task died, when it crashed (the line
  // its fatal-signal handler wrote in its log), or "". Kept as the last
  // crash, for the error of a job left without executors.
  std::string crash_of(const Executor& e) {
    if (e.log.empty()) return "";
    const std::string log = log_tail(e.log);
    const std::string mark = "brasa executor: died of ";
    const size_t at = log.rfind(mark);
    if (at == std::string::npos) return "";
    const std::string signal = log.substr(at + mark.size(), log.find(' ', at + mark.size()) - at - mark.size());
    std::string why = "executor " + std::to_string(e.id) + " died of " + signal +
                      " while running a task of this stage; a closure that captures a reference or a pointer "
                      "([&], this) points into the driver's memory and cannot run in another process: capture "
                      "values, or ship them with brasa::with or a broadcast";
    std::lock_guard lock(mu);
    last_crash = why;
    return why;
  }

  // Waits until every executor registered; fails if one exits first.
  void await_registrations(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu);
    while (true) {
      bool all = true;
      for (auto& [id, e] : executors) {
        if (e.registered) continue;
        all = false;
        int status = 0;
        if (::waitpid(e.pid, &status, WNOHANG) == e.pid) {
          e.alive = false;
          throw std::runtime_error("executor " + std::to_string(id) + " exited before registering; its log:\n" +
                                   log_of(e));
        }
      }
      if (all) return;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("executors did not register within " + std::to_string(timeout.count()) + " s");
      cv.wait_for(lock, std::chrono::milliseconds(20));
    }
  }

  // Sends `req` to every live executor, one after the other.
  void send_removal(const rpc::RemoveRequest& req) {
    std::vector<rpc::Executor::Stub*> stubs;  // entries and stubs live as long as the backend
    {
      std::lock_guard lock(mu);
      for (auto& [id, e] : executors)
        if (e.stub && e.alive) stubs.push_back(e.stub.get());
    }
    for (auto* stub : stubs) {
      auto ctx = client_context(secret, std::chrono::milliseconds(2000));
      rpc::Empty out;
      stub->Remove(ctx.get(), req, &out);  // an executor that does not answer is lost anyway
    }
  }

  // Shuffles, RDDs and broadcasts the driver frees reach each executor with
  // its next tasks, which free them before they run: an iterative job frees
  // a few of each per iteration, and a round trip per object and executor
  // on the driver's thread cost more than a PageRank iteration's tasks.
  // Every task carries all removals its executor has not acknowledged (by
  // replying to a task that carried them, or to the remover's call), and
  // the executor applies each once, in order, before the task runs: so an
  // RDD unpersisted and persisted again (as local_checkpoint does) keeps its
  // new blocks, on every core. What no task took within kRemovalDelay goes
  // in one call of the remover's.
  static constexpr auto kRemovalDelay = std::chrono::milliseconds(20);
  void queue_removal(rpc::Removal::Kind kind, int64_t id) {
    std::lock_guard lock(mu);
    for (auto& [eid, e] : executors) {
      if (!e.alive) continue;
      auto& r = e.removals.emplace_back();
      r.set_seq(e.next_removal++);
      r.set_kind(kind);
      r.set_id(id);
    }
    removal_cv.notify_one();
  }
  // Copies e's unacknowledged removals into `out`; returns the last one's
  // sequence number (0: none). The lock is held.
  static uint64_t carry_removals(const Executor& e, rpc::RemoveRequest* out) {
    for (const auto& r : e.removals) *out->add_removals() = r;
    return e.removals.empty() ? 0 : e.removals.back().seq();
  }
  // The executor has applied the removals up to `seq`.
  void acknowledge_removals(Executor& e, uint64_t seq) {
    std::lock_guard lock(mu);
    std::erase_if(e.removals, [&](const rpc::Removal& r) { return r.seq() <= seq; });
  }
  void remove_pending() {
    std::unique_lock lock(mu);
    auto pending = [&] {
      for (auto& [id, e] : executors)
        if (e.alive && e.stub && !e.removals.empty()) return true;
      return false;
    };
    for (;;) {
      removal_cv.wait(lock, [&] { return stopping || pending(); });
      removal_cv.wait_for(lock, kRemovalDelay, [&] { return stopping; });
      if (stopping) return;  // the executors are stopping and free everything
      for (auto& [id, e] : executors) {
        if (!e.alive || !e.stub || e.removals.empty()) continue;
        rpc::RemoveRequest batch;
        const uint64_t last = carry_removals(e, &batch);
        lock.unlock();
        auto ctx = client_context(secret, std::chrono::milliseconds(2000));
        rpc::Empty out;
        const bool ok = e.stub->Remove(ctx.get(), batch, &out).ok();  // else the next task or call carries them
        if (ok) acknowledge_removals(e, last);
        lock.lock();
      }
    }
  }

  // From now on, what the driver frees is freed on the executors too.
  void forward_removals() {
    remover = std::thread([this] { remove_pending(); });
    rt.shuffle_manager().set_on_remove([this](int id) { queue_removal(rpc::Removal::SHUFFLE, id); });
    rt.block_manager().set_on_remove_rdd([this](int id) {
      {
        std::lock_guard lock(mu);
        std::erase_if(cached_blocks, [&](const auto& kv) { return kv.first.first == id; });
      }
      queue_removal(rpc::Removal::RDD, id);
    });
    rt.broadcasts().set_on_remove(
        [this](uint64_t id) { queue_removal(rpc::Removal::BROADCAST, static_cast<int64_t>(id)); });
  }

  // Says at once when the master goes away or comes back (running jobs go on
  // with the executors they have), and remembers when it no longer knows
  // this application: then no executor will be replaced.
  void note_master_heartbeat(const grpc::Status& s) {
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) {
      if (master_forgot.empty()) {
        master_forgot = "the standalone master " + master_address +
                        " no longer knows this application: it removed it after this driver sent no heartbeat "
                        "for its timeout (was the driver stopped or paused?), or it restarted; it replaces no "
                        "executor and starts no new one";
        spdlog::error("{}: {}", app_id, master_forgot);
      }
    } else if (!s.ok()) {
      if (!master_unreachable)
        spdlog::warn("{}: the standalone master {} is unreachable ({}); running jobs go on with the executors "
                     "they have",
                     app_id, master_address, s.error_message());
      master_unreachable = true;
    } else if (master_unreachable) {
      spdlog::info("{}: the standalone master {} is reachable again", app_id, master_address);
      master_unreachable = false;
    }
  }

  // Notices dead executors while nothing runs on them: a child process that
  // exited, or an executor whose heartbeats stopped.
  void watch() {
    std::unique_lock lock(mu);
    auto last_app_heartbeat = std::chrono::steady_clock::now();
    while (!stop_cv.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping; })) {
      if (master && std::chrono::steady_clock::now() - last_app_heartbeat > std::chrono::seconds(1)) {
        last_app_heartbeat = std::chrono::steady_clock::now();
        lock.unlock();
        auto ctx = client_context(secret, std::chrono::milliseconds(2000));
        rpc::ApplicationRequest req;
        req.set_app_id(app_id);
        rpc::Empty out;
        const grpc::Status s = master->ApplicationHeartbeat(ctx.get(), req, &out);
        lock.lock();
        note_master_heartbeat(s);
      }
      std::vector<std::pair<Executor*, std::string>> dead;
      std::vector<pid_t> exited;
      auto now = std::chrono::steady_clock::now();
      for (auto& [id, e] : executors) {
        if (!e.alive) continue;
        int status = 0;
        if (!e.registered) {  // a replacement (await_registrations watches the first ones)
          if (ready && e.pid > 0 && ::waitpid(e.pid, &status, WNOHANG) == e.pid) {
            exited.push_back(e.pid);
            e.pid = 0;
            e.alive = false;
            ++executors_lost;
            spdlog::error("executor {} exited before registering; its log:\n{}", e.id, log_of(e));
            cv.notify_all();
          }
          continue;
        }
        if (e.pid > 0 && ::waitpid(e.pid, &status, WNOHANG) == e.pid) {
          exited.push_back(e.pid);
          e.pid = 0;
          dead.emplace_back(&e, WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                                    : "exited with code " + std::to_string(WEXITSTATUS(status)));
        } else if (now - e.last_heartbeat > heartbeat_timeout) {
          dead.emplace_back(&e, "no heartbeat for " + std::to_string(heartbeat_timeout.count()) + " ms");
        }
      }
      lock.unlock();
      for (auto& [e, why] : dead) lose(*e, why);
      if (launcher)
        for (pid_t pid : exited) launcher->cleanup_after(pid);
      replace_lost_executors();
      lock.lock();
    }
  }

  void stop_all() {
    {
      std::lock_guard lock(mu);
      stopping = true;
      stop_cv.notify_all();
      removal_cv.notify_all();
    }
    if (monitor.joinable()) monitor.join();
    close_slots();
    rt.shuffle_manager().set_on_remove(nullptr);
    rt.block_manager().set_on_remove_rdd(nullptr);
    rt.broadcasts().set_on_remove(nullptr);
    if (remover.joinable()) remover.join();

    std::vector<pid_t> pids;
    {
      std::lock_guard lock(mu);
      for (auto& [id, e] : executors) {
        if (e.stub && e.alive) {
          auto ctx = client_context(secret, std::chrono::milliseconds(500));
          rpc::Empty in, out;
          e.stub->Stop(ctx.get(), in, &out);
        }
        e.alive = false;
        if (e.pid > 0) pids.push_back(e.pid);
        e.pid = 0;
      }
    }
    if (master && !app_id.empty()) {  // after Stop, so that executors exit cleanly first
      auto ctx = client_context(secret, std::chrono::milliseconds(2000));
      rpc::ApplicationRequest req;
      req.set_app_id(app_id);
      rpc::Empty out;
      master->UnregisterApplication(ctx.get(), req, &out);
    }
    // Executors told to stop get 3 s; then the launcher's signal (srun passes
    // SIGTERM on to its step) and 3 s more; then SIGKILL.
    auto reap = [&](std::chrono::seconds wait) {
      const auto deadline = std::chrono::steady_clock::now() + wait;
      std::erase_if(pids, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
      while (!pids.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::erase_if(pids, [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; });
      }
    };
    const std::vector<pid_t> all_pids = pids;
    reap(std::chrono::seconds(3));
    if (launcher && launcher->kill_signal() != SIGKILL && !pids.empty()) {
      for (pid_t pid : pids) ::kill(pid, launcher->kill_signal());
      reap(std::chrono::seconds(3));
    }
    for (pid_t pid : pids) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (launcher)
      for (pid_t pid : all_pids) launcher->cleanup_after(pid);
    if (server) server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  }

  // ---- Running tasks ---------------------------------------------------------------------

  bool has_plan(Executor& e, int stage) {
    std::lock_guard lock(mu);
    return e.plans.count(stage) != 0;
  }
  void remember_plan(Executor& e, int stage) {
    std::lock_guard lock(mu);
    e.plans.insert(stage);
  }
  void forget_plan(Executor& e, int stage) {
    std::lock_guard lock(mu);
    e.plans.erase(stage);
  }
  // Streams a stage plan to an executor (plans may be larger than one message).
  grpc::Status send_plan(Executor& e, int stage, const std::string& plan) {
    auto ctx = client_context(secret);
    rpc::Empty out;
    auto writer = e.stub->SendPlan(ctx.get(), &out);
    rpc::PlanChunk chunk;
    chunk.set_stage_id(stage);
    size_t off = 0;
    do {
      size_t n = std::min(kChunkBytes, plan.size() - off);
      chunk.set_data(plan.data() + off, n);
      if (!writer->Write(chunk)) break;
      off += n;
    } while (off < plan.size());
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (s.ok()) {
      std::lock_guard lock(mu);
      e.plans.insert(stage);
    }
    return s;
  }

  int preferred_executor(const Attempt& a) {
    if (!a.cached_rdds) return -1;
    std::lock_guard lock(mu);
    for (int rdd : *a.cached_rdds)
      if (auto it = cached_blocks.find({rdd, a.partition}); it != cached_blocks.end()) return it->second;
    return -1;
  }

  // The blocks the executor said it holds after a task (it may not have
  // kept one: no room for a MEMORY_ONLY block).
  void record_blocks(const Attempt& a, const rpc::TaskReply& done, int executor) {
    std::lock_guard lock(mu);
    for (int rdd : done.cached_rdds()) cached_blocks[{rdd, a.partition}] = executor;
  }

  // Takes a free slot of the preferred executor (waiting for one up to the
  // locality wait, or for ever when pinned) or else of the least busy one.
  std::pair<Executor*, TaskSlot*> acquire_slot(int preferred, bool pinned, int job) {
    auto take = [&](Executor& e) {
      --e.free;
      for (auto& slot : e.slots)
        if (!slot.busy) {
          slot.busy = true;
          slot.job = job;
          return std::pair{&e, &slot};
        }
      throw std::logic_error("executor " + std::to_string(e.id) + " has no free slot");
    };
    std::unique_lock lock(mu);
    if (auto it = executors.find(preferred); it != executors.end()) {
      Executor& e = it->second;
      auto ready = [&] { return !e.alive || e.free > 0; };
      if (pinned)
        cv.wait(lock, ready);
      else
        cv.wait_for(lock, locality_wait, ready);
      if (e.alive && e.free > 0) return take(e);
    }
    while (true) {
      Executor* best = nullptr;
      bool any_alive = false;
      for (auto& [id, e] : executors) {
        if (!e.alive || !e.registered) continue;
        any_alive = true;
        if (e.free > 0 && (!best || e.free > best->free)) best = &e;
      }
      if (best) return take(*best);
      if (!any_alive) {
        // The standalone master replaces lost executors, and so does a
        // launcher that may (slurm): give them time to.
        auto usable = [&] {
          for (auto& [id, e] : executors)
            if (e.alive && e.registered) return true;
          return false;
        };
        auto launching = [&] {
          for (auto& [id, e] : executors)
            if (e.alive && !e.registered) return true;
          return false;
        };
        const bool replacing = launcher && launcher->replaces_lost();
        const bool replaced =
            master      ? cv.wait_for(lock, heartbeat_timeout, usable)
            : replacing ? cv.wait_for(lock, std::chrono::seconds(60),
                                      [&] { return usable() || (!launching() && !no_replacement.empty()); }) &&
                              usable()
                        : false;
        if (!replaced)
          throw std::runtime_error("no executors left: every executor of this application has died" +
                                   (last_crash.empty() ? std::string() : "; " + last_crash) +
                                   (master_forgot.empty() ? std::string() : "; " + master_forgot) +
                                   (replacing && !no_replacement.empty() ? "; " + no_replacement : std::string()));
        continue;
      }
      cv.wait(lock);
    }
  }

  // `broken`: its stream failed or was cancelled; the next task opens another.
  void release_slot(Executor& e, TaskSlot& slot, bool broken) {
    std::unique_ptr<TaskSlot::Call> dropped;  // freed outside the lock
    {
      std::lock_guard lock(mu);
      if (broken || slot.cancelled) {
        dropped = std::move(slot.call);
        slot.cancelled = false;
      }
      slot.busy = false;
      slot.job = -1;
      ++e.free;
      cv.notify_all();
    }
    if (dropped && !broken) dropped->stream->Finish();  // cancelled after its task ended: returns at once
  }


  // Ends the streams of idle slots (those of busy ones end with their task).
  void close_slots() {
    std::vector<TaskSlot*> idle;
    {
      std::lock_guard lock(mu);
      for (auto& [id, e] : executors)
        for (auto& slot : e.slots)
          if (!slot.busy && slot.call) {
            slot.call->ctx->TryCancel();
            slot.busy = true;  // for good
            idle.push_back(&slot);
          }
    }
    for (TaskSlot* slot : idle) slot->call->stream->Finish();
  }

  void lose(Executor& e, const std::string& why) {
    {
      std::lock_guard lock(mu);
      if (!e.alive) return;
      e.alive = false;
      for (auto& slot : e.slots)  // a hung executor must not hold its tasks
        if (slot.busy) slot.cancel();
      ++executors_lost;
      // Unreachable or hung: make sure it is gone (reaped at stop).
      if (e.pid > 0) ::kill(e.pid, launcher ? launcher->kill_signal() : SIGKILL);
      std::erase_if(cached_blocks, [&](const auto& kv) { return kv.second == e.id; });
      cv.notify_all();
    }
    spdlog::error("Lost executor {} ({}): {}. Its log:\n{}", e.id, e.address, why, log_of(e));
    rt.scheduler().executor_lost(e.id, why);
  }
};

ClusterBackend::ClusterBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ClusterBackend::~ClusterBackend() { impl_->stop_all(); }

// brasa.tls.* in the driver's Conf turn TLS on for it and its executors.
void configure_tls(const Conf& conf) {
  use_tls_files(conf.get("brasa.tls.cert", ""), conf.get("brasa.tls.key", ""), conf.get("brasa.tls.ca", ""));
}

namespace {

// A secret of the driver's own, for executors it starts itself.
std::string random_secret() {
  std::random_device rd;
  std::ostringstream s;
  for (int i = 0; i < 4; ++i) s << std::hex << rd();
  return s.str();
}

}  // namespace

// Starts the launcher's executors and waits until all registered. They are
// started from the monitor thread, which lives as long as the backend:
// PR_SET_PDEATHSIG fires when the *thread* that started a child ends, and
// the caller's thread may end sooner.
void ClusterBackend::Impl::launch() {
  std::promise<void> spawned;
  auto spawned_future = spawned.get_future();
  monitor = std::thread([this, &spawned] {
    try {
      for (int i = 0; i < launcher->executors(); ++i) spawn(i);
      spawned.set_value();
    } catch (...) {
      spawned.set_exception(std::current_exception());
    }
    watch();
  });
  spawned_future.get();
  await_registrations(std::chrono::seconds(60));
  {
    std::lock_guard lock(mu);
    ready = true;
  }
  forward_removals();
}

std::unique_ptr<ClusterBackend> ClusterBackend::start_launched(Runtime& runtime,
                                                               std::unique_ptr<deploy::ExecutorLauncher> launcher,
                                                               std::string secret) {
  const Conf& conf = runtime.conf();
  configure_tls(conf);
  auto impl = std::make_unique<Impl>(runtime);
  impl->secret = std::move(secret);
  impl->locality_wait = std::chrono::milliseconds(conf.get_int("brasa.locality.wait.ms", 3000));
  impl->heartbeat_timeout = std::chrono::milliseconds(conf.get_int("brasa.network.timeout.ms", 10000));
  impl->start_server(launcher->driver_host());
  impl->launcher = std::move(launcher);
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ClusterBackend> backend(new ClusterBackend(std::move(impl)));
  Impl& b = *backend->impl_;
  b.launch();
  spdlog::info("{}: {} executors of {} cores ready in {:.3f} s (logs: {})", b.launcher->name(),
               b.launcher->executors(), b.launcher->cores(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
               b.launcher->log_path(0));
  return backend;
}

std::unique_ptr<ClusterBackend> ClusterBackend::start_local_cluster(Runtime& runtime, int executors, int cores) {
  // local-cluster always authenticates, with a secret of its own unless given one.
  std::string secret = runtime.conf().get("brasa.auth.secret", "");
  return start_launched(runtime, local_cluster_launcher(runtime.conf(), executors, cores, runtime.local_dir()),
                        secret.empty() ? random_secret() : secret);
}

std::unique_ptr<ClusterBackend> ClusterBackend::start_slurm(Runtime& runtime) {
  // A fresh secret for every application: executors get it through the
  // environment srun exports to their steps, never on a command line.
  return start_launched(runtime, slurm_launcher(runtime.conf()), random_secret());
}

std::string ClusterBackend::driver_address() const { return impl_->address; }

std::unique_ptr<ClusterBackend> ClusterBackend::start_standalone(Runtime& runtime, const std::string& master) {
  configure_tls(runtime.conf());
  auto impl = std::make_unique<Impl>(runtime);
  const Conf& conf = runtime.conf();
  impl->secret = resolve_secret(conf.get("brasa.auth.secret", ""));
  impl->locality_wait = std::chrono::milliseconds(conf.get_int("brasa.locality.wait.ms", 3000));
  impl->heartbeat_timeout = std::chrono::milliseconds(conf.get_int("brasa.network.timeout.ms", 10000));
  bool loopback = master.rfind("127.", 0) == 0 || master.rfind("localhost:", 0) == 0;
  // The driver listens where its master and workers reach it, never on
  // every interface.
  if (!loopback && !conf.contains("brasa.driver.host"))
    throw std::invalid_argument("set brasa.driver.host to this machine's address as the workers reach it");
  impl->start_server(conf.get("brasa.driver.host", "127.0.0.1"));
  impl->master = rpc::Master::NewStub(make_channel(master));
  impl->master_address = master;
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ClusterBackend> backend(new ClusterBackend(std::move(impl)));
  Impl& b = *backend->impl_;

  rpc::RegisterApplicationRequest req;
  req.set_protocol_version(kProtocolVersion);
  req.set_name(conf.app_name());
  req.set_driver_address(b.address);
  req.set_binary_hash(binary_hash());
  req.set_executor_cores(static_cast<int>(conf.get_int("brasa.executor.cores", 1)));
  req.set_executor_memory_bytes(static_cast<int64_t>(conf.get_bytes("brasa.executor.memory", size_t{2} << 30)));
  req.set_max_cores(static_cast<int>(conf.get_int("brasa.cores.max", 0)));
  rpc::RegisterApplicationReply reply;
  {
    auto ctx = client_context(b.secret, std::chrono::milliseconds(10000));
    grpc::Status s = b.master->RegisterApplication(ctx.get(), req, &reply);
    if (!s.ok()) throw std::runtime_error("cannot register with master " + master + ": " + s.error_message());
  }
  b.app_id = reply.app_id();
  Impl* impl_ptr = backend->impl_.get();
  // Heartbeats to the master start now: shipping the binary and starting
  // executors may take longer than the master's timeout.
  impl_ptr->monitor = std::thread([impl_ptr] { impl_ptr->watch(); });
  if (reply.worker_address_size() == 0) throw std::runtime_error("master " + master + " has no live workers");
  // A worker that died moments ago is still listed: skip it, and tell the
  // master, rather than fail the application.
  rpc::RequestExecutorsRequest want;
  want.set_app_id(b.app_id);
  std::string unreachable;
  for (const auto& worker : reply.worker_address()) {
    try {
      b.ship_binary(worker);
    } catch (const std::exception& e) {
      spdlog::warn("{}: skipping worker {}: {}", b.app_id, worker, e.what());
      want.add_unreachable_workers(worker);
      unreachable += std::string(unreachable.empty() ? "" : "; ") + e.what();
    }
  }
  if (want.unreachable_workers_size() == reply.worker_address_size())
    throw std::runtime_error("master " + master + " lists no worker this driver can reach: " + unreachable);
  rpc::RequestExecutorsReply got;
  {
    auto ctx = client_context(b.secret, std::chrono::milliseconds(30000));
    grpc::Status s = b.master->RequestExecutors(ctx.get(), want, &got);
    if (!s.ok()) throw std::runtime_error("master " + master + " launched no executors: " + s.error_message());
  }
  if (got.launched() == 0) throw std::runtime_error("master " + master + " has no free cores for this application");
  {  // wait for the executors the master launched
    std::unique_lock lock(b.mu);
    auto registered = [&] {
      int n = 0;
      for (auto& [id, e] : b.executors) n += e.registered;
      return n;
    };
    if (!b.cv.wait_for(lock, std::chrono::seconds(60), [&] { return registered() >= got.launched(); }))
      throw std::runtime_error("only " + std::to_string(registered()) + " of " + std::to_string(got.launched()) +
                               " executors registered within 60 s (see the workers' logs)");
  }
  impl_ptr->forward_removals();
  spdlog::info("{}: {} executors on {} ready in {:.3f} s", b.app_id, got.launched(), master,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return backend;
}

int ClusterBackend::total_cores() const {
  std::lock_guard lock(impl_->mu);
  int n = 0;
  for (auto& [id, e] : impl_->executors)
    if (e.alive) n += e.cores;
  return n;
}

std::vector<int> ClusterBackend::executor_pids() const {
  std::lock_guard lock(impl_->mu);
  std::vector<int> pids;
  for (auto& [id, e] : impl_->executors)
    if (e.alive && e.pid > 0) pids.push_back(e.pid);
  return pids;
}

void ClusterBackend::cancel_job(int job_id) {
  {  // the driver's threads stop waiting for the job's tasks at once ...
    std::lock_guard lock(impl_->mu);
    for (auto& [id, e] : impl_->executors)
      for (auto& slot : e.slots)
        if (slot.busy && slot.job == job_id) slot.cancel();
  }
  rpc::RemoveRequest req;  // ... and the executors stop running them
  req.add_jobs(job_id);
  impl_->send_removal(req);
}

bool ClusterBackend::has_cached(int rdd_id, int num_partitions) const {
  std::lock_guard lock(impl_->mu);
  for (int p = 0; p < num_partitions; ++p)
    if (!impl_->cached_blocks.count({rdd_id, p})) return false;
  return true;
}

int ClusterBackend::live_executors() const {
  std::lock_guard lock(impl_->mu);
  int n = 0;
  for (auto& [id, e] : impl_->executors) n += e.alive;
  return n;
}

void ClusterBackend::run_all(size_t n, const std::function<void(size_t)>& task) {
  size_t threads = std::min(n, static_cast<size_t>(std::max(1, total_cores())));
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      for (size_t k; (k = next++) < n;) task(k);
    });
  for (auto& t : pool) t.join();
}

void ClusterBackend::run(const TaskAttempt& a) {
  Impl& impl = *impl_;
  rpc::LaunchTaskRequest req;
  req.set_job_id(a.job_id);
  req.set_stage_id(a.stage_id);
  req.set_partition(a.partition);
  req.set_attempt(a.attempt);
  req.set_host_local_reads(impl.read_host_local);
  if (a.cached_rdds)
    for (int rdd : *a.cached_rdds) req.add_cached_rdds(rdd);
  for (int shuffle_id : *a.read_shuffles) {
    if (auto missing = impl.rt.shuffle_manager().missing_maps(shuffle_id); !missing.empty())
      throw FetchFailed(shuffle_id, missing.front(), -1, "map output lost before the task started");
    auto* loc = req.add_locations();
    loc->set_shuffle_id(shuffle_id);
    auto where = impl.rt.shuffle_manager().remote_locations(shuffle_id);
    loc->set_num_maps(static_cast<int>(where.size()));
    for (size_t m = 0; m < where.size(); ++m) {
      if (!where[m]) continue;
      loc->add_map_id(static_cast<int>(m));
      loc->add_executor_id(where[m]->executor);
      loc->add_address(where[m]->address);
      loc->add_file(where[m]->file);
    }
  }

  auto [executor, slot_ptr] = impl.acquire_slot(impl.preferred_executor(a), a.pinned, a.job_id);
  Impl::Executor& e = *executor;
  {
    Event placed{Event::Type::kTaskPlaced, a.job_id, a.stage_id, a.partition};
    placed.executor_id = e.id;
    impl.rt.events().post(std::move(placed));
  }
  uint64_t removals_carried;
  {
    std::lock_guard lock(impl.mu);
    removals_carried = Impl::carry_removals(e, req.mutable_removals());
  }
  TaskSlot& slot = *slot_ptr;
  bool broken = false;
  struct Release {
    Impl& impl;
    Impl::Executor& e;
    TaskSlot& slot;
    bool& broken;
    ~Release() { impl.release_slot(e, slot, broken); }
  } release{impl, e, slot, broken};

  std::string result;
  rpc::TaskReply reply, done;
  bool finished = false;
  grpc::Status status;
  if (a.cancelled && a.cancelled->load()) throw TaskCancelled();  // cancelled while it waited for a slot
  bool reopened = false;  // a reused stream that broke while idle gets one fresh stream
  for (int tries = 0; tries < 2; ++tries) {
    status = grpc::Status::OK;
    finished = false;
    result.clear();
    bool inline_plan = false;
    if (!impl.has_plan(e, a.stage_id)) {
      inline_plan = a.plan->size() <= kInlinePlanBytes;
      if (inline_plan)
        req.set_plan(*a.plan);
      else
        status = impl.send_plan(e, a.stage_id, *a.plan);
    }
    if (!status.ok()) break;
    bool fresh = !slot.call;
    if (fresh) {
      auto call = std::make_unique<TaskSlot::Call>();
      call->ctx = client_context(impl.secret);
      if (!slot.stub) slot.stub = rpc::Executor::NewStub(make_channel(e.task_address, /*own_connection=*/true));
      call->stream = slot.stub->Tasks(call->ctx.get());
      std::lock_guard lock(impl.mu);
      slot.call = std::move(call);
      if (!e.alive || (a.cancelled && a.cancelled->load())) slot.cancel();  // missed by lose() or cancel_job()
    }
    auto& stream = *slot.call->stream;
    bool replied = false;
    if (stream.Write(req))
      while (stream.Read(&reply)) {
        replied = true;
        result += reply.result_chunk();
        if (reply.status() != rpc::TaskReply::RUNNING) {
          done = std::move(reply);
          finished = true;
          break;
        }
      }
    if (!finished) {
      status = stream.Finish();
      bool cancelled = a.cancelled && a.cancelled->load();
      if (!fresh && !replied && !reopened && !cancelled) {  // the connection may have dropped while idle
        std::unique_ptr<TaskSlot::Call> dropped;  // freed outside the lock
        {
          std::lock_guard lock(impl.mu);
          dropped = std::move(slot.call);
        }
        reopened = true;
        --tries;
        continue;
      }
      broken = true;
    }
    req.clear_plan();
    if (!finished || done.status() != rpc::TaskReply::NO_PLAN) {
      if (inline_plan && finished) impl.remember_plan(e, a.stage_id);
      break;
    }
    impl.forget_plan(e, a.stage_id);  // the executor dropped it: send it again
  }
  if (finished && removals_carried > 0) impl.acknowledge_removals(e, removals_carried);  // applied before it ran
  if (a.cancelled && a.cancelled->load()) throw TaskCancelled();  // the executor was told to stop
  if (!finished) {
    std::string why = status.ok() ? "task stream ended without a result" : status.error_message();
    auto code = status.error_code();
    bool transport = status.ok() || code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED ||
                     code == grpc::StatusCode::DEADLINE_EXCEEDED || code == grpc::StatusCode::INTERNAL;
    if (!transport) throw std::runtime_error("executor " + std::to_string(e.id) + " refused the task: " + why);
    impl.lose(e, why);
    if (std::string crash = impl.crash_of(e); !crash.empty()) throw ExecutorLost(crash);
    throw ExecutorLost("executor " + std::to_string(e.id) + " lost while running the task: " + why);
  }
  if (done.status() == rpc::TaskReply::NO_PLAN)
    throw std::runtime_error("executor " + std::to_string(e.id) + " keeps dropping the plan of stage " +
                             std::to_string(a.stage_id));
  for (const auto& u : done.block_updates()) {  // for the storage page
    Event update{Event::Type::kBlockUpdated};
    update.rdd_id = u.rdd_id();
    update.partition = u.partition();
    update.executor_id = e.id;
    update.memory_bytes = u.memory_bytes();
    update.disk_bytes = u.disk_bytes();
    impl.rt.events().post(std::move(update));
  }
  if (TaskContext* tc = TaskContext::current()) {  // the driver's side of the attempt: where it ran, what it did
    tc->set_executor_id(e.id);
    int i = 0;
    tc->metrics().for_each([&](const char*, int64_t& v) {
      if (i < done.metrics_size()) v = done.metrics(i++);
    });
  }
  switch (done.status()) {
    case rpc::TaskReply::SUCCEEDED:
      break;
    case rpc::TaskReply::FETCH_FAILED:
      throw FetchFailed(done.fetch_shuffle_id(), done.fetch_map_id(), done.fetch_executor_id(), done.error());
    case rpc::TaskReply::BLOCK_MISSING: {
      BlockId missing{done.missing_rdd_id(), done.missing_partition()};
      {
        std::lock_guard lock(impl.mu);
        if (auto it = impl.cached_blocks.find({missing.rdd_id, missing.partition});
            it != impl.cached_blocks.end() && it->second == e.id)
          impl.cached_blocks.erase(it);  // evicted there, or never there
      }
      throw BlockMissing(missing);
    }
    default:
      throw std::runtime_error(done.error() + " (on executor " + std::to_string(e.id) + ")");
  }
  impl.record_blocks(a, done, e.id);
  if (a.shuffle) {
    const std::string file = e.shuffle_dir.empty() || !impl.read_host_local
                                 ? ""
                                 : ShuffleManager::host_local_file(e.shuffle_dir, a.shuffle->shuffle_id(), a.partition);
    impl.rt.shuffle_manager().add_remote(a.shuffle->shuffle_id(), a.shuffle->num_map_partitions(), a.partition, e.id,
                                         e.address, file);
  } else {
    ByteReader r(result);
    a.action->deliver(a.partition, r);
  }
  ByteReader updates(done.accumulator_updates());
  impl.rt.accumulators().merge_encoded(updates);
}

}  // namespace brasa
