// What a driver reads from a Slurm allocation's environment, and the srun
// command it starts executors with (the runs on a real Slurm cluster are in
// tests/slurm).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "brasa/conf.h"
#include "deploy/executor_launcher.h"
#include "deploy/slurm.h"

namespace {

// Sets Slurm's variables for one test (and clears the others), restoring
// them after.
class SlurmEnvironment {
 public:
  explicit SlurmEnvironment(const std::map<std::string, std::string>& vars) {
    for (const char* name : kNames) {
      if (const char* v = std::getenv(name)) saved_[name] = v;
      ::unsetenv(name);
    }
    for (auto& [k, v] : vars) ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~SlurmEnvironment() {
    for (const char* name : kNames) ::unsetenv(name);
    for (auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
  }

 private:
  static constexpr const char* kNames[] = {"SLURM_JOB_ID",          "SLURM_NTASKS",       "SLURM_NPROCS",
                                           "SLURM_JOB_NUM_NODES",   "SLURM_CPUS_PER_TASK", "SLURM_TASKS_PER_NODE",
                                           "SLURM_JOB_CPUS_PER_NODE", "SLURM_MEM_PER_CPU", "SLURM_MEM_PER_NODE",
                                           "SLURM_JOB_NODELIST",    "SLURM_SUBMIT_DIR"};
  std::map<std::string, std::string> saved_;
};

using brasa::deploy::SlurmAllocation;

}  // namespace

TEST(SlurmAllocation, OutsideAnAllocationSaysToUseSallocOrSbatch) {
  SlurmEnvironment env({});
  EXPECT_FALSE(SlurmAllocation::inside());
  try {
    SlurmAllocation::from_environment();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("salloc"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sbatch"), std::string::npos) << e.what();
  }
  EXPECT_EQ(brasa::Conf().master("slurm").local_threads(), 1);
}

TEST(SlurmAllocation, CpusAndMemoryPerTask) {
  SlurmEnvironment env({{"SLURM_JOB_ID", "42"},
                        {"SLURM_NTASKS", "4"},
                        {"SLURM_CPUS_PER_TASK", "8"},
                        {"SLURM_MEM_PER_CPU", "1000"},
                        {"SLURM_JOB_NODELIST", "node[01-04]"}});
  auto a = SlurmAllocation::from_environment();
  EXPECT_EQ(a.job_id, "42");
  EXPECT_EQ(a.tasks, 4);
  EXPECT_EQ(a.cpus_per_task, 8);
  EXPECT_EQ(a.mem_per_task_mb, 8000);
  EXPECT_FALSE(a.on_this_machine_only());
  EXPECT_EQ(brasa::Conf().master("slurm").local_threads(), 32);
}

TEST(SlurmAllocation, WithoutCpusPerTaskTheNodesCpusAreShared) {
  SlurmEnvironment env({{"SLURM_JOB_ID", "7"},
                        {"SLURM_NTASKS", "4"},
                        {"SLURM_TASKS_PER_NODE", "2(x2)"},
                        {"SLURM_JOB_CPUS_PER_NODE", "16(x2)"},
                        {"SLURM_MEM_PER_NODE", "64000"},
                        {"SLURM_JOB_NODELIST", "localhost"}});
  auto a = SlurmAllocation::from_environment();
  EXPECT_EQ(a.tasks, 4);
  EXPECT_EQ(a.cpus_per_task, 8);
  EXPECT_EQ(a.mem_per_task_mb, 32000);
  EXPECT_TRUE(a.on_this_machine_only());
}

TEST(SlurmAllocation, NodesThatDifferGiveEveryExecutorTheSmallestShare) {
  SlurmEnvironment env({{"SLURM_JOB_ID", "9"},
                        {"SLURM_TASKS_PER_NODE", "2(x3),1"},
                        {"SLURM_JOB_CPUS_PER_NODE", "8(x3),2"},
                        {"SLURM_MEM_PER_NODE", "16000"}});
  auto a = SlurmAllocation::from_environment();
  EXPECT_EQ(a.tasks, 7);  // no SLURM_NTASKS: the tasks of every node
  EXPECT_EQ(a.cpus_per_task, 2);  // the last node has 2 CPUs for its one task
  EXPECT_EQ(a.mem_per_task_mb, 8000);  // a node of two tasks
}

TEST(SlurmAllocation, SrunCommandStartsOneTaskStepWithoutTheSecret) {
  SlurmEnvironment env({{"SLURM_JOB_ID", "42"}, {"SLURM_NTASKS", "2"}, {"SLURM_CPUS_PER_TASK", "3"},
                        {"SLURM_MEM_PER_CPU", "500"}});
  auto cmd = SlurmAllocation::from_environment().srun_command(5, "/opt/app", "/logs/brasa-42-executor-5.out");
  ASSERT_GE(cmd.size(), 3u);
  EXPECT_EQ(cmd.front(), "srun");
  EXPECT_EQ(cmd.back(), "/opt/app");
  auto has = [&](const std::string& arg) { return std::find(cmd.begin(), cmd.end(), arg) != cmd.end(); };
  EXPECT_TRUE(has("--ntasks=1"));
  EXPECT_TRUE(has("--nodes=1"));
  EXPECT_TRUE(has("--cpus-per-task=3"));
  EXPECT_TRUE(has("--mem=1500M"));
  EXPECT_TRUE(has("--job-name=brasa-executor-5"));
  EXPECT_TRUE(has("--export=ALL"));  // the executor's settings, whatever the job's --export
  EXPECT_TRUE(has("--output=/logs/brasa-42-executor-5.out"));
  for (auto& arg : cmd) EXPECT_EQ(arg.find("SECRET"), std::string::npos) << arg;
}

TEST(SlurmAllocation, LauncherSizesExecutorsFromTheAllocation) {
  // No such job: squeue cannot tell its state, whatever cluster is near.
  SlurmEnvironment env({{"SLURM_JOB_ID", "987654321"},
                        {"SLURM_NTASKS", "2"},
                        {"SLURM_CPUS_PER_TASK", "4"},
                        {"SLURM_MEM_PER_CPU", "1000"},
                        {"SLURM_JOB_NODELIST", "localhost"},
                        {"SLURM_SUBMIT_DIR", "/jobs"}});
  auto launcher = brasa::deploy::slurm_launcher(brasa::Conf());
  EXPECT_EQ(launcher->name(), "slurm job 987654321");
  EXPECT_EQ(launcher->executors(), 2);
  EXPECT_EQ(launcher->cores(), 4);
  EXPECT_EQ(launcher->memory(), "2000m");  // half of the task's 4000 MB for storage
  EXPECT_EQ(launcher->shuffle_memory(), "1000m");
  EXPECT_EQ(launcher->driver_host(), "127.0.0.1");
  EXPECT_EQ(launcher->log_path(1), "/jobs/brasa-987654321-executor-1.out");
  EXPECT_TRUE(launcher->replaces_lost());
  EXPECT_NE(launcher->why_not_replace(4).find("4 executors were lost"), std::string::npos);

  auto sized = brasa::deploy::slurm_launcher(
      brasa::Conf().set("brasa.executor.memory", "1g").set("brasa.executor.log.dir", "/elsewhere"));
  EXPECT_EQ(sized->memory(), "1g");
  EXPECT_EQ(sized->log_path(0), "/elsewhere/brasa-987654321-executor-0.out");
}
