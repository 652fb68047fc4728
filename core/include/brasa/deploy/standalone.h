// The standalone cluster manager, as in Spark: a master that knows the
// workers and the applications, and workers that start executor processes
// for applications when the master asks. Drivers submit with
// --master brasa://HOST:PORT; their binary is shipped to the workers
// (content-addressed, cached in the work dir), so no shared file system is
// needed for code.
//
//   export BRASA_AUTH_SECRET_FILE=~/.brasa-secret     # on every machine
//   brasa-master --host HOST --port 7077
//   brasa-worker --master HOST:7077 --host WORKER --cores 2 --memory 4g --work-dir /tmp/brasa-work
//
// Both refuse to start without a shared secret unless given --insecure, and
// listen on 127.0.0.1 unless --host names another address.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace brasa::deploy {

struct MasterOptions {
  std::string host = "127.0.0.1";
  int port = 7077;  // 0: any free port
  std::string secret;
  bool insecure = false;  // start without a secret (then anyone who reaches the port can run code)
  int webui_port = 8080;  // the status page (workers, applications; /json); 0: any free port, -1: none
  int worker_timeout_ms = 10000;  // a worker (or a driver) without heartbeats for this long is lost
  // Where the master keeps its workers, running applications and next
  // application id (Spark's FILESYSTEM recovery mode), so that a master
  // restarted with the same directory takes them up; "" keeps nothing.
  std::string recovery_dir;
  std::string tls_cert, tls_key, tls_ca;  // PEM files; all three turn TLS on
};

// Serves until SIGINT/SIGTERM. on_ready(port) is called once listening.
// Returns 2 without a secret and without insecure.
int run_master(const MasterOptions& options, const std::function<void(int)>& on_ready = {});

// The workers and applications a master knows, as a table. Throws
// std::runtime_error if the master cannot be reached.
std::string master_status(const std::string& master, const std::string& secret);

struct WorkerOptions {
  std::string master;            // host:port
  std::string host = "127.0.0.1";  // address executors and the worker listen on
  int port = 0;
  int cores = 0;                 // 0: all of this machine's
  size_t memory_bytes = size_t{4} << 30;
  std::string work_dir = "/tmp/brasa-work";
  int max_binaries = 8;             // shipped binaries kept, least recently used removed first
  int app_retention_hours = 7 * 24;  // ended applications' directories (executor logs) older than this go; 0: kept
  std::string secret;
  bool insecure = false;  // start without a secret
  std::string tls_cert, tls_key, tls_ca;  // PEM files; all three turn TLS on (executors inherit them)
};

// Serves until SIGINT/SIGTERM; its executors die with it. Returns 2
// without a secret and without insecure.
int run_worker(const WorkerOptions& options);

}  // namespace brasa::deploy
