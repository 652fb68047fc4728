// The standalone cluster: brasa-master and brasa-worker started as real
// processes, a driver submitting with brasa://, its binary shipped to the
// worker, executors launched (and relaunched) by the master.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <fstream>
#include <sstream>
#include <regex>
#include <thread>

#include <httplib.h>

#include "brasa/brasa.h"
#include "brasa/deploy/cluster_backend.h"
#include "brasa/deploy/standalone.h"
#include "deploy/rpc_common.h"
#include "test_util.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using brasa_test::make_context;

// The cluster's shared secret, given to daemons the recommended way (the
// environment) and to drivers in their Conf.
constexpr const char* kSecret = "standalone-test-secret";

enum class Secret { kGiven, kNone };

// A child process (a program of apps/, or an absolute path), killed and
// reaped when the test ends. Its environment is this process's, with
// BRASA_AUTH_SECRET = kSecret or without any secret.
class Daemon {
 public:
  Daemon(const std::string& program, std::vector<std::string> args, const std::string& log,
         Secret secret = Secret::kGiven)
      : log_(log) {
    std::string exe = program[0] == '/' ? program : std::string(BRASA_APPS_DIR) + "/" + program;
    args.insert(args.begin(), exe);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
      if (std::string_view(*e).rfind("BRASA_AUTH_SECRET", 0) != 0) env_strings.emplace_back(*e);
    if (secret == Secret::kGiven) env_strings.push_back(std::string("BRASA_AUTH_SECRET=") + kSecret);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    EXPECT_EQ(posix_spawn(&pid_, exe.c_str(), &actions, nullptr, argv.data(), envp.data()), 0) << exe;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Daemon() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 300 && ::waitpid(pid_, nullptr, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  // Waits for the process to end; returns its wait status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Waits until the output contains `text`.
  bool wait_for(const std::string& text, std::chrono::seconds timeout = std::chrono::seconds(20)) const {
    auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (output().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
  std::string log_;
};

// A driver on the standalone master at `address`, with the cluster's secret.
std::unique_ptr<brasa::Context> cluster_context(const std::string& address,
                                                std::map<std::string, std::string> extra = {}) {
  extra["brasa.auth.secret"] = kSecret;
  return make_context("brasa://" + address, extra);
}

// Child processes of `pid` (all of its threads').
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "children");
    pid_t child;
    while (in >> child) out.push_back(child);
  }
  return out;
}

class Standalone : public ::testing::Test {
 protected:
  void SetUp() override {
    if (brasa_test::on_cluster()) GTEST_SKIP() << "starts its own cluster";
    dir_ = fs::temp_directory_path() / ("brasa-standalone-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    master_ = std::make_unique<Daemon>(
        "brasa-master", std::vector<std::string>{"--host", "127.0.0.1", "--port", "0", "--webui-port", "0"},
        (dir_ / "master.log").string());
    ASSERT_TRUE(master_->wait_for("listening on port ")) << master_->output();
    std::string out = master_->output();
    auto at = out.find("listening on port ") + 18;
    master_address_ = "127.0.0.1:" + std::to_string(std::stoi(out.substr(at)));
    worker_ = std::make_unique<Daemon>(
        "brasa-worker",
        std::vector<std::string>{"--master", master_address_, "--cores", "2", "--memory", "1g", "--work-dir",
                                 (dir_ / "work").string()},
        (dir_ / "worker.log").string());
    ASSERT_TRUE(worker_->wait_for("registered with master")) << worker_->output();
  }
  void TearDown() override {
    worker_.reset();
    master_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<Daemon> master_, worker_;
  std::string master_address_;
};

auto word_pairs(brasa::Context& ctx) {
  return ctx.range(0, 30000, 1, 6)
      .map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 101, x}; })
      .reduce_by_key([](int64_t a, int64_t b) { return a + b; }, 3)
      .collect();
}

TEST_F(Standalone, SubmittedJobRunsOnTheWorkersAndMatchesLocal) {
  auto local = make_context("local[2]");
  auto cluster = cluster_context(master_address_);
  ASSERT_NE(cluster->runtime().cluster(), nullptr);
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 2) << "2 cores, 1 core per executor";
  EXPECT_EQ(cluster->default_parallelism(), 2);
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local));
  auto status = brasa::deploy::master_status(master_address_, kSecret);
  EXPECT_TRUE(std::regex_search(status, std::regex("app-20[0-9]{12}-0000 "))) << "Spark's form of id: " << status;
  EXPECT_NE(status.find("cores 2/2"), std::string::npos) << status;
  int binaries = 0;
  for ([[maybe_unused]] auto& f : fs::directory_iterator(dir_ / "work" / "bin")) ++binaries;
  EXPECT_EQ(binaries, 1) << "the driver ships its binary once";
}

TEST_F(Standalone, MasterReplacesAKilledExecutor) {
  auto cluster = cluster_context(master_address_);
  auto executors = children_of(worker_->pid());
  ASSERT_EQ(executors.size(), 2u);
  ::kill(executors[0], SIGKILL);
  auto local = make_context("local[2]");
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local)) << "the job survives the loss";
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (cluster->runtime().cluster()->live_executors() < 2 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 2) << "the master launches a replacement";
  EXPECT_TRUE(worker_->wait_for("launched executor 2")) << worker_->output();
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local));
}

// Waits until the worker has no executor processes left.
bool no_executors_left(pid_t worker, std::chrono::seconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (children_of(worker).empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_F(Standalone, ExecutorsExitWithTheirDriver) {
  {
    auto cluster = cluster_context(master_address_);
    EXPECT_EQ(children_of(worker_->pid()).size(), 2u);
  }
  EXPECT_TRUE(no_executors_left(worker_->pid(), std::chrono::seconds(10))) << "after a clean exit";
}

// The master's status page: workers and applications, as HTML and JSON,
// behind the cluster's secret.
TEST_F(Standalone, MasterStatusPageListsWorkersAndApplications) {
  ASSERT_TRUE(master_->wait_for("web UI at http://127.0.0.1:")) << master_->output();
  const std::string out = master_->output();
  const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(out.substr(out.find("web UI at http://127.0.0.1:") + 27)));
  auto cluster = cluster_context(master_address_, {{"brasa.app.name", "status<page>"}});
  httplib::Client client(url);
  auto anonymous = client.Get("/json");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  client.set_basic_auth("admin", kSecret);
  auto json = client.Get("/json");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);
  EXPECT_NE(json->body.find("\"state\":\"ALIVE\""), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("\"name\":\"status<page>\""), std::string::npos) << json->body;
  EXPECT_NE(json->body.find("\"executors\":[{\"id\":0"), std::string::npos) << json->body;
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("status&lt;page&gt;"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find("<td>2/2</td>"), std::string::npos) << "the worker's 2 cores in use: " << page->body;
  cluster.reset();
  json = client.Get("/json");
  ASSERT_TRUE(json);
  EXPECT_NE(json->body.find("\"completedApps\":[{"), std::string::npos) << json->body;
}

// The master dies: the worker says so at once, running jobs go on, and the
// worker registers again with a master restarted on the same port.
TEST_F(Standalone, ALostMasterIsReportedAndJobsGoOn) {
  auto cluster = cluster_context(master_address_, {{"brasa.network.timeout.ms", "2000"}});
  master_.reset();
  auto local = make_context("local[2]");
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local));
  EXPECT_TRUE(worker_->wait_for("is unreachable")) << worker_->output();
  const std::string port = master_address_.substr(master_address_.rfind(':') + 1);
  master_ = std::make_unique<Daemon>("brasa-master", std::vector<std::string>{"--port", port},
                                     (dir_ / "master2.log").string());
  ASSERT_TRUE(master_->wait_for("listening on port ")) << master_->output();
  EXPECT_TRUE(worker_->wait_for("is reachable again")) << worker_->output();
  EXPECT_TRUE(master_->wait_for(" registered from ")) << master_->output();
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local)) << "the executors it had";
  // The new master does not know the application: when its executors die,
  // the error says why nothing replaces them.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a driver heartbeat reaches it
  for (pid_t pid : children_of(worker_->pid())) ::kill(pid, SIGKILL);
  try {
    word_pairs(*cluster);
    ADD_FAILURE() << "a job without executors ran";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no longer knows this application"), std::string::npos) << e.what();
  }
}

// The application ids in a master's status, in order. A master just
// restarted may first be reached on the dead one's connection: tried again.
std::vector<std::string> app_ids(const std::string& master) {
  std::string status;
  for (int attempt = 0;; ++attempt) {
    try {
      status = brasa::deploy::master_status(master, kSecret);
      break;
    } catch (const std::runtime_error&) {
      if (attempt == 50) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::vector<std::string> ids;
  const std::regex id("app-[0-9]{14}-[0-9]{4}");
  for (std::sregex_iterator it(status.begin(), status.end(), id), end; it != end; ++it) ids.push_back(it->str());
  return ids;
}

// With --recovery-dir, a master killed and started again knows the worker
// and the running application: the driver's heartbeats are answered, its
// killed executors are replaced, and the next application gets a new id.
TEST_F(Standalone, AMasterRestartedWithItsRecoveryDirectoryTakesUpItsApplications) {
  const std::string port = master_address_.substr(master_address_.rfind(':') + 1);
  const std::string recovery = (dir_ / "recovery").string();
  auto start_master = [&](const std::string& log) {
    master_ = std::make_unique<Daemon>(
        "brasa-master", std::vector<std::string>{"--port", port, "--webui-port", "-1", "--recovery-dir", recovery},
        (dir_ / log).string());
    ASSERT_TRUE(master_->wait_for("listening on port ")) << master_->output();
  };
  master_.reset();
  start_master("master2.log");
  ASSERT_TRUE(master_->wait_for(" registered from ")) << "the worker registers again: " << worker_->output();
  auto cluster = cluster_context(master_address_);
  auto local = make_context("local[2]");
  const auto expected = word_pairs(*local);
  EXPECT_EQ(word_pairs(*cluster), expected);
  const auto first = app_ids(master_address_);
  ASSERT_EQ(first.size(), 1u);

  ::kill(master_->pid(), SIGKILL);
  master_->wait();
  start_master("master3.log");
  EXPECT_TRUE(master_->wait_for("recovered 1 workers and 1 applications")) << master_->output();
  EXPECT_EQ(app_ids(master_address_), first);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // driver and worker heartbeats reach it
  for (pid_t pid : children_of(worker_->pid())) ::kill(pid, SIGKILL);
  EXPECT_EQ(word_pairs(*cluster), expected) << "on executors the restarted master launched";
  EXPECT_TRUE(master_->wait_for("launching a replacement")) << master_->output();
  EXPECT_EQ(master_->output().find("registered from"), std::string::npos) << "the worker was known";

  cluster.reset();  // unregisters, freeing the worker's cores
  auto second = cluster_context(master_address_);
  const auto now = app_ids(master_address_);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], first[0]);
  EXPECT_EQ(now[0].substr(now[0].size() - 4), "0001") << "the next number, not a reused one";
}

// Run by the next test in a child process: a driver that runs a job, is
// stopped (SIGSTOP) by its parent for longer than the master's timeout, and
// then runs another.
TEST(StandaloneDriver, DISABLED_IsStoppedBetweenTwoJobs) {
  auto cluster = cluster_context(std::getenv("BRASA_TEST_STALL_MASTER"), {{"brasa.network.timeout.ms", "2000"}});
  EXPECT_EQ(cluster->range(0, 100, 1, 4).count(), 100);
  std::puts("first job done");
  std::fflush(stdout);
  const fs::path go = std::getenv("BRASA_TEST_STALL_GO");
  while (!fs::exists(go)) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  try {
    cluster->range(0, 100, 1, 4).count();
    ADD_FAILURE() << "the master removed this application, and its executors";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("removed it after this driver sent no heartbeat"), std::string::npos)
        << e.what();
  }
}

// A driver stalled past the master's timeout is told why its executors are
// gone: the master removed the application after missed heartbeats.
TEST_F(Standalone, AStalledDriverIsToldTheMasterRemovedItsApplication) {
  const std::string port = master_address_.substr(master_address_.rfind(':') + 1);
  master_.reset();
  master_ = std::make_unique<Daemon>("brasa-master",
                                     std::vector<std::string>{"--port", port, "--webui-port", "-1", "--worker-timeout", "3"},
                                     (dir_ / "master2.log").string());
  ASSERT_TRUE(master_->wait_for("listening on port ")) << master_->output();
  ASSERT_TRUE(master_->wait_for(" registered from ")) << "the worker registers again: " << worker_->output();
  const fs::path go = dir_ / "go";
  ::setenv("BRASA_TEST_STALL_MASTER", master_address_.c_str(), 1);
  ::setenv("BRASA_TEST_STALL_GO", go.c_str(), 1);
  Daemon driver(fs::read_symlink("/proc/self/exe").string(),
                {"--gtest_also_run_disabled_tests", "--gtest_filter=StandaloneDriver.DISABLED_IsStoppedBetweenTwoJobs"},
                (dir_ / "driver.log").string());
  ::unsetenv("BRASA_TEST_STALL_MASTER");
  ::unsetenv("BRASA_TEST_STALL_GO");
  ASSERT_TRUE(driver.wait_for("first job done")) << driver.output();
  ::kill(driver.pid(), SIGSTOP);
  EXPECT_TRUE(master_->wait_for("driver stopped sending heartbeats")) << master_->output();
  std::ofstream(go) << "go";
  ::kill(driver.pid(), SIGCONT);
  const int status = driver.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << driver.output();
}

// Run by the next test in a child process: a driver that dies without a word.
// A worker that died moments ago is still listed as alive by the master: the
// driver skips it, tells the master, and runs on the others.
TEST_F(Standalone, AWorkerThatJustDiedIsSkipped) {
  auto stub = brasa::rpc::Master::NewStub(grpc::CreateChannel(master_address_, grpc::InsecureChannelCredentials()));
  brasa::rpc::RegisterWorkerRequest ghost;
  ghost.set_protocol_version(brasa::deploy::kProtocolVersion);
  ghost.set_worker_id("ghost");
  ghost.set_address("127.0.0.1:1");  // nothing listens there
  ghost.set_cores(8);
  ghost.set_memory_bytes(int64_t{8} << 30);
  brasa::rpc::Empty empty;
  {
    grpc::ClientContext anonymous;  // a fake worker without the secret is refused
    anonymous.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    EXPECT_EQ(stub->RegisterWorker(&anonymous, ghost, &empty).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  ctx.AddMetadata(brasa::deploy::kSecretHeader, kSecret);
  ASSERT_TRUE(stub->RegisterWorker(&ctx, ghost, &empty).ok());

  auto cluster = cluster_context(master_address_);
  EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 2) << "the real worker's 2 cores";
  auto local = make_context("local[2]");
  EXPECT_EQ(word_pairs(*cluster), word_pairs(*local));
  auto status = brasa::deploy::master_status(master_address_, kSecret);
  EXPECT_NE(status.find("ghost"), std::string::npos) << status;
  EXPECT_NE(master_->output().find("lost worker ghost"), std::string::npos) << master_->output();
}

TEST(StandaloneDriver, DISABLED_CrashesAfterAJob) {
  auto cluster = cluster_context(std::getenv("BRASA_TEST_CRASH_MASTER"));
  EXPECT_EQ(cluster->range(0, 100, 1, 4).count(), 100);
  ::raise(SIGKILL);
}

TEST_F(Standalone, ExecutorsExitWhenTheirDriverCrashes) {
  std::string self = fs::read_symlink("/proc/self/exe").string();
  ::setenv("BRASA_TEST_CRASH_MASTER", master_address_.c_str(), 1);
  {
    Daemon driver(self,
                  {"--gtest_also_run_disabled_tests", "--gtest_filter=StandaloneDriver.DISABLED_CrashesAfterAJob"},
                  (dir_ / "driver.log").string());
    int status = driver.wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << driver.output();
  }
  ::unsetenv("BRASA_TEST_CRASH_MASTER");
  EXPECT_TRUE(worker_->wait_for("launched executor 1")) << "the crashed driver had executors";
  EXPECT_TRUE(no_executors_left(worker_->pid(), std::chrono::seconds(20))) << "executors outlived their driver";
}

TEST_F(Standalone, UnknownMasterIsAClearError) {
  try {
    make_context("brasa://127.0.0.1:1");
    FAIL() << "no master listens on port 1";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot register with master 127.0.0.1:1"), std::string::npos) << e.what();
  }
}

// A worker whose LaunchExecutor does not answer until the test lets it.
class StuckWorker final : public brasa::rpc::Worker::Service {
 public:
  grpc::Status LaunchExecutor(grpc::ServerContext*, const brasa::rpc::LaunchExecutorRequest*,
                              brasa::rpc::Empty*) override {
    std::unique_lock lock(mu_);
    ++launches_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    return grpc::Status::OK;
  }
  bool wait_for_launch() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return launches_ > 0; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int launches_ = 0;
  bool released_ = false;
};

TEST(StandaloneMaster, AnswersWhileAWorkerIsSlowToLaunchAnExecutor) {
  if (brasa_test::on_cluster()) GTEST_SKIP() << "starts its own master";
  auto dir = fs::temp_directory_path() / ("brasa-master-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // It speaks the protocol itself, without the secret.
  Daemon master("brasa-master", {"--host", "127.0.0.1", "--port", "0", "--insecure"}, (dir / "master.log").string(),
                Secret::kNone);
  ASSERT_TRUE(master.wait_for("listening on port ")) << master.output();
  std::string out = master.output();
  std::string address = "127.0.0.1:" + std::to_string(std::stoi(out.substr(out.find("listening on port ") + 18)));
  auto stub = brasa::rpc::Master::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto call = [](auto method, const auto& request, auto* reply) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    return method(&ctx, request, reply);
  };

  StuckWorker stuck;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&stuck);
  auto server = builder.BuildAndStart();
  ASSERT_GT(port, 0);
  brasa::rpc::RegisterWorkerRequest worker;
  worker.set_protocol_version(brasa::deploy::kProtocolVersion);
  worker.set_worker_id("stuck");
  worker.set_address("127.0.0.1:" + std::to_string(port));
  worker.set_cores(2);
  worker.set_memory_bytes(int64_t{1} << 30);
  brasa::rpc::Empty empty;
  ASSERT_TRUE(call([&](auto... a) { return stub->RegisterWorker(a...); }, worker, &empty).ok());
  brasa::rpc::RegisterApplicationRequest app;
  app.set_protocol_version(brasa::deploy::kProtocolVersion);
  app.set_name("test");
  app.set_driver_address("127.0.0.1:1");
  brasa::rpc::RegisterApplicationReply registered;
  ASSERT_TRUE(call([&](auto... a) { return stub->RegisterApplication(a...); }, app, &registered).ok());

  // The master asks the stuck worker for an executor and waits for it ...
  auto request = std::async(std::launch::async, [&] {
    brasa::rpc::RequestExecutorsRequest req;
    req.set_app_id(registered.app_id());
    brasa::rpc::RequestExecutorsReply reply;
    grpc::ClientContext ctx;
    return stub->RequestExecutors(&ctx, req, &reply);
  });
  ASSERT_TRUE(stuck.wait_for_launch());
  // ... and meanwhile still answers everyone else.
  brasa::rpc::ClusterStatus status;
  grpc::Status s = call([&](auto... a) { return stub->Status(a...); }, empty, &status);
  EXPECT_TRUE(s.ok()) << "the master blocked on a worker's call: " << s.error_message();
  brasa::rpc::WorkerHeartbeatRequest heartbeat;
  heartbeat.set_worker_id("stuck");
  brasa::rpc::WorkerHeartbeatReply known;
  EXPECT_TRUE(call([&](auto... a) { return stub->WorkerHeartbeat(a...); }, heartbeat, &known).ok());
  stuck.release();
  EXPECT_TRUE(request.get().ok());
  server->Shutdown();
  fs::remove_all(dir);
}

}  // namespace

namespace {

// Runs a shell command; true if it exits 0.
bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// Two "hosts": network namespaces joined by a bridge in this namespace, which
// plays the third host (master and driver). Torn down when destroyed.
class TwoHosts {
 public:
  TwoHosts() : tag_(std::to_string(::getpid() % 100000)) {
    std::string br = "bbr" + tag_;
    ok_ = sh("ip link add " + br + " type bridge") && sh("ip addr add 10.77.0.1/24 dev " + br) &&
          sh("ip link set " + br + " up");
    for (int i = 1; ok_ && i <= 2; ++i) {
      std::string ns = this->ns(i), v = "bv" + std::to_string(i) + "-" + tag_, p = "bp" + std::to_string(i) + "-" + tag_;
      ok_ = sh("ip netns add " + ns) && sh("ip link add " + v + " type veth peer name " + p) &&
            sh("ip link set " + p + " netns " + ns) && sh("ip link set " + v + " master " + br) &&
            sh("ip link set " + v + " up") && sh("ip netns exec " + ns + " ip link set lo up") &&
            sh("ip netns exec " + ns + " ip addr add " + address(i) + "/24 dev " + p) &&
            sh("ip netns exec " + ns + " ip link set " + p + " up");
    }
  }
  ~TwoHosts() {
    for (int i = 1; i <= 2; ++i) {
      sh("ip netns del " + ns(i));
      sh("ip link del bv" + std::to_string(i) + "-" + tag_);
    }
    sh("ip link del bbr" + tag_);
  }
  bool ok() const { return ok_; }
  std::string ns(int i) const { return "brasa-h" + std::to_string(i) + "-" + tag_; }
  static std::string address(int i) { return "10.77.0." + std::to_string(i + 1); }

 private:
  std::string tag_;
  bool ok_ = false;
};

TEST(StandaloneNetwork, ShuffleCrossesANetworkInterfaceBetweenTwoHosts) {
  if (brasa_test::on_cluster()) GTEST_SKIP() << "starts its own cluster";
  if (::geteuid() != 0 || !sh("command -v ip")) GTEST_SKIP() << "needs root and iproute2 to create network namespaces";
  TwoHosts hosts;
  if (!hosts.ok()) GTEST_SKIP() << "cannot create network namespaces, veth pairs or a bridge here";
  fs::path dir = fs::temp_directory_path() / ("brasa-netns-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    Daemon master("brasa-master", {"--host", "10.77.0.1", "--port", "0"}, (dir / "master.log").string());
    ASSERT_TRUE(master.wait_for("listening on port ")) << master.output();
    std::string out = master.output();
    std::string master_address = "10.77.0.1:" + std::to_string(std::stoi(out.substr(out.find("listening on port ") + 18)));
    std::vector<std::unique_ptr<Daemon>> workers;
    for (int i = 1; i <= 2; ++i) {
      // `ip netns exec` runs the worker (by exec) inside host i's namespace.
      workers.push_back(std::make_unique<Daemon>(
          "/usr/bin/env",
          std::vector<std::string>{"ip", "netns", "exec", hosts.ns(i), std::string(BRASA_APPS_DIR) + "/brasa-worker",
                                   "--master", master_address, "--host", TwoHosts::address(i), "--cores", "1",
                                   "--work-dir", (dir / ("work" + std::to_string(i))).string()},
          (dir / ("worker" + std::to_string(i) + ".log")).string()));
      ASSERT_TRUE(workers.back()->wait_for("registered with master")) << workers.back()->output();
    }
    auto cluster = cluster_context(master_address, {{"brasa.driver.host", "10.77.0.1"}});
    EXPECT_EQ(cluster->runtime().cluster()->live_executors(), 2);
    auto local = make_context("local[2]");
    EXPECT_EQ(word_pairs(*cluster), word_pairs(*local));
    auto status = brasa::deploy::master_status(master_address, kSecret);
    EXPECT_NE(status.find("10.77.0.2:"), std::string::npos) << status;
    EXPECT_NE(status.find("10.77.0.3:"), std::string::npos) << status;
    for (int i = 1; i <= 2; ++i)
      EXPECT_TRUE(workers[static_cast<size_t>(i - 1)]->wait_for("launched executor")) << "one executor on each host";
  }
  fs::remove_all(dir);
}

// Safe by default: no daemon starts without a secret unless told to, and
// the master listens on 127.0.0.1 unless told otherwise.
TEST(StandaloneSecurity, DaemonsRefuseToStartWithoutASecret) {
  if (brasa_test::on_cluster()) GTEST_SKIP() << "starts its own daemons";
  auto dir = fs::temp_directory_path() / ("brasa-security-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    Daemon master("brasa-master", {"--port", "0"}, (dir / "refused.log").string(), Secret::kNone);
    const int status = master.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << master.output();
    EXPECT_NE(master.output().find("BRASA_AUTH_SECRET_FILE"), std::string::npos) << master.output();
    EXPECT_NE(master.output().find("--insecure"), std::string::npos) << master.output();
  }
  {
    Daemon worker("brasa-worker", {"--master", "127.0.0.1:1", "--port", "0"}, (dir / "worker.log").string(),
                  Secret::kNone);
    const int status = worker.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << worker.output();
  }
  {
    Daemon master("brasa-master", {"--port", "0", "--insecure"}, (dir / "insecure.log").string(), Secret::kNone);
    ASSERT_TRUE(master.wait_for("listening on port ")) << master.output();
    EXPECT_NE(master.output().find("no shared secret"), std::string::npos) << master.output();
    EXPECT_NE(master.output().find("listening on 127.0.0.1:"), std::string::npos) << master.output();
  }
  {
    Daemon master("brasa-master", {"--port", "0", "--auth-secret", "on-the-command-line"},
                  (dir / "flag.log").string(), Secret::kNone);
    ASSERT_TRUE(master.wait_for("listening on port ")) << master.output();
    EXPECT_NE(master.output().find("visible to every user"), std::string::npos) << master.output();
    EXPECT_NE(master.output().find("(secret required)"), std::string::npos) << master.output();
  }
  fs::remove_all(dir);
}

// The worker logs who shipped a binary, keeps the most recently used
// --max-binaries of them, and removes application directories older than
// --app-retention-hours.
TEST(StandaloneWorker, KeepsFewBinariesAndDropsOldApplicationDirectories) {
  if (brasa_test::on_cluster()) GTEST_SKIP() << "starts its own daemons";
  auto dir = fs::temp_directory_path() / ("brasa-worker-cleanup-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const fs::path work = dir / "work";
  fs::create_directories(work / "app-old");
  fs::create_directories(work / "app-new");
  std::ofstream(work / "app-old" / "executor-0.log") << "old\n";
  fs::last_write_time(work / "app-old", fs::file_time_type::clock::now() - std::chrono::hours(48));
  {
    Daemon master("brasa-master", {"--port", "0"}, (dir / "master.log").string());
    ASSERT_TRUE(master.wait_for("listening on port ")) << master.output();
    const std::string out = master.output();
    const std::string address = "127.0.0.1:" + std::to_string(std::stoi(out.substr(out.find("listening on port ") + 18)));
    Daemon worker("brasa-worker",
                  {"--master", address, "--port", "0", "--work-dir", work.string(), "--max-binaries", "2",
                   "--app-retention-hours", "24"},
                  (dir / "worker.log").string());
    ASSERT_TRUE(worker.wait_for("registered with master")) << worker.output();
    for (int i = 0; i < 500 && fs::exists(work / "app-old"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_FALSE(fs::exists(work / "app-old")) << worker.output();
    EXPECT_TRUE(fs::exists(work / "app-new"));

    const std::string log = worker.output();
    const size_t at = log.find(" at 127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << log;
    const std::string worker_address = "127.0.0.1:" + std::to_string(std::stoi(log.substr(at + 14)));
    auto stub = brasa::rpc::Worker::NewStub(grpc::CreateChannel(worker_address, grpc::InsecureChannelCredentials()));
    std::vector<std::string> hashes;
    for (int i = 0; i < 4; ++i) {
      const fs::path file = dir / ("binary-" + std::to_string(i));
      const std::string content = "#!/bin/sh\necho binary " + std::to_string(i) + "\n";
      std::ofstream(file) << content;
      hashes.push_back(brasa::deploy::hash_file(file.string()));
      grpc::ClientContext ctx;
      ctx.AddMetadata(brasa::deploy::kSecretHeader, kSecret);
      brasa::rpc::Empty empty;
      auto writer = stub->UploadBinary(&ctx, &empty);
      brasa::rpc::BinaryChunk chunk;
      chunk.set_binary_hash(hashes.back());
      chunk.set_data(content);
      ASSERT_TRUE(writer->Write(chunk));
      writer->WritesDone();
      ASSERT_TRUE(writer->Finish().ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // distinct times of use
    }
    std::vector<std::string> kept;
    for (const auto& entry : fs::directory_iterator(work / "bin")) kept.push_back(entry.path().filename().string());
    EXPECT_EQ(brasa_test::sorted(kept), brasa_test::sorted(std::vector<std::string>{hashes[2], hashes[3]}));
    EXPECT_TRUE(worker.wait_for("received application binary " + hashes[3] + " from ipv4:127.0.0.1:"))
        << worker.output();
  }
  fs::remove_all(dir);
}

}  // namespace
