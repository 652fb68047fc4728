#include "brasa/conf.h"

#include "deploy/slurm.h"

#include <cstdio>

#include <cctype>
#include <stdexcept>
#include <thread>

namespace brasa {

std::string Conf::get(const std::string& key, const std::string& fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? fallback : it->second;
}

int64_t Conf::get_int(const std::string& key, int64_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("configuration " + key + "=" + it->second + " is not an integer");
}

bool Conf::get_bool(const std::string& key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  throw std::invalid_argument("configuration " + key + "=" + it->second + " is not true or false");
}

size_t parse_bytes(const std::string& text) {
  size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw std::invalid_argument("'" + text + "' is not a byte size (examples: 1048576, 512k, 64m, 2g)");
  }
  std::string unit = text.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit.empty() || unit == "b") return n;
  if (unit == "k" || unit == "kb") return n << 10;
  if (unit == "m" || unit == "mb") return n << 20;
  if (unit == "g" || unit == "gb") return n << 30;
  throw std::invalid_argument("'" + text + "' is not a byte size (examples: 1048576, 512k, 64m, 2g)");
}

size_t Conf::get_bytes(const std::string& key, size_t fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  try {
    return parse_bytes(it->second);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("configuration " + key + ": " + e.what());
  }
}

int Conf::local_threads() const {
  std::string m = master();
  int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto [e, c] = local_cluster(); e > 0) return e * c;
  // On a standalone cluster, scheduler threads wait on executors' cores; the
  // cluster's size is known only once executors register.
  if (m.rfind("brasa://", 0) == 0) return static_cast<int>(get_int("brasa.cores.max", 64));
  if (m == "slurm") {  // the allocation's cores; outside one the backend explains
    if (!deploy::SlurmAllocation::inside()) return 1;
    auto a = deploy::SlurmAllocation::from_environment();
    return a.tasks * a.cpus_per_task;
  }
  if (m == "local") return 1;
  if (m == "local[*]") return hw;
  if (m.rfind("local[", 0) == 0 && m.back() == ']') {
    std::string n = m.substr(6, m.size() - 7);
    try {
      size_t used = 0;
      int v = std::stoi(n, &used);
      if (used == n.size() && v > 0) return v;
    } catch (const std::exception&) {
    }
  }
  throw std::invalid_argument("master '" + m +
                              "' is not supported; use local, local[N], local[*], local-cluster[E,C], brasa://HOST:PORT or slurm");
}

std::pair<int, int> Conf::local_cluster() const {
  std::string m = master();
  const std::string prefix = "local-cluster[";
  if (m.rfind(prefix, 0) != 0) return {0, 0};
  int e = 0, c = 0;
  char close = 0, extra = 0;
  if (std::sscanf(m.c_str() + prefix.size(), "%d,%d%c%c", &e, &c, &close, &extra) != 3 || close != ']' || e < 1 ||
      c < 1)
    throw std::invalid_argument("master '" + m + "': expected local-cluster[E,C] with E executors of C cores, E, C >= 1");
  return {e, c};
}

}  // namespace brasa
