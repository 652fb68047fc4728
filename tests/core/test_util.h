// Shared helpers for the core test suites: a Context factory, sorting,
// deterministic random data and scratch directories.
#pragma once

#include <cstdlib>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <type_traits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "brasa/brasa.h"

namespace brasa_test {

// The configuration every test starts from: quiet, no progress bar. The
// default master is local[2], or $BRASA_TEST_MASTER when set (ctest runs the
// suite a second time on local-cluster[2,1]).
inline brasa::Conf test_conf(const std::string& master = "") {
  brasa::Conf conf;
  const char* env = std::getenv("BRASA_TEST_MASTER");
  conf.master(!master.empty() ? master : env && *env ? env : "local[2]").app_name("core_tests");
  conf.set("brasa.ui.show_progress", "false");
  conf.set("brasa.log.level", "off");
  return conf;
}

// True when the suite runs on executor processes (BRASA_TEST_MASTER), where
// tests that inspect the driver's own block manager or count calls in
// process-wide variables do not apply.
inline bool on_cluster() { return test_conf().master().rfind("local-cluster", 0) == 0; }
#define SKIP_ON_CLUSTER(why) \
  if (::brasa_test::on_cluster()) GTEST_SKIP() << "local mode only: " << why

// A Context (not movable, hence the pointer) on `master`, with extra settings.
inline std::unique_ptr<brasa::Context> make_context(const std::string& master = "",
                                                    const std::map<std::string, std::string>& extra = {}) {
  brasa::Conf conf = test_conf(master);
  for (const auto& [k, v] : extra) conf.set(k, v);
  return std::make_unique<brasa::Context>(conf);
}

template <class T> std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::vector<int> iota_vec(int n, int start = 0) {
  std::vector<int> v(static_cast<size_t>(std::max(0, n)));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + i;
  return v;
}

// n uniform values in [lo, hi] from a fixed seed (integers or reals).
template <class T> std::vector<T> random_values(size_t n, uint64_t seed, T lo, T hi) {
  std::mt19937_64 rng(seed);
  using Dist = std::conditional_t<std::is_integral_v<T>, std::uniform_int_distribution<T>,
                                  std::uniform_real_distribution<T>>;
  Dist d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}
inline std::vector<int> random_ints(size_t n, uint64_t seed, int lo, int hi) { return random_values(n, seed, lo, hi); }
inline std::vector<double> random_doubles(size_t n, uint64_t seed, double lo, double hi) {
  return random_values(n, seed, lo, hi);
}

// (key, value) records whose keys are skewed: about half of them are on key 0,
// the rest spread over 1..num_keys-1. Values in [-1000, 1000].
inline std::vector<std::pair<int, int64_t>> skewed_pairs(size_t n, uint64_t seed, int num_keys) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> key(1, std::max(1, num_keys - 1));
  std::uniform_int_distribution<int64_t> value(-1000, 1000);
  std::vector<std::pair<int, int64_t>> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.emplace_back(coin(rng) ? 0 : key(rng), value(rng));
  return v;
}

inline std::string random_word(std::mt19937_64& rng, size_t min_len, size_t max_len) {
  std::uniform_int_distribution<size_t> len(min_len, max_len);
  std::uniform_int_distribution<int> ch('a', 'z');
  std::string s(len(rng), ' ');
  for (auto& c : s) c = static_cast<char>(ch(rng));
  return s;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("brasa-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "-" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A path inside the directory (not created).
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& contents) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits on '\n' the way a line reader does: no trailing empty line for a
// final newline; '\r' before '\n' stripped.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string::npos ? text.size() : nl;
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

}  // namespace brasa_test
