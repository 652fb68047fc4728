// brasa-master: tracks workers and applications and places executors. See
// brasa/deploy/standalone.h.
#include <spdlog/spdlog.h>

#include <atomic>
#include <deque>
#include <optional>
#include <cstdlib>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <ctime>
#include <filesystem>

#include "brasa/deploy/standalone.h"
#include "../ui/web_server.h"
#include "brasa/util/files.h"
#include "brasa/util/json.h"
#include "rpc_common.h"

namespace brasa::deploy {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

using Clock = std::chrono::steady_clock;

// As Spark's spark.deploy.maxExecutorRetries: an application whose executors
// keep failing (a binary that cannot start, say) stops getting new ones.
constexpr int kMaxExecutorFailures = 10;

class MasterService final : public rpc::Master::Service {
 public:
  // Throws std::runtime_error naming the file when --recovery-dir holds a
  // state it cannot read.
  explicit MasterService(const MasterOptions& o) : o_(o) { recover(); }

  grpc::Status RegisterWorker(grpc::ServerContext* ctx, const rpc::RegisterWorkerRequest* req, rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "RegisterWorker"); !s.ok()) return s;
    if (req->protocol_version() != kProtocolVersion)
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "protocol version mismatch");
    std::lock_guard lock(mu_);
    const Worker& w = add_worker_locked(*req);
    spdlog::info("worker {} registered from {} ({} cores, {} MiB)", req->worker_id(), w.address, w.cores,
                 w.memory >> 20);
    save_locked();
    return grpc::Status::OK;
  }

  grpc::Status WorkerHeartbeat(grpc::ServerContext* ctx, const rpc::WorkerHeartbeatRequest* req,
                               rpc::WorkerHeartbeatReply* reply) override {
    if (auto s = check_secret(ctx, o_.secret, "WorkerHeartbeat"); !s.ok()) return s;
    std::lock_guard lock(mu_);
    auto it = workers_.find(req->worker_id());
    reply->set_known(it != workers_.end() && it->second.alive);
    if (reply->known()) it->second.last_heartbeat = Clock::now();
    return grpc::Status::OK;
  }

  grpc::Status ExecutorExited(grpc::ServerContext* ctx, const rpc::ExecutorExitedRequest* req, rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "ExecutorExited"); !s.ok()) return s;
    std::lock_guard lock(mu_);
    auto app = apps_.find(req->app_id());
    if (app == apps_.end()) return grpc::Status::OK;
    auto ex = app->second.executors.find(req->executor_id());
    if (ex == app->second.executors.end()) return grpc::Status::OK;
    release(app->second, ex->first);
    std::string why = req->reason().substr(0, req->reason().find('\n'));
    ++app->second.failures;
    save_locked();
    if (app->second.failures > kMaxExecutorFailures) {
      spdlog::error("executor {} of {} on {} exited ({}); {} executors failed, not launching more",
                    req->executor_id(), req->app_id(), req->worker_id(), why, kMaxExecutorFailures);
      return grpc::Status::OK;
    }
    spdlog::warn("executor {} of {} on {} exited ({}); launching a replacement", req->executor_id(), req->app_id(),
                 req->worker_id(), why);
    // Not from here: the worker waits for this reply and would not be free
    // to start the replacement. expire() does it on its next round.
    app->second.wants_executors = true;
    return grpc::Status::OK;
  }

  grpc::Status RegisterApplication(grpc::ServerContext* ctx, const rpc::RegisterApplicationRequest* req,
                                   rpc::RegisterApplicationReply* reply) override {
    if (auto s = check_secret(ctx, o_.secret, "RegisterApplication"); !s.ok()) return s;
    if (req->protocol_version() != kProtocolVersion)
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          "protocol version " + std::to_string(req->protocol_version()) +
                              " but the master speaks " + std::to_string(kProtocolVersion));
    std::lock_guard lock(mu_);
    const std::string id = new_app_id();
    const App& a = add_app_locked(id, *req);
    reply->set_app_id(id);
    for (auto& [wid, w] : workers_)
      if (w.alive) reply->add_worker_address(w.address);
    spdlog::info("registered application {} ({}) from driver {}", id, a.name(), a.driver());
    save_locked();  // before the driver hears its id: a restarted master never gives it out again
    return grpc::Status::OK;
  }

  grpc::Status RequestExecutors(grpc::ServerContext* ctx, const rpc::RequestExecutorsRequest* req,
                                rpc::RequestExecutorsReply* reply) override {
    if (auto s = check_secret(ctx, o_.secret, "RequestExecutors"); !s.ok()) return s;
    bool known = false;
    reply->set_launched(decide_then_call([&](Calls& calls) {
      for (const auto& address : req->unreachable_workers())
        for (auto& [wid, w] : workers_)
          if (w.alive && w.address == address)
            lose_worker_locked(wid, "application " + req->app_id() + "'s driver cannot reach it", calls);
      auto it = apps_.find(req->app_id());
      if ((known = it != apps_.end())) schedule(it->first, it->second, calls);
    }));
    if (!known) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown application " + req->app_id());
    return grpc::Status::OK;
  }

  grpc::Status ApplicationHeartbeat(grpc::ServerContext* ctx, const rpc::ApplicationRequest* req,
                                    rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "ApplicationHeartbeat"); !s.ok()) return s;
    std::lock_guard lock(mu_);
    auto it = apps_.find(req->app_id());
    if (it == apps_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown application");
    it->second.last_heartbeat = Clock::now();
    return grpc::Status::OK;
  }

  grpc::Status UnregisterApplication(grpc::ServerContext* ctx, const rpc::ApplicationRequest* req,
                                     rpc::Empty*) override {
    if (auto s = check_secret(ctx, o_.secret, "UnregisterApplication"); !s.ok()) return s;
    decide_then_call([&](Calls& calls) { remove_app(req->app_id(), "finished", calls); });
    return grpc::Status::OK;
  }

  grpc::Status Status(grpc::ServerContext* ctx, const rpc::Empty*, rpc::ClusterStatus* out) override {
    if (auto s = check_secret(ctx, o_.secret, "Status"); !s.ok()) return s;
    std::lock_guard lock(mu_);
    for (auto& [id, w] : workers_) {
      auto* ws = out->add_workers();
      ws->set_worker_id(id);
      ws->set_address(w.address);
      ws->set_cores(w.cores);
      ws->set_cores_used(w.cores_used);
      ws->set_memory_bytes(w.memory);
      ws->set_alive(w.alive);
    }
    for (auto& [id, a] : apps_) {
      auto* as = out->add_applications();
      as->set_app_id(id);
      as->set_name(a.name());
      as->set_driver_address(a.driver());
      as->set_executors(static_cast<int>(a.executors.size()));
      as->set_cores(a.cores);
    }
    return grpc::Status::OK;
  }

  // The master's status page (brasa-master --webui-port): workers,
  // running and finished applications and their executors, as HTML or JSON.
  std::optional<ui::Page> page(const std::string& path) {
    std::lock_guard lock(mu_);
    const auto now = Clock::now();
    auto ago = [&](Clock::time_point t) { return std::chrono::duration<double>(now - t).count(); };
    if (path == "/json" || path == "/json/") {
      std::string out = "{\"workers\":[";
      for (auto& [id, w] : workers_)
        out += fmt::format("{}{{\"id\":{},\"address\":{},\"cores\":{},\"coresUsed\":{},\"memory\":{},"
                           "\"state\":\"{}\",\"lastHeartbeatSecondsAgo\":{:.1f}}}",
                           out.back() == '[' ? "" : ",", json_quote(id), json_quote(w.address), w.cores, w.cores_used,
                           w.memory, w.alive ? "ALIVE" : "DEAD", ago(w.last_heartbeat));
      out += "],\"activeApps\":[";
      for (auto& [id, a] : apps_) {
        std::string executors;
        for (auto& [eid, wid] : a.executors)
          executors += fmt::format("{}{{\"id\":{},\"worker\":{}}}", executors.empty() ? "" : ",", eid, json_quote(wid));
        out += fmt::format("{}{{\"id\":{},\"name\":{},\"driver\":{},\"cores\":{},\"executors\":[{}]}}",
                           out.back() == '[' ? "" : ",", json_quote(id), json_quote(a.name()), json_quote(a.driver()),
                           a.cores, executors);
      }
      out += "],\"completedApps\":[";
      for (auto& f : finished_)
        out += fmt::format("{}{{\"id\":{},\"name\":{},\"state\":{},\"endedSecondsAgo\":{:.1f}}}",
                           out.back() == '[' ? "" : ",", json_quote(f.id), json_quote(f.name), json_quote(f.why),
                           ago(f.ended));
      return ui::Page{"application/json", out + "]}"};
    }
    if (path != "/") return std::nullopt;
    using ui::html_escape;
    std::string body = "<h2>Workers</h2><table id=\"workers\"><tr><th>Worker</th><th>Address</th><th>Cores "
                       "used/total</th><th>Memory</th><th>State</th><th>Last heartbeat</th></tr>";
    for (auto& [id, w] : workers_)
      body += fmt::format("<tr><td>{}</td><td>{}</td><td>{}/{}</td><td>{} MiB</td><td>{}</td><td>{:.1f} s "
                          "ago</td></tr>",
                          html_escape(id), html_escape(w.address), w.cores_used, w.cores, w.memory >> 20,
                          w.alive ? "ALIVE" : "DEAD", ago(w.last_heartbeat));
    body += "</table><h2>Running applications</h2><table id=\"running\"><tr><th>Application</th><th>Name</th>"
            "<th>Driver</th><th>Cores</th><th>Executors (on workers)</th></tr>";
    for (auto& [id, a] : apps_) {
      std::string executors;
      for (auto& [eid, wid] : a.executors)
        executors += (executors.empty() ? "" : ", ") + std::to_string(eid) + " (" + html_escape(wid) + ")";
      body += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", html_escape(id),
                          html_escape(a.name()), html_escape(a.driver()), a.cores, executors);
    }
    body += "</table><h2>Finished applications</h2><table id=\"finished\"><tr><th>Application</th><th>Name</th>"
            "<th>Ended</th><th>How</th></tr>";
    for (auto it = finished_.rbegin(); it != finished_.rend(); ++it)
      body += fmt::format("<tr><td>{}</td><td>{}</td><td>{:.0f} s ago</td><td>{}</td></tr>", html_escape(it->id),
                          html_escape(it->name), ago(it->ended), html_escape(it->why));
    return ui::Page{"text/html; charset=utf-8",
                    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Brasa master</title><style>"
                    "body{font-family:system-ui,sans-serif;margin:16px}table{border-collapse:collapse;margin-bottom:16px}"
                    "th,td{border:1px solid #ddd;padding:4px 8px}</style></head><body><h1>Brasa master " +
                        html_escape(o_.host) + "</h1>" + body + "</table></body></html>"};
  }

  // Drops workers and applications whose heartbeats stopped; replaces lost executors.
  void expire() {
    decide_then_call([&](Calls& calls) { expire_locked(calls); });
  }

 private:
  // What the master asks of workers, decided under its lock and made after
  // it is released: a worker slow to answer (up to the call's deadline)
  // must not stop the master's heartbeats, status and other applications.
  struct Launch {
    std::string worker_id;
    std::shared_ptr<rpc::Worker::Stub> stub;
    rpc::LaunchExecutorRequest request;
  };
  struct Kill {
    std::shared_ptr<rpc::Worker::Stub> stub;
    rpc::KillApplicationRequest request;
  };
  struct Calls {
    std::vector<Launch> launches;
    std::vector<Kill> kills;
  };

  void expire_locked(Calls& calls) {
    auto now = Clock::now();
    auto timeout = std::chrono::milliseconds(o_.worker_timeout_ms);
    for (auto& [id, w] : workers_)
      if (w.alive && now - w.last_heartbeat >= timeout) lose_worker_locked(id, "no heartbeat", calls);
    for (auto& [id, a] : apps_)
      if (a.wants_executors) {
        a.wants_executors = false;
        schedule(id, a, calls);
      }
    std::vector<std::string> dead;
    for (auto& [id, a] : apps_)
      if (now - a.last_heartbeat > timeout) dead.push_back(id);
    for (auto& id : dead) remove_app(id, "driver stopped sending heartbeats", calls);
  }

  // Runs decide(calls) under the lock, then makes the calls it decided on;
  // returns the executors launched.
  template <class F> int decide_then_call(F&& decide) {
    Calls calls;
    {
      std::lock_guard lock(mu_);
      decide(calls);
      save_locked();
    }
    return make(calls);
  }

  // Makes the calls; a launch that fails gives its cores back. Returns the
  // executors launched.
  int make(Calls& calls) {
    int launched = 0;
    for (auto& l : calls.launches) {
      auto ctx = client_context(o_.secret, std::chrono::milliseconds(5000));
      rpc::Empty out;
      grpc::Status s = l.stub->LaunchExecutor(ctx.get(), l.request, &out);
      if (s.ok()) {
        ++launched;
        continue;
      }
      spdlog::warn("worker {} could not launch an executor for {}: {}", l.worker_id, l.request.app_id(),
                   s.error_message());
      std::lock_guard lock(mu_);
      if (auto app = apps_.find(l.request.app_id()); app != apps_.end()) release(app->second, l.request.executor_id());
      save_locked();
    }
    for (auto& k : calls.kills) {
      auto ctx = client_context(o_.secret, std::chrono::milliseconds(2000));
      rpc::Empty out;
      k.stub->KillApplication(ctx.get(), k.request, &out);
    }
    return launched;
  }

  // As Spark's: app-<yyyyMMddHHmmss>-<NNNN>, so that ids differ across
  // restarts even without a recovery directory.
  std::string new_app_id() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[16];
    std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    return fmt::format("app-{}-{:04d}", stamp, next_app_++);
  }

  // --recovery-dir: takes up the state a previous master left. Its workers
  // count as alive and its applications as running until their heartbeats
  // stop for the timeout, as if both had just sent one.
  void recover() {
    if (o_.recovery_dir.empty()) return;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(o_.recovery_dir, ec);
    if (ec) throw std::runtime_error("--recovery-dir " + o_.recovery_dir + ": cannot create it: " + ec.message());
    state_path_ = (fs::path(o_.recovery_dir) / "master-state").string();
    if (!fs::exists(state_path_)) return;
    rpc::MasterState state;
    if (!state.ParseFromString(read_file(state_path_)))
      throw std::runtime_error(state_path_ + ": not a brasa-master state file (remove it to start without the state)");
    next_app_ = state.next_app();
    for (const auto& r : state.workers()) add_worker_locked(r);
    for (const auto& r : state.apps()) {
      App& a = add_app_locked(r.app_id(), r.registration());
      a.next_executor = r.next_executor();
      a.failures = r.failures();
      for (int i = 0; i < r.executor_ids_size() && i < r.executor_workers_size(); ++i) {
        auto w = workers_.find(r.executor_workers(i));
        if (w == workers_.end()) continue;
        a.executors[r.executor_ids(i)] = w->first;
        a.cores += a.executor_cores;
        w->second.cores_used += a.executor_cores;
      }
    }
    saved_ = state.SerializeAsString();
    spdlog::info("recovered {} workers and {} applications from {}", workers_.size(), apps_.size(), state_path_);
  }

  // Writes the state for a restarted master when it changed. A failure is
  // logged (once) and the master goes on: its running applications matter
  // more than the file.
  void save_locked() {
    if (state_path_.empty()) return;
    rpc::MasterState state;
    state.set_next_app(next_app_);
    for (const auto& [id, w] : workers_) {
      if (!w.alive) continue;
      auto* r = state.add_workers();
      r->set_worker_id(id);
      r->set_address(w.address);
      r->set_cores(w.cores);
      r->set_memory_bytes(w.memory);
    }
    for (const auto& [id, a] : apps_) {
      auto* r = state.add_apps();
      r->set_app_id(id);
      *r->mutable_registration() = a.registration;
      r->set_next_executor(a.next_executor);
      r->set_failures(a.failures);
      for (const auto& [eid, wid] : a.executors) {
        r->add_executor_ids(eid);
        r->add_executor_workers(wid);
      }
    }
    std::string bytes = state.SerializeAsString();
    if (bytes == saved_) return;
    try {
      write_file_atomic(state_path_, bytes);
      saved_ = std::move(bytes);
      if (save_failed_) spdlog::info("the recovery state is written again to {}", state_path_);
      save_failed_ = false;
    } catch (const std::exception& e) {
      if (!save_failed_) spdlog::error("{}: a restarted master will not know the latest workers and applications", e.what());
      save_failed_ = true;
    }
  }

  struct Worker {
    std::string address;
    int cores = 0;
    int cores_used = 0;
    int64_t memory = 0;
    bool alive = false;
    Clock::time_point last_heartbeat;
    std::shared_ptr<rpc::Worker::Stub> stub;
  };
  struct App {
    rpc::RegisterApplicationRequest registration;  // name, driver, binary, executor size, max cores
    int executor_cores = 1;                         // at least 1
    int cores = 0;
    int next_executor = 0;
    int failures = 0;  // executors that exited abnormally
    bool wants_executors = false;
    std::map<int, std::string> executors;  // executor id -> worker id
    Clock::time_point last_heartbeat;

    const std::string& name() const { return registration.name(); }
    const std::string& driver() const { return registration.driver_address(); }
  };

  // A worker as it registers, or as a restarted master recovers it: alive,
  // as if it had just sent a heartbeat.
  Worker& add_worker_locked(const rpc::RegisterWorkerRequest& r) {
    Worker& w = workers_[r.worker_id()];
    w.address = r.address();
    w.cores = std::max(1, r.cores());
    w.memory = r.memory_bytes();
    w.alive = true;
    w.last_heartbeat = Clock::now();
    w.stub = std::shared_ptr<rpc::Worker::Stub>(rpc::Worker::NewStub(make_channel(w.address)));
    return w;
  }
  // An application as it registers, or as a restarted master recovers it.
  App& add_app_locked(const std::string& id, const rpc::RegisterApplicationRequest& r) {
    App& a = apps_[id];
    a.registration = r;
    a.executor_cores = std::max(1, r.executor_cores());
    a.last_heartbeat = Clock::now();
    return a;
  }

  void release(App& a, int executor) {
    auto it = a.executors.find(executor);
    if (it == a.executors.end()) return;
    if (auto w = workers_.find(it->second); w != workers_.end()) w->second.cores_used -= a.executor_cores;
    a.cores -= a.executor_cores;
    a.executors.erase(it);
  }

  // The worker is dead until it registers again: its executors are gone and
  // their applications get others.
  void lose_worker_locked(const std::string& id, const std::string& why, Calls& calls) {
    Worker& w = workers_.at(id);
    w.alive = false;
    spdlog::warn("lost worker {} ({}): {}", id, w.address, why);
    for (auto& [aid, a] : apps_) {
      std::vector<int> gone;
      for (auto& [eid, wid] : a.executors)
        if (wid == id) gone.push_back(eid);
      for (int eid : gone) release(a, eid);
      if (!gone.empty()) schedule(aid, a, calls);
    }
  }

  // Assigns executors for `a` to workers with free cores, up to its limit;
  // their launches go to `calls`.
  void schedule(const std::string& app_id, App& a, Calls& calls) {
    bool progress = true;
    while (progress) {  // one executor per worker per round spreads them out
      progress = false;
      for (auto& [wid, w] : workers_) {
        if (!w.alive || w.cores - w.cores_used < a.executor_cores) continue;
        const int max_cores = a.registration.max_cores();
        if (max_cores > 0 && a.cores + a.executor_cores > max_cores) return;
        rpc::LaunchExecutorRequest req;
        req.set_app_id(app_id);
        req.set_executor_id(a.next_executor);
        req.set_driver_address(a.driver());
        req.set_binary_hash(a.registration.binary_hash());
        req.set_cores(a.executor_cores);
        req.set_memory_bytes(a.registration.executor_memory_bytes());
        calls.launches.push_back({wid, w.stub, std::move(req)});
        a.executors[a.next_executor++] = wid;
        a.cores += a.executor_cores;
        w.cores_used += a.executor_cores;
        progress = true;
      }
    }
  }

  void remove_app(const std::string& id, const char* why, Calls& calls) {
    auto it = apps_.find(id);
    if (it == apps_.end()) return;
    for (auto& [wid, w] : workers_) {
      if (!w.alive) continue;
      rpc::KillApplicationRequest req;
      req.set_app_id(id);
      calls.kills.push_back({w.stub, std::move(req)});
    }
    std::vector<int> ids;
    for (auto& [eid, wid] : it->second.executors) ids.push_back(eid);
    for (int eid : ids) release(it->second, eid);
    finished_.push_back({id, it->second.name(), why, Clock::now()});
    if (finished_.size() > 100) finished_.pop_front();
    apps_.erase(it);
    spdlog::info("removed application {}: {}", id, why);
  }

  const MasterOptions& o_;
  std::mutex mu_;
  std::map<std::string, Worker> workers_;
  std::map<std::string, App> apps_;
  struct Finished {
    std::string id, name, why;
    Clock::time_point ended;
  };
  std::deque<Finished> finished_;  // the last 100, for the status page
  int next_app_ = 0;
  std::string state_path_;  // --recovery-dir's file; "" without one
  std::string saved_;       // what it holds
  bool save_failed_ = false;
};

}  // namespace

int run_master(const MasterOptions& options, const std::function<void(int)>& on_ready) {
  if (!std::getenv("BRASA_LOG_LEVEL")) spdlog::set_level(spdlog::level::info);  // a daemon reports what it does
  MasterOptions o = options;
  o.secret = resolve_secret(o.secret);
  if (!secret_or_insecure("brasa-master", o.secret, o.insecure)) return 2;
  use_tls_files(o.tls_cert, o.tls_key, o.tls_ca);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::optional<MasterService> service;
  try {
    service.emplace(o);
  } catch (const std::exception& e) {
    spdlog::error("brasa-master: {}", e.what());
    return 1;
  }
  int port = 0;
  auto server = start_server(o.host, o.port, &*service, &port);
  if (!server) {
    spdlog::error("brasa-master: cannot listen on {}:{}", o.host, o.port);
    return 1;
  }
  spdlog::info("brasa-master listening on {}:{}{}", o.host, port, o.secret.empty() ? "" : " (secret required)");
  std::unique_ptr<ui::WebServer> status_page;
  if (o.webui_port >= 0) {
    try {
      status_page = std::make_unique<ui::WebServer>([&service](const std::string& path) { return service->page(path); },
                                                    o.host, o.webui_port, o.secret);
      spdlog::info("brasa-master web UI at {}", status_page->url());
    } catch (const std::exception& e) {
      spdlog::warn("brasa-master: no web UI: {}", e.what());
    }
  }
  if (on_ready) on_ready(port);
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    service->expire();
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return 0;
}

std::string master_status(const std::string& master, const std::string& secret) {
  auto stub = rpc::Master::NewStub(make_channel(master));
  auto ctx = client_context(resolve_secret(secret), std::chrono::seconds(5));
  rpc::Empty in;
  rpc::ClusterStatus st;
  grpc::Status s = stub->Status(ctx.get(), in, &st);
  if (!s.ok()) throw std::runtime_error("brasa-master " + master + ": " + s.error_message());
  std::string out = "workers:\n";
  char line[512];
  for (const auto& w : st.workers()) {
    std::snprintf(line, sizeof line, "  %-40s %-22s %s cores %d/%d memory %lld MiB\n", w.worker_id().c_str(),
                  w.address().c_str(), w.alive() ? "ALIVE" : "DEAD ", w.cores_used(), w.cores(),
                  static_cast<long long>(w.memory_bytes() >> 20));
    out += line;
  }
  out += "applications:\n";
  for (const auto& a : st.applications()) {
    std::snprintf(line, sizeof line, "  %-10s %-20s driver %-22s executors %d cores %d\n", a.app_id().c_str(),
                  a.name().c_str(), a.driver_address().c_str(), a.executors(), a.cores());
    out += line;
  }
  return out;
}

}  // namespace brasa::deploy
