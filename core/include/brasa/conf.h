// Configuration of a Context, as key/value strings like SparkConf.
//
//   brasa.master                local | local[N] | local[*] | local-cluster[E,C]
//                               | brasa://HOST:PORT | slurm        (default local[*])
//   brasa.app.name              shown in logs                     (default brasa)
//   brasa.memory.storage        block manager budget, e.g. 512m   (default 2g)
//   brasa.memory.shuffle        shuffle buffers and aggregation tables one task
//                               holds before spilling to disk; also the map
//                               outputs a process keeps in memory  (default 1g)
//   brasa.local.dir             where spills and disk blocks go   (default $TMPDIR or /tmp)
//   brasa.task.max_failures     attempts per task before the job fails (default 4)
//   brasa.ui.show_progress      console progress bar on a terminal (default true)
//   brasa.ui.enabled            the live web UI (default true); brasa.ui.host
//                               (127.0.0.1), brasa.ui.port (4040; 0: any free)
//   brasa.eventLog.enabled      write the event log (default false) to
//                               brasa.eventLog.dir (/tmp/brasa-events), through
//                               zstd with brasa.eventLog.compress=true
//   brasa.events.queue_size     listeners' queue; task events beyond it are dropped (100000)
//   brasa.log.level             trace|debug|info|warn|error|off   (default warn)
//   brasa.default.parallelism   partitions when none is given     (default: threads,
//                                                                  or the cluster's cores)
// On a cluster: brasa.executor.cores (1), brasa.executor.memory (2g),
// brasa.cores.max, brasa.driver.host, brasa.auth.secret, brasa.executor.log.dir,
// brasa.locality.wait.ms (3000), brasa.network.timeout.ms (10000),
// brasa.tls.cert / brasa.tls.key / brasa.tls.ca (PEM files; TLS when all set).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace brasa {

class Conf {
 public:
  Conf() = default;

  Conf& set(const std::string& key, const std::string& value) {
    values_[key] = value;
    return *this;
  }
  Conf& master(const std::string& m) { return set("brasa.master", m); }
  Conf& app_name(const std::string& n) { return set("brasa.app.name", n); }

  std::string master() const { return get("brasa.master", "local[*]"); }
  std::string app_name() const { return get("brasa.app.name", "brasa"); }

  bool contains(const std::string& key) const { return values_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback) const;
  // These throw std::invalid_argument naming the key when the value is malformed.
  int64_t get_int(const std::string& key, int64_t fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  size_t get_bytes(const std::string& key, size_t fallback) const;  // "512m", "2g", "1024"

  // Number of task threads the master string asks for ("local[4]" -> 4,
  // "local-cluster[3,2]" -> 6 task slots on the driver's scheduler).
  int local_threads() const;
  // For "local-cluster[E,C]": {E, C}; {0, 0} for other masters.
  std::pair<int, int> local_cluster() const;

  const std::map<std::string, std::string>& all() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// Parses a byte size such as "512m" or "2g"; throws std::invalid_argument.
size_t parse_bytes(const std::string& text);

}  // namespace brasa
