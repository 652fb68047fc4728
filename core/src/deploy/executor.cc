#include "brasa/deploy/executor.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <mutex>
#include <thread>
#include <vector>

#include "brasa/accumulator.h"
#include "brasa/broadcast.h"
#include "brasa/rdd/plan.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/task_context.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/storage/block_manager.h"
#include "executor_launcher.h"
#include "rpc_common.h"

namespace brasa::deploy {
namespace {

int64_t elapsed_ns(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - since).count();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Fetches shuffle blocks from other executors, one channel per peer.
class RpcShuffleFetcher final : public ShuffleFetcher {
 public:
  explicit RpcShuffleFetcher(std::string secret) : secret_(std::move(secret)) {}

  std::vector<std::string> fetch(const RemoteMapOutput& where, int shuffle_id, const std::vector<int>& map_ids,
                                 int reduce_id) override {
    rpc::FetchBlockRequest req;
    req.set_shuffle_id(shuffle_id);
    req.set_reduce_id(reduce_id);
    for (int m : map_ids) req.add_map_ids(m);
    auto ctx = client_context(secret_);
    auto reader = stub(where.address).FetchShuffleBlocks(ctx.get(), req);
    std::string bytes;
    grpc::Status status = read_chunks(*reader, bytes);
    if (!status.ok()) throw FetchFailed(shuffle_id, map_ids.front(), where.executor, status.error_message());
    std::vector<std::string> buckets;
    try {
      ByteReader r(bytes);
      for (size_t i = 0; i < map_ids.size(); ++i) {
        uint64_t n = r.read_size();
        if (n > r.remaining()) throw std::runtime_error("truncated reply");
        buckets.emplace_back(n, '\0');
        r.read_bytes(buckets.back().data(), n);
      }
    } catch (const std::runtime_error& e) {
      throw FetchFailed(shuffle_id, map_ids.front(), where.executor, e.what());
    }
    return buckets;
  }

 private:
  rpc::Executor::Stub& stub(const std::string& address) {
    std::lock_guard lock(mu_);
    auto& s = stubs_[address];
    if (!s) s = rpc::Executor::NewStub(make_channel(address));
    return *s;
  }

  std::string secret_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<rpc::Executor::Stub>> stubs_;
};

class ExecutorService final : public rpc::Executor::Service {
 public:
  ExecutorService(std::shared_ptr<Runtime> rt, std::string secret) : rt_(std::move(rt)), secret_(std::move(secret)) {
    // Cached blocks that change go to the driver with the next task reply.
    rt_->block_manager().set_on_update([this](BlockId id, size_t memory, size_t disk) {
      std::lock_guard lock(updates_mu_);
      rpc::BlockUpdate& u = block_updates_.emplace_back();
      u.set_rdd_id(id.rdd_id);
      u.set_partition(id.partition);
      u.set_memory_bytes(static_cast<int64_t>(memory));
      u.set_disk_bytes(static_cast<int64_t>(disk));
    });
  }
  ~ExecutorService() override { rt_->block_manager().set_on_update(nullptr); }

  grpc::Status SendPlan(grpc::ServerContext* ctx, grpc::ServerReader<rpc::PlanChunk>* reader, rpc::Empty*) override {
    if (auto s = check_secret(ctx, secret_, "SendPlan"); !s.ok()) return s;
    rpc::PlanChunk chunk;
    std::string bytes;
    int stage = -1;
    while (reader->Read(&chunk)) {
      stage = chunk.stage_id();
      bytes += chunk.data();
    }
    try {
      add_plan(stage, bytes);
    } catch (const std::exception& e) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.what());
    }
    return grpc::Status::OK;
  }

  // Rebuilds a plan once; its tasks share it, as local-mode tasks share the driver's nodes.
  void add_plan(int stage, const std::string& bytes) {
    std::shared_ptr<TaskBody> body;
    try {
      PlanReader plan(rt_, bytes);
      body = plan.task();
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("bad stage plan: ") + e.what());
    }
    std::lock_guard lock(mu_);
    plans_[stage] = std::move(body);
    if (plans_.size() > kMaxPlans) plans_.erase(plans_.begin());  // the oldest stage
  }

  // Runs one task; returns its replies: result chunks, then the final one.
  std::vector<rpc::TaskReply> run_task(const rpc::LaunchTaskRequest& req) {
    std::vector<rpc::TaskReply> replies;
    rpc::TaskReply done;
    const auto start = std::chrono::steady_clock::now();
    int64_t deserialize_ns = 0;
    try {
      if (req.has_removals()) remove(req.removals());
      // The driver says with every task whether reducers read map outputs
      // from files on their host; it never changes, so the first task decides.
      std::call_once(host_local_once_, [&] {
        if (req.host_local_reads()) rt_->shuffle_manager().set_host_local_dir(rt_->local_dir());
      });
      if (!req.plan().empty()) {
        add_plan(req.stage_id(), req.plan());
        deserialize_ns = elapsed_ns(start);
      }
      std::shared_ptr<TaskBody> body;
      {
        std::lock_guard lock(mu_);
        if (auto it = plans_.find(req.stage_id()); it != plans_.end()) body = it->second;
      }
      if (!body) {
        done.set_status(rpc::TaskReply::NO_PLAN);
        replies.push_back(std::move(done));
        return replies;
      }
      if (req.partition() < 0 || req.partition() >= body->num_partitions())
        throw std::invalid_argument("no partition " + std::to_string(req.partition()) + " in stage " +
                                    std::to_string(req.stage_id()));
      for (const auto& loc : req.locations()) {
        int n = std::min({loc.map_id_size(), loc.executor_id_size(), loc.address_size()});
        for (int i = 0; i < n; ++i)
          if (loc.map_id(i) >= 0 && loc.map_id(i) < loc.num_maps())
            rt_->shuffle_manager().add_remote(loc.shuffle_id(), loc.num_maps(), loc.map_id(i), loc.executor_id(i),
                                              loc.address(i), i < loc.file_size() ? loc.file(i) : "");
      }
      TaskContext tc(*rt_, req.stage_id(), req.partition(), req.attempt());
      const int job = req.job_id();
      tc.poll_cancel([this, job] { return job_cancelled(job); });
      TaskContext::Scope scope(&tc);
      ByteWriter result;
      const auto run_start = std::chrono::steady_clock::now();
      body->run(req.partition(), result);
      tc.metrics().run_ns = elapsed_ns(run_start);
      tc.metrics().deserialize_ns = deserialize_ns;
      tc.metrics().for_each([&](const char*, int64_t v) { done.add_metrics(v); });
      // A result of one chunk rides in the final message: one write per task.
      const std::string& bytes = result.bytes();
      if (bytes.size() <= kChunkBytes) {
        done.set_result_chunk(bytes);
      } else {
        for (size_t off = 0; off < bytes.size(); off += kChunkBytes)
          replies.emplace_back().set_result_chunk(bytes.data() + off, std::min(kChunkBytes, bytes.size() - off));
      }
      ByteWriter updates;
      AccumulatorRegistry::write_updates(updates, tc.accumulator_updates());
      done.set_accumulator_updates(updates.bytes());
      for (int rdd : req.cached_rdds())
        if (rt_->block_manager().contains({rdd, req.partition()})) done.add_cached_rdds(rdd);
      done.set_status(rpc::TaskReply::SUCCEEDED);
    } catch (const FetchFailed& e) {
      done.set_status(rpc::TaskReply::FETCH_FAILED);
      done.set_error(e.what());
      done.set_fetch_shuffle_id(e.shuffle_id);
      done.set_fetch_map_id(e.map_id);
      done.set_fetch_executor_id(e.executor);
    } catch (const BlockMissing& e) {
      done.set_status(rpc::TaskReply::BLOCK_MISSING);
      done.set_error(e.what());
      done.set_missing_rdd_id(e.id.rdd_id);
      done.set_missing_partition(e.id.partition);
    } catch (const std::exception& e) {
      done.set_status(rpc::TaskReply::FAILED);
      done.set_error(e.what());
    } catch (...) {
      done.set_status(rpc::TaskReply::FAILED);
      done.set_error("unknown exception");
    }
    if (done.status() != rpc::TaskReply::SUCCEEDED) {
      replies.clear();
      done.clear_result_chunk();
    }
    {
      std::lock_guard lock(updates_mu_);
      for (auto& u : block_updates_) *done.add_block_updates() = std::move(u);
      block_updates_.clear();
    }
    replies.push_back(std::move(done));
    return replies;
  }

  const std::string& secret() const { return secret_; }

  // True once the job was cancelled, or the executor is stopping (told to,
  // or its driver is gone): running tasks stop at their next batch.
  bool job_cancelled(int job) {
    if (!any_cancelled_.load(std::memory_order_relaxed)) return false;
    std::lock_guard lock(mu_);
    return stopping_ || cancelled_jobs_.count(job) != 0;
  }

  grpc::Status FetchShuffleBlocks(grpc::ServerContext* ctx, const rpc::FetchBlockRequest* req,
                                  grpc::ServerWriter<rpc::Chunk>* writer) override {
    if (auto s = check_secret(ctx, secret_, "FetchShuffleBlocks"); !s.ok()) return s;
    ByteWriter reply;
    try {
      for (int map_id : req->map_ids()) {
        auto output = rt_->shuffle_manager().get(req->shuffle_id(), map_id);
        if (dynamic_cast<const RemoteMapOutput*>(output.get()))
          return grpc::Status(grpc::StatusCode::NOT_FOUND, "this executor does not hold that map output");
        std::string bucket = output->encode_bucket(static_cast<size_t>(req->reduce_id()));
        reply.write_size(bucket.size());
        reply.write_bytes(bucket.data(), bucket.size());
      }
    } catch (const std::exception& e) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
    }
    write_chunks(writer, reply.bytes());
    return grpc::Status::OK;
  }

  grpc::Status Remove(grpc::ServerContext* ctx, const rpc::RemoveRequest* req, rpc::Empty*) override {
    if (auto s = check_secret(ctx, secret_, "Remove"); !s.ok()) return s;
    remove(*req);
    return grpc::Status::OK;
  }

  // Frees what the driver freed, each object once and in the driver's
  // order: tasks on other cores that carry the same removals wait here until
  // they are done, so none of them caches a block that a removal then drops.
  void remove(const rpc::RemoveRequest& req) {
    if (req.jobs_size() > 0) {
      std::lock_guard lock(mu_);
      for (int job : req.jobs()) cancelled_jobs_.insert(job);
      while (cancelled_jobs_.size() > kMaxPlans) cancelled_jobs_.erase(cancelled_jobs_.begin());
      any_cancelled_ = true;
    }
    std::lock_guard lock(removal_mu_);
    for (const auto& r : req.removals()) {
      if (r.seq() <= removals_applied_) continue;
      switch (r.kind()) {
        case rpc::Removal::SHUFFLE:
          rt_->shuffle_manager().remove(static_cast<int>(r.id()));
          break;
        case rpc::Removal::RDD:
          rt_->block_manager().remove_rdd(static_cast<int>(r.id()));
          break;
        case rpc::Removal::BROADCAST:
          rt_->broadcasts().remove(static_cast<uint64_t>(r.id()));
          break;
        default:
          break;
      }
      removals_applied_ = r.seq();
    }
  }

  grpc::Status Stop(grpc::ServerContext* ctx, const rpc::Empty*, rpc::Empty*) override {
    if (auto s = check_secret(ctx, secret_, "Stop"); !s.ok()) return s;
    request_stop();
    return grpc::Status::OK;
  }

  void request_stop() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    any_cancelled_ = true;
    cv_.notify_all();
  }
  // Waits until stopped or `period` passes; true once stopped.
  bool wait_stopped(std::chrono::milliseconds period) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, period, [this] { return stopping_; });
  }

 private:
  std::shared_ptr<Runtime> rt_;
  std::string secret_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  static constexpr size_t kMaxPlans = 256;
  std::map<int, std::shared_ptr<TaskBody>> plans_;  // by stage id (increasing)
  std::set<int> cancelled_jobs_;                     // the latest ones
  std::mutex removal_mu_;
  uint64_t removals_applied_ = 0;  // the sequence number of the last removal applied
  std::once_flag host_local_once_;
  std::atomic<bool> any_cancelled_{false};
  std::mutex updates_mu_;
  std::vector<rpc::BlockUpdate> block_updates_;  // since the last task reply
};

// On a loopback host, where every process of the application is on this
// machine, a Unix socket (in the abstract namespace: nothing to clean up)
// for a server; it costs the kernel less per message than TCP. Empty
// otherwise, and with TLS (a certificate names hosts; a Unix socket has none).
std::string loopback_address(const std::string& host, const char* what, int id) {
  if (!(host.rfind("127.", 0) == 0 || host == "localhost") || tls_enabled()) return "";
  std::random_device rd;  // unique on the machine, even across PID namespaces
  return "unix-abstract:brasa-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" + std::to_string(id) +
         "-" + std::to_string(rd());
}

// Serves the driver's task slots (rpc Tasks) on an async server of its own,
// with a completion queue and a thread per core, each serving one slot's
// stream at a time. The thread polls its stream's connection itself and
// runs each task it reads: one thread switch per task, where the sync
// server reads on a poller thread and hands every message to the call's
// thread (and several threads on one queue wake each other).
class TaskServer {
 public:
  // On a loopback host, tasks travel over a Unix socket (loopback_address).
  TaskServer(ExecutorService& service, const std::string& host, int id, int cores) : service_(service) {
    std::string address = loopback_address(host, "tasks", id);
    const bool loopback = !address.empty();
    if (!loopback) address = host + ":0";
    int port = 0;
    server_ = start_async_server(address, &async_, &cqs_, cores, &port);
    if (!server_) throw std::runtime_error("cannot listen on " + address + " for tasks");
    address_ = loopback ? address : host + ":" + std::to_string(port);
    for (auto& cq : cqs_) {
      accept(*cq);
      threads_.emplace_back([this, q = cq.get()] { serve(*q); });
    }
  }
  ~TaskServer() {
    {
      std::lock_guard lock(accept_mu_);  // no new request on a queue being shut down
      stopping_ = true;
    }
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    for (auto& cq : cqs_) cq->Shutdown();
    for (auto& t : threads_) t.join();
  }
  const std::string& address() const { return address_; }

 private:
  enum Op { kAccept, kRead, kWrite, kFinish, kDone };
  struct Call;
  struct Tag {
    Call* call;
    Op op;
  };
  // One stream: read a task, run it, write its replies, read the next.
  // Only its queue's thread touches it.
  struct Call {
    Tag tags[5] = {{this, kAccept}, {this, kRead}, {this, kWrite}, {this, kFinish}, {this, kDone}};
    grpc::ServerContext ctx;
    grpc::ServerAsyncReaderWriter<rpc::TaskReply, rpc::LaunchTaskRequest> stream{&ctx};
    rpc::LaunchTaskRequest request;
    std::deque<rpc::TaskReply> unwritten;
    int ops = 0;  // operations in flight (their tags are still to come)
  };

  // Waits for the next stream on `cq`: one at a time per queue.
  void accept(grpc::ServerCompletionQueue& cq) {
    std::lock_guard lock(accept_mu_);
    if (stopping_) return;
    auto* c = new Call;
    c->ops = 2;  // accept, and the done notice once accepted
    c->ctx.AsyncNotifyWhenDone(&c->tags[kDone]);
    async_.RequestTasks(&c->ctx, &c->stream, &cq, &cq, &c->tags[kAccept]);
  }

  void serve(grpc::ServerCompletionQueue& cq) {
    void* tag = nullptr;
    bool ok = false;
    while (cq.Next(&tag, &ok)) {
      auto& t = *static_cast<Tag*>(tag);
      Call* c = t.call;
      if (t.op == kAccept && !ok) {  // shutting down: the call never started
        delete c;
        continue;
      }
      handle(*c, t.op, ok);
      if (--c->ops == 0) {  // the stream is over
        delete c;
        accept(cq);
      }
    }
  }

  void handle(Call& c, Op op, bool ok) {
    switch (op) {
      case kAccept:
        if (auto s = check_secret(&c.ctx, service_.secret(), "Tasks"); !s.ok())
          finish(c, s);
        else
          read_next(c);
        break;
      case kRead:
        if (!ok) {  // the driver closed or cancelled the stream
          finish(c, grpc::Status::OK);
          break;
        }
        for (auto& reply : service_.run_task(c.request)) c.unwritten.push_back(std::move(reply));
        write_next(c);
        break;
      case kWrite:
        if (!ok)
          finish(c, grpc::Status::OK);
        else if (!c.unwritten.empty())
          write_next(c);
        else
          read_next(c);
        break;
      case kFinish:
      case kDone:
        break;
    }
  }

  void read_next(Call& c) {
    ++c.ops;
    c.stream.Read(&c.request, &c.tags[kRead]);
  }
  void write_next(Call& c) {  // c.unwritten is not empty
    ++c.ops;
    c.stream.Write(c.unwritten.front(), &c.tags[kWrite]);
    c.unwritten.pop_front();  // gRPC serialized it already
  }
  void finish(Call& c, const grpc::Status& status) {
    ++c.ops;
    c.stream.Finish(status, &c.tags[kFinish]);
  }

  ExecutorService& service_;
  rpc::Executor::AsyncService async_;
  std::vector<std::unique_ptr<grpc::ServerCompletionQueue>> cqs_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::vector<std::thread> threads_;
  std::mutex accept_mu_;
  bool stopping_ = false;
};

// A task that crashes the process (most often a closure that captured a
// reference or a pointer into the driver's memory) leaves this line in the
// executor's log, which the driver quotes in the job's error. Only
// async-signal-safe calls; then the signal's default action.
void on_fatal_signal(int sig) {
  const char* name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == SIGFPE ? "SIGFPE"
                   : sig == SIGILL  ? "SIGILL"  : "SIGABRT";
  const char head[] = "\n" "brasa executor: died of ";
  const char tail[] = " while running a task\n";
  [[maybe_unused]] ssize_t n = ::write(STDERR_FILENO, head, sizeof head - 1);
  n = ::write(STDERR_FILENO, name, std::strlen(name));
  n = ::write(STDERR_FILENO, tail, sizeof tail - 1);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void report_fatal_signals() {
  static char alternate_stack[64 << 10];  // a stack overflow still gets its line
  stack_t ss{};
  ss.ss_sp = alternate_stack;
  ss.ss_size = sizeof alternate_stack;
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::sigaction(sig, &sa, nullptr);
}

}  // namespace

bool launched_as_executor() { return std::getenv(kDriverEnv) != nullptr; }

void run_executor() {
  // Die with the process that started us (local-cluster and workers).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (auto parent = std::atoi(env_or("BRASA_EXECUTOR_PARENT", "0").c_str()); parent > 0 && ::getppid() != parent)
    std::_Exit(kExitOrphaned);

  spdlog::flush_on(spdlog::level::info);  // the log must survive a SIGKILL
  report_fatal_signals();
  const std::string driver = env_or(kDriverEnv, "");
  const int id = std::atoi(env_or("BRASA_EXECUTOR_ID", "0").c_str());
  const int cores = std::max(1, std::atoi(env_or("BRASA_EXECUTOR_CORES", "1").c_str()));
  // "@node": this node's address, for executors the driver starts on other
  // nodes (Slurm steps) without knowing where they land.
  std::string host = env_or("BRASA_EXECUTOR_HOST", "127.0.0.1");
  if (host == "@node") host = node_address();
  const std::string secret = env_or("BRASA_SECRET", "");
  int code = 0;
  try {
    Conf conf;
    conf.master("local[" + std::to_string(cores) + "]").app_name("executor-" + std::to_string(id));
    conf.set("brasa.ui.show_progress", "false");
    conf.set("brasa.ui.enabled", "false");
    conf.set("brasa.log.level", "info");
    conf.set("brasa.memory.storage", env_or("BRASA_EXECUTOR_MEMORY", "2g"));
    conf.set("brasa.memory.shuffle", env_or("BRASA_EXECUTOR_SHUFFLE_MEMORY", "1g"));
    if (const std::string dir = env_or("BRASA_LOCAL_DIR", ""); !dir.empty()) conf.set("brasa.local.dir", dir);
    auto rt = std::make_shared<Runtime>(conf);
    RpcShuffleFetcher fetcher(secret);
    rt->shuffle_manager().set_fetcher(&fetcher);
    auto driver_stub = rpc::Driver::NewStub(make_channel(driver));
    rt->broadcasts().set_fetcher([&](uint64_t bid) {
      rpc::FetchBroadcastRequest req;
      req.set_broadcast_id(bid);
      auto ctx = client_context(secret);
      auto reader = driver_stub->FetchBroadcast(ctx.get(), req);
      std::string bytes;
      grpc::Status status = read_chunks(*reader, bytes);
      if (!status.ok())
        throw std::runtime_error("cannot fetch broadcast " + std::to_string(bid) + " from the driver: " +
                                 status.error_message());
      return bytes;
    });

    ExecutorService service(rt, secret);
    int port = 0;
    std::string address = loopback_address(host, "exec", id);
    auto server = address.empty() ? start_server(host, 0, &service, &port) : start_server_at(address, &service, &port);
    if (!server) throw std::runtime_error("cannot listen on " + (address.empty() ? host : address));
    if (address.empty()) address = host + ":" + std::to_string(port);
    TaskServer tasks(service, host, id, cores);

    rpc::RegisterExecutorRequest reg;
    reg.set_protocol_version(kProtocolVersion);
    reg.set_binary_hash(binary_hash());
    reg.set_executor_id(id);
    reg.set_address(address);
    reg.set_task_address(tasks.address());
    reg.set_cores(cores);
    reg.set_pid(::getpid());
    reg.set_shuffle_dir(rt->local_dir());
    {
      auto ctx = client_context(secret, std::chrono::milliseconds(30000));
      rpc::Empty empty;
      grpc::Status status = driver_stub->RegisterExecutor(ctx.get(), reg, &empty);
      if (!status.ok())
        throw std::runtime_error("driver " + driver + " refused registration: " + status.error_message());
    }
    spdlog::info("executor {} serving at {} with {} cores (driver {})", id, address, cores, driver);

    // Exits when told to, or when the driver stops answering heartbeats.
    int missed = 0;
    while (!service.wait_stopped(std::chrono::milliseconds(1000))) {
      rpc::HeartbeatRequest hb;
      hb.set_executor_id(id);
      rpc::HeartbeatReply reply;
      auto ctx = client_context(secret, std::chrono::milliseconds(2000));
      grpc::Status status = driver_stub->Heartbeat(ctx.get(), hb, &reply);
      if (status.ok() && !reply.known()) {
        spdlog::warn("the driver no longer knows executor {}; exiting", id);
        break;
      }
      missed = status.ok() ? 0 : missed + 1;
      if (missed >= 5) {
        spdlog::error("driver {} unreachable for 5 heartbeats ({}); exiting", driver, status.error_message());
        code = kExitDriverGone;
        break;
      }
    }
    service.request_stop();  // running tasks stop at their next batch (the task server waits for them)
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    spdlog::info("executor {} stopped", id);
  } catch (const std::exception& e) {
    spdlog::error("executor {} failed: {}", id, e.what());
    code = kExitFailed;
  }
  spdlog::shutdown();
  std::_Exit(code);  // skip static destructors: gRPC and TBB threads may still be winding down
}

}  // namespace brasa::deploy
