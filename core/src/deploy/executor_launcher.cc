#include "executor_launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "brasa/conf.h"

extern char** environ;

namespace brasa::deploy {

pid_t spawn_process(const std::string& exe, const std::vector<std::string>& argv,
                    const std::vector<std::string>& extra_env, const std::string& log) {
  // This process's environment, with `extra_env` replacing what it names.
  auto name_of = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  std::vector<std::string> env;
  for (char** p = environ; *p; ++p) {
    const std::string kv = *p;
    bool replaced = false;
    for (const auto& e : extra_env) replaced |= name_of(e) == name_of(kv);
    if (!replaced) env.push_back(kv);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
  return pid;
}

std::string node_address() {
  // The host name's address first (what other nodes resolve); Debian maps
  // it to 127.0.1.1 in /etc/hosts, so then the first interface that is up
  // and not a loopback one.
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  char name[256] = {};
  const std::string host = ::gethostname(name, sizeof name - 1) == 0 ? name : "";
  auto text_of = [](const in_addr& a) {
    char text[INET_ADDRSTRLEN] = {};
    return ::inet_ntop(AF_INET, &a, text, sizeof text) ? std::string(text) : std::string();
  };
  if (!host.empty() && ::getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0) {
    std::string address;
    for (addrinfo* p = found; p && address.empty(); p = p->ai_next) {
      std::string text = text_of(reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr);
      if (!text.empty() && text.rfind("127.", 0) != 0) address = text;
    }
    ::freeaddrinfo(found);
    if (!address.empty()) return address;
  }
  ifaddrs* interfaces = nullptr;
  std::string address = "127.0.0.1";
  if (::getifaddrs(&interfaces) == 0) {
    for (ifaddrs* i = interfaces; i; i = i->ifa_next) {
      if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP) ||
          (i->ifa_flags & IFF_LOOPBACK))
        continue;
      address = text_of(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr);
      break;
    }
    ::freeifaddrs(interfaces);
  }
  return address;
}

namespace {

class LocalClusterLauncher final : public ExecutorLauncher {
 public:
  LocalClusterLauncher(const Conf& conf, int executors, int cores, std::string log_dir)
      : executors_(executors),
        cores_(cores),
        memory_(conf.get("brasa.executor.memory", "2g")),
        shuffle_memory_(conf.get("brasa.memory.shuffle", "1g")),
        log_dir_(std::move(log_dir)) {}

  std::string name() const override { return "local-cluster"; }
  int executors() const override { return executors_; }
  int cores() const override { return cores_; }
  std::string memory() const override { return memory_; }
  std::string shuffle_memory() const override { return shuffle_memory_; }
  std::string driver_host() const override { return "127.0.0.1"; }
  std::string executor_host() const override { return "127.0.0.1"; }

  pid_t launch(int id, const std::string& exe, std::vector<std::string> env) override {
    // The executor exits at once if this process is gone before it starts,
    // and dies with it after (PR_SET_PDEATHSIG).
    env.push_back("BRASA_EXECUTOR_PARENT=" + std::to_string(::getpid()));
    return spawn_process(exe, {"brasa-executor"}, env, log_path(id));
  }
  std::string log_path(int id) const override {
    return (std::filesystem::path(log_dir_) / ("executor-" + std::to_string(id) + ".log")).string();
  }
  int kill_signal() const override { return SIGKILL; }

  // As before the standalone master existed: a job whose executors are all
  // gone fails at once, which the recovery tests rely on.
  bool replaces_lost() const override { return false; }
  std::string why_not_replace(int) override { return "local-cluster does not replace lost executors"; }

  // A killed executor's local directory (brasa-PID-N, beside the driver's,
  // with its blocks and spill files) is left behind: remove it now rather
  // than at the next start.
  void cleanup_after(pid_t pid) override {
    const std::string prefix = "brasa-" + std::to_string(pid) + "-";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(log_dir_).parent_path(), ec))
      if (entry.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove_all(entry.path(), ec);
  }

 private:
  int executors_, cores_;
  std::string memory_, shuffle_memory_, log_dir_;
};

}  // namespace

std::unique_ptr<ExecutorLauncher> local_cluster_launcher(const Conf& conf, int executors, int cores,
                                                         std::string log_dir) {
  return std::make_unique<LocalClusterLauncher>(conf, executors, cores, std::move(log_dir));
}

}  // namespace brasa::deploy
