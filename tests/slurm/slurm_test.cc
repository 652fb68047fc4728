// --master slurm against a real slurmctld and slurmd on this machine (the
// fixture scripts/slurm-local.sh, started by ctest before these tests):
// results bit-identical to local[2], recovery from a cancelled or killed
// executor step, no step left behind by a killed driver, the sbatch script,
// and the error outside an allocation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kApps = BRASA_APPS_DIR;
const std::string kSlowJob = BRASA_SLOW_JOB;
const std::string kSource = BRASA_SOURCE_DIR;

struct Result {
  int code = -1;
  std::string output;  // stdout and stderr
};

Result run(const std::string& cmd) {
  Result r;
  FILE* f = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return r;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) r.output.append(buf.data(), n);
  int status = ::pclose(f);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file of an output directory, by name, for byte-for-byte comparison.
std::string directory_contents(const fs::path& dir) {
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string all;
  for (auto& f : files) all += "== " + f.filename().string() + "\n" + read_file(f);
  return all;
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("brasa-slurm-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// The cluster is up and free: no job left by an earlier test (a node still
// "completing" one is waited for, up to 30 s).
bool slurm_up() {
  for (int i = 0; i < 300; ++i) {
    auto state = run("timeout 10 sinfo -h -o %T");
    if (state.code != 0) return false;
    if (run("timeout 10 squeue -h").output.empty() && state.output.find("idle") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

#define REQUIRE_SLURM()                                                                                   \
  do {                                                                                                    \
    if (!slurm_up()) {                                                                                    \
      const char* required = std::getenv("BRASA_REQUIRE_SLURM");                                          \
      if (required && std::string(required) == "1") FAIL() << "Slurm is not running (slurm:start failed)"; \
      GTEST_SKIP() << "Slurm is not running: the slurm:start fixture (scripts/slurm-local.sh start, as "  \
                      "root, with Debian's slurm-wlm and munge) could not start it; see its output";      \
    }                                                                                                     \
  } while (0)

// The steps of job `job` whose name starts with brasa-executor.
int executor_steps(const std::string& job) {
  auto r = run("squeue -h -s -j " + job + " -o %j");
  int n = 0;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) n += line.rfind("brasa-executor", 0) == 0;
  return n;
}

// The id of the one job of this test, from salloc's "Granted job allocation N".
std::string job_id_from(const fs::path& log) {
  for (int i = 0; i < 300; ++i) {
    std::string s = read_file(log);
    if (auto at = s.find("Granted job allocation "); at != std::string::npos) {
      std::string id;
      for (size_t k = at + 23; k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])); ++k) id += s[k];
      if (!id.empty()) return id;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

// A shell command run in the background with its output in `log`.
class Background {
 public:
  Background(const std::string& cmd, const fs::path& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::execl("/bin/sh", "sh", "-c", (cmd + " >" + quote(log.string()) + " 2>&1").c_str(), nullptr);
      ::_exit(127);
    }
  }
  // The exit code (128 + signal if killed); -1 if still running at `timeout`.
  int wait(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
  // The Slurm job it runs, cancelled when this ends (a killed salloc cannot
  // release its allocation, which would hold the cores for later tests).
  void set_job(std::string id) { job_ = std::move(id); }
  ~Background() {
    if (!job_.empty()) run("timeout 10 scancel " + job_);
    if (pid_ > 0) {
      ::kill(-pid_, SIGTERM);
      if (wait(std::chrono::seconds(10)) < 0) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
    }
  }

 private:
  pid_t pid_ = 0;
  std::string job_;
};

// The pid of executor `id` of Slurm job `job`, found by its environment.
pid_t executor_pid(const std::string& job, int id) {
  const std::string want_id = "BRASA_EXECUTOR_ID=" + std::to_string(id), want_job = "SLURM_JOB_ID=" + job;
  for (auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string env = read_file(e.path() / "environ");
    bool has_id = false, has_job = false, is_srun = read_file(e.path() / "comm").rfind("srun", 0) == 0;
    std::istringstream vars(env);
    for (std::string v; std::getline(vars, v, '\0');) {
      has_id |= v == want_id;
      has_job |= v == want_job;
    }
    if (has_id && has_job && !is_srun) return std::stoi(name);
  }
  return 0;
}

// Waits until job `job` runs `n` executor steps; false after 30 s.
bool await_steps(const std::string& job, int n) {
  for (int i = 0; i < 300; ++i) {
    if (executor_steps(job) >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The id of the Slurm job `job` runs (salloc logs it to `log`), once its two
// executor steps run; empty if either never happens.
std::string await_job(Background& job, const fs::path& log) {
  const std::string id = job_id_from(log);
  if (id.empty()) return "";
  job.set_job(id);
  return await_steps(id, 2) ? id : "";
}

const std::string kText = kSource + "/datasets/text";
const std::string kGraph = kSource + "/datasets/graphs/lesmis.txt";

}  // namespace

TEST(SlurmMaster, OutsideAnAllocationTheErrorSaysToUseSallocOrSbatch) {
  TempDir dir;
  auto r = run("env -u SLURM_JOB_ID -u SLURM_JOBID " + kApps + "/brasa-wordcount --master slurm --output " +
               quote((dir.path() / "out").string()) + " " + kText);
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("not inside a Slurm allocation"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("salloc"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sbatch"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

TEST(SlurmMaster, WordCountAndPageRankAreBitIdenticalToLocal) {
  REQUIRE_SLURM();
  TempDir dir;
  const std::string d = dir.path().string();
  const std::string wc = kApps + "/brasa-wordcount ", pr = kApps + "/brasa-pagerank --iterations 20 --input " + kGraph;
  auto local_wc = run(wc + "--master 'local[2]' --output " + d + "/wc-local " + kText);
  auto local_pr = run(pr + " --master 'local[2]' --output " + d + "/pr-local");
  ASSERT_EQ(local_wc.code, 0) << local_wc.output;
  ASSERT_EQ(local_pr.code, 0) << local_pr.output;
  auto slurm_wc = run("cd " + d + " && salloc -N1 -n2 " + wc + "--master slurm --output " + d + "/wc-slurm " + kText);
  auto slurm_pr = run("cd " + d + " && salloc -N1 -n2 " + pr + " --master slurm --output " + d + "/pr-slurm");
  ASSERT_EQ(slurm_wc.code, 0) << slurm_wc.output;
  ASSERT_EQ(slurm_pr.code, 0) << slurm_pr.output;
  EXPECT_NE(slurm_wc.output.find("on slurm"), std::string::npos) << slurm_wc.output;
  EXPECT_EQ(directory_contents(d + "/wc-slurm"), directory_contents(d + "/wc-local"));
  EXPECT_EQ(directory_contents(d + "/pr-slurm"), directory_contents(d + "/pr-local"));
  // Each executor's step output is in the submit directory, named by executor id.
  int logs = 0;
  for (auto& e : fs::directory_iterator(d))
    if (e.path().filename().string().find("-executor-") != std::string::npos) {
      ++logs;
      EXPECT_NE(read_file(e.path()).find("serving at"), std::string::npos) << e.path();
    }
  EXPECT_EQ(logs, 4);  // two executors for each of the two runs
}

// Kills executor 1 in the middle of slow_job, by `how`, and checks that the
// job still gives local[2]'s output and that a replacement step started.
void kill_executor_mid_job(const std::string& how) {
  TempDir dir;
  const fs::path d = dir.path();
  auto local = run(kSlowJob + " 'local[2]' " + (d / "local").string());
  ASSERT_EQ(local.code, 0) << local.output;
  Background job("cd " + quote(d.string()) + " && salloc -N1 -n2 " + kSlowJob + " slurm " + (d / "slurm").string(),
                 d / "driver.log");
  const std::string id = await_job(job, d / "driver.log");
  ASSERT_FALSE(id.empty()) << read_file(d / "driver.log");
  // Once executor 1 serves, the job runs 3 s or more with both executors.
  const fs::path executor_log = d / ("brasa-" + id + "-executor-1.out");
  for (int i = 0; i < 300 && read_file(executor_log).find("serving at") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_NE(read_file(executor_log).find("serving at"), std::string::npos) << read_file(d / "driver.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  if (how == "scancel") {
    auto steps = run("squeue -h -s -j " + id + " -o '%i %j'");
    std::string step;
    std::istringstream lines(steps.output);
    for (std::string line; std::getline(lines, line);)
      if (line.find("brasa-executor-1") != std::string::npos) step = line.substr(0, line.find(' '));
    ASSERT_FALSE(step.empty()) << steps.output;
    auto r = run("scancel " + step);
    ASSERT_EQ(r.code, 0) << r.output;
  } else {
    pid_t pid = executor_pid(id, 1);
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
  }
  ASSERT_EQ(job.wait(std::chrono::seconds(120)), 0) << read_file(d / "driver.log");
  const std::string log = read_file(d / "driver.log");
  EXPECT_NE(log.find("Lost executor 1"), std::string::npos) << log;
  EXPECT_NE(log.find("executor 1 lost"), std::string::npos) << log;  // it held map outputs or ran tasks
  EXPECT_NE(log.find("in place of a lost one"), std::string::npos) << log;
  EXPECT_EQ(directory_contents(d / "slurm"), directory_contents(d / "local"));
}

TEST(SlurmMaster, ExecutorStepCancelledMidJobGivesTheSameResult) {
  REQUIRE_SLURM();
  kill_executor_mid_job("scancel");
}

TEST(SlurmMaster, ExecutorKilledMidJobGivesTheSameResult) {
  REQUIRE_SLURM();
  kill_executor_mid_job("kill");
}

TEST(SlurmMaster, KilledDriverLeavesNoStepRunning) {
  REQUIRE_SLURM();
  TempDir dir;
  const fs::path d = dir.path();
  // The allocation outlives the driver (as an sbatch script's would), so
  // only the executors' own watch can end their steps.
  Background job("cd " + quote(d.string()) + " && salloc -N1 -n2 sh -c '" + kSlowJob + " slurm " +
                     (d / "out").string() + " & echo $! > driver.pid; wait; sleep 120'",
                 d / "driver.log");
  const std::string id = await_job(job, d / "driver.log");
  ASSERT_FALSE(id.empty()) << read_file(d / "driver.log");
  const pid_t driver = std::atoi(read_file(d / "driver.pid").c_str());
  ASSERT_GT(driver, 0);
  ASSERT_EQ(::kill(driver, SIGKILL), 0);
  auto killed = std::chrono::steady_clock::now();
  while (executor_steps(id) > 0 && std::chrono::steady_clock::now() - killed < std::chrono::seconds(30))
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(executor_steps(id), 0) << "steps still running 30 s after the driver was killed:\n"
                                   << run("squeue -s -j " + id).output;
  run("scancel " + id);
}

TEST(SlurmMaster, CancelledJobEndsTheDriverWithoutPartialOutput) {
  REQUIRE_SLURM();
  TempDir dir;
  const fs::path d = dir.path();
  Background job("cd " + quote(d.string()) + " && salloc -N1 -n2 " + kSlowJob + " slurm " + (d / "out").string(),
                 d / "driver.log");
  const std::string id = await_job(job, d / "driver.log");
  ASSERT_FALSE(id.empty()) << read_file(d / "driver.log");
  // Cancelled while a stage runs: once both executors serve (under load
  // they may take more than a second to start), the job runs 3 s or more.
  for (int e : {0, 1}) {
    const fs::path executor_log = d / ("brasa-" + id + "-executor-" + std::to_string(e) + ".out");
    for (int i = 0; i < 300 && read_file(executor_log).find("serving at") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_NE(read_file(executor_log).find("serving at"), std::string::npos) << read_file(d / "driver.log");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_EQ(run("scancel " + id).code, 0);
  EXPECT_NE(job.wait(std::chrono::seconds(60)), 0);
  const std::string log = read_file(d / "driver.log");
  EXPECT_NE(log.find("the Slurm job " + id + " has ended"), std::string::npos) << log;
  EXPECT_NE(log.find("aborted: stage"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(d / "out")) << log;
}

TEST(SlurmMaster, SbatchScriptRunsTheApp) {
  REQUIRE_SLURM();
  TempDir dir;
  const std::string d = dir.path().string();
  auto local = run(kApps + "/brasa-wordcount --master 'local[2]' --output " + d + "/local " + kText);
  ASSERT_EQ(local.code, 0) << local.output;
  auto script = run(kSource + "/scripts/brasa-sbatch --ntasks-per-node 2 --output " + d +
                    "/job.out -- " + kApps + "/brasa-wordcount --output " + d + "/slurm " + kText + " > " + d +
                    "/job.sbatch");
  ASSERT_EQ(script.code, 0) << script.output;
  EXPECT_NE(read_file(d + "/job.sbatch").find("--master slurm"), std::string::npos);
  auto r = run("cd " + d + " && sbatch --wait " + d + "/job.sbatch");
  ASSERT_EQ(r.code, 0) << r.output << read_file(d + "/job.out");
  EXPECT_NE(read_file(d + "/job.out").find("on slurm"), std::string::npos) << read_file(d + "/job.out");
  EXPECT_EQ(directory_contents(d + "/slurm"), directory_contents(d + "/local"));
}
