// How a cluster backend gets its executor processes: the one part that
// differs between local-cluster (children of the driver) and Slurm (srun
// steps), and that Kubernetes (pods) or YARN (containers) would add
// (docs/cluster-managers.md). Everything after an executor starts is the
// same ClusterBackend: registration with the binary's hash and the secret,
// heartbeats, task streams, loss and recovery. (The standalone master
// launches executors itself, on its workers.) Private to core/src/deploy.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace brasa {
class Conf;
}

namespace brasa::deploy {

class ExecutorLauncher {
 public:
  virtual ~ExecutorLauncher() = default;

  // "local-cluster" or "slurm job 12", for logs and errors.
  virtual std::string name() const = 0;
  // How many executors to run, and each one's cores and memory (storage,
  // shuffle: brasa.executor.memory and brasa.memory.shuffle).
  virtual int executors() const = 0;
  virtual int cores() const = 0;
  virtual std::string memory() const = 0;
  virtual std::string shuffle_memory() const = 0;
  // Where the driver listens so that executors reach it, and where they
  // listen: an address, or "@node" for their own node's.
  virtual std::string driver_host() const = 0;
  virtual std::string executor_host() const = 0;

  // Starts executor `id` running `exe` with `env` added to its environment
  // and its output in log_path(id). Returns the pid of the local process
  // whose exit means the executor is gone (the executor, or srun).
  virtual pid_t launch(int id, const std::string& exe, std::vector<std::string> env) = 0;
  virtual std::string log_path(int id) const = 0;
  // The signal that ends a hung executor through that process.
  virtual int kill_signal() const = 0;

  // Whether lost executors are replaced at all; and, with `lost` of them so
  // far, empty while the next may be started, or why not.
  virtual bool replaces_lost() const = 0;
  virtual std::string why_not_replace(int lost) = 0;
  // Called once launch()'s process `pid` has exited (lost, or stopped):
  // removes what a killed executor leaves on this machine.
  virtual void cleanup_after(pid_t pid) = 0;
};

// Spawns `exe` (looked up in PATH if it has no slash) with arguments `argv`
// (argv[0] first), `env` added to this process's environment, stdin from
// /dev/null and stdout+stderr appended to `log`. Returns the pid.
pid_t spawn_process(const std::string& exe, const std::vector<std::string>& argv,
                    const std::vector<std::string>& env, const std::string& log);

// The first IPv4 address this machine's host name resolves to that is not a
// loopback one ("127.0.0.1" when there is none): where processes on other
// nodes reach this one.
std::string node_address();

// local-cluster[E,C]: E children of this process, each with C cores; they
// die with it. Logs go to `log_dir`.
std::unique_ptr<ExecutorLauncher> local_cluster_launcher(const Conf& conf, int executors, int cores,
                                                         std::string log_dir);
// slurm: one srun step per task of the allocation this process runs in.
// Throws std::runtime_error outside an allocation.
std::unique_ptr<ExecutorLauncher> slurm_launcher(const Conf& conf);

}  // namespace brasa::deploy
