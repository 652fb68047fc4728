#include "slurm.h"

#include <signal.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "brasa/conf.h"
#include "executor_launcher.h"


namespace brasa::deploy {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A Slurm per-node list such as "16(x2),8" expanded: {16, 16, 8}. Empty
// if it is not one.
std::vector<long long> per_node(const std::string& s) {
  std::vector<long long> out;
  size_t at = 0;
  while (at < s.size()) {
    size_t used = 0;
    long long value = 0, times = 1;
    try {
      value = std::stoll(s.substr(at), &used);
    } catch (const std::exception&) {
      return {};
    }
    at += used;
    if (s.compare(at, 2, "(x") == 0) {
      size_t close = s.find(')', at);
      if (close == std::string::npos) return {};
      try {
        times = std::stoll(s.substr(at + 2, close - at - 2));
      } catch (const std::exception&) {
        return {};
      }
      at = close + 1;
    }
    out.insert(out.end(), static_cast<size_t>(std::clamp(times, 1LL, 100000LL)), value);
    if (at < s.size() && s[at] == ',') ++at;
  }
  return out;
}

long long number(const std::string& s) {
  auto v = per_node(s);
  return v.empty() ? 0 : v.front();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace

bool SlurmAllocation::inside() { return !env("SLURM_JOB_ID").empty(); }

SlurmAllocation SlurmAllocation::from_environment() {
  SlurmAllocation a;
  a.job_id = env("SLURM_JOB_ID");
  if (a.job_id.empty())
    throw std::runtime_error(
        "master slurm: this process is not inside a Slurm allocation (SLURM_JOB_ID is not set); start it with "
        "salloc (salloc -N 2 --ntasks-per-node=1 --cpus-per-task=8 PROGRAM --master slurm ...) or from an sbatch "
        "script (scripts/brasa-sbatch writes one)");
  // Nodes may differ (--ntasks without --ntasks-per-node): every executor
  // gets the smallest share any node can give, so that all steps fit.
  const std::vector<long long> tasks_on = per_node(env("SLURM_TASKS_PER_NODE"));
  const std::vector<long long> cpus_on = per_node(env("SLURM_JOB_CPUS_PER_NODE"));
  long long tasks = number(env("SLURM_NTASKS"));
  if (tasks <= 0) tasks = number(env("SLURM_NPROCS"));
  if (tasks <= 0)
    for (long long t : tasks_on) tasks += t;
  if (tasks <= 0) tasks = std::max(1LL, number(env("SLURM_JOB_NUM_NODES")));
  a.tasks = static_cast<int>(std::min(tasks, 100000LL));
  long long most_tasks = 1;  // on any node
  for (long long t : tasks_on) most_tasks = std::max(most_tasks, t);
  if (long long c = number(env("SLURM_CPUS_PER_TASK")); c > 0) {
    a.cpus_per_task = static_cast<int>(c);
  } else {  // no --cpus-per-task: each node's CPUs shared among its tasks
    long long share = 0;
    for (size_t i = 0; i < cpus_on.size(); ++i) {
      const long long t = i < tasks_on.size() ? std::max(1LL, tasks_on[i]) : most_tasks;
      const long long c = cpus_on[i] / t;
      share = share == 0 ? c : std::min(share, c);
    }
    a.cpus_per_task = static_cast<int>(std::max(1LL, share));
  }
  if (long long per_cpu = number(env("SLURM_MEM_PER_CPU")); per_cpu > 0)
    a.mem_per_task_mb = per_cpu * a.cpus_per_task;
  else if (long long per_node_mb = number(env("SLURM_MEM_PER_NODE")); per_node_mb > 0)
    a.mem_per_task_mb = per_node_mb / most_tasks;
  a.node_list = env("SLURM_JOB_NODELIST");
  a.submit_dir = env("SLURM_SUBMIT_DIR");
  return a;
}

bool SlurmAllocation::on_this_machine_only() const {
  if (node_list == "localhost") return true;
  std::string host = host_name();
  return !host.empty() && (node_list == host || node_list == host.substr(0, host.find('.')));
}

std::string SlurmAllocation::state() const {
  // -t all: squeue lists only pending and running jobs unless asked.
  std::string out;
  FILE* f = ::popen(("squeue -h -t all -j " + job_id + " -o %T 2>/dev/null").c_str(), "r");
  if (!f) return "";
  char buf[256];
  while (std::fgets(buf, sizeof buf, f)) out += buf;
  const int status = ::pclose(f);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  if (status != 0) return "";               // squeue failed: cannot tell
  return out.empty() ? "PURGED" : out;     // listed by no state: long gone
}

std::vector<std::string> SlurmAllocation::srun_command(int id, const std::string& exe, const std::string& log) const {
  std::vector<std::string> cmd{"srun",
                               "--export=ALL",  // the BRASA_* variables, whatever the job's --export said
                               "--ntasks=1",
                               "--nodes=1",
                               "--exact",  // only this step's CPUs, so the other executors' steps fit beside it
                               "--cpus-per-task=" + std::to_string(cpus_per_task),
                               "--job-name=brasa-executor-" + std::to_string(id),
                               "--output=" + log,
                               "--open-mode=append",
                               "--kill-on-bad-exit=1",
                               "--quiet"};
  if (mem_per_task_mb > 0) cmd.push_back("--mem=" + std::to_string(mem_per_task_mb) + "M");
  cmd.push_back(exe);
  return cmd;
}

namespace {

class SlurmLauncher final : public ExecutorLauncher {
 public:
  SlurmLauncher(const Conf& conf, SlurmAllocation allocation)
      : a_(std::move(allocation)),
        local_(a_.on_this_machine_only()),
        driver_host_(conf.get("brasa.driver.host", local_ ? "127.0.0.1" : node_address())),
        // Step output goes where Slurm puts a batch job's: the submit directory.
        log_dir_(conf.get("brasa.executor.log.dir",
                          a_.submit_dir.empty() ? std::filesystem::current_path().string() : a_.submit_dir)) {
    // Memory from the allocation, split as Spark's defaults roughly do:
    // half for storage, a quarter for execution (shuffles).
    memory_ = conf.get("brasa.executor.memory", a_.mem_per_task_mb > 0 ? std::to_string(a_.mem_per_task_mb / 2) + "m"
                                                                       : "2g");
    shuffle_memory_ = conf.get("brasa.memory.shuffle",
                               a_.mem_per_task_mb > 0 ? std::to_string(a_.mem_per_task_mb / 4) + "m" : "1g");
  }

  std::string name() const override { return "slurm job " + a_.job_id; }
  int executors() const override { return a_.tasks; }
  int cores() const override { return a_.cpus_per_task; }
  std::string memory() const override { return memory_; }
  std::string shuffle_memory() const override { return shuffle_memory_; }
  // Loopback when the allocation is this machine; otherwise the address the
  // other nodes reach (each executor finds its own node's).
  std::string driver_host() const override { return driver_host_; }
  std::string executor_host() const override { return local_ ? "127.0.0.1" : "@node"; }

  // The secret is in `env`, which srun exports to the step: never on its
  // command line. A step's parent is slurmstepd, not this process: the
  // executor exits when the driver stops answering heartbeats.
  pid_t launch(int id, const std::string& exe, std::vector<std::string> env) override {
    return spawn_process("srun", a_.srun_command(id, exe, log_path(id)), env, log_path(id));
  }
  std::string log_path(int id) const override {
    return (std::filesystem::path(log_dir_) / ("brasa-" + a_.job_id + "-executor-" + std::to_string(id) + ".out"))
        .string();
  }
  // srun passes SIGTERM on to its step; killed, it would leave the step running.
  int kill_signal() const override { return SIGTERM; }

  // As many lost executors as Spark on YARN allows
  // (spark.yarn.max.executor.failures: twice the executors, at least 3), and
  // none once the allocation has ended (scancel, time limit, node failure).
  bool replaces_lost() const override { return true; }
  std::string why_not_replace(int lost) override {
    // The allocation first: when it ends, its steps die and their
    // replacements fail, which would otherwise read as too many losses.
    const std::string state = a_.state();
    if (!state.empty() && state != "RUNNING")
      return "the Slurm job " + a_.job_id + " has ended (" + state +
             ": cancelled, out of time or failed), and its executors with it";
    if (lost >= std::max(3, 2 * a_.tasks))
      return std::to_string(lost) + " executors were lost, the most a Slurm driver replaces (twice the executors, "
             "at least 3)";
    return "";
  }
  // The pid is srun's, on this node; the executor ran on another (where
  // the next Brasa process there removes its directory, or Slurm's job
  // cleanup does).
  void cleanup_after(pid_t) override {}

 private:
  SlurmAllocation a_;
  bool local_;
  std::string driver_host_, log_dir_, memory_, shuffle_memory_;
};

}  // namespace

std::unique_ptr<ExecutorLauncher> slurm_launcher(const Conf& conf) {
  return std::make_unique<SlurmLauncher>(conf, SlurmAllocation::from_environment());
}

}  // namespace brasa::deploy
