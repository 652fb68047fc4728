// brasa-bench-rdd: whole-job timings of core RDD workloads in local[1] and
// local[2], side by side with the same work as a hand-written
// single-threaded loop.
//
//   brasa-bench-rdd [--pairs 10000000] [--keys 100000] [--text-mb 64] [--runs 3]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "brasa/brasa.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Best of `runs` timings of fn(); fn returns a checksum printed once.
template <class Fn> double best_of(int runs, Fn fn, int64_t& check) {
  double best = 1e300;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    check = fn();
    best = std::min(best, seconds_since(t));
  }
  return best;
}

void row(const char* workload, const char* system, double secs, double records, double reference, int64_t check) {
  std::printf("%-14s %-18s %9.3f s %12.0f rec/s %8.2fx  (check %lld)\n", workload, system, secs, records / secs,
              secs / reference, static_cast<long long>(check));
}

int64_t key_of(int64_t i, int64_t keys) { return static_cast<int64_t>(brasa::mix64(static_cast<uint64_t>(i)) % keys); }

int64_t rbk_brasa(const std::string& master, int64_t n, int64_t keys) {
  brasa::Context ctx(brasa::Conf().master(master).set("brasa.ui.show_progress", "false"));
  auto sums = ctx.range(0, n, 1, 20)
                  .map([keys](int64_t i) { return std::pair<int64_t, int64_t>{key_of(i, keys), 1}; })
                  .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                  .collect();
  int64_t check = 0;
  for (auto& [k, v] : sums) check += k * v;
  return check;
}

int64_t rbk_hand(int64_t n, int64_t keys) {
  std::unordered_map<int64_t, int64_t> sums;
  for (int64_t i = 0; i < n; ++i) sums[key_of(i, keys)] += 1;
  int64_t check = 0;
  for (auto& [k, v] : sums) check += k * v;
  return check;
}

// Zipf-distributed words from a 50,000-word vocabulary, 10 per line.
void write_text(const std::string& path, size_t bytes) {
  std::mt19937_64 rng(7);
  std::vector<std::string> vocab;
  for (int i = 0; i < 50000; ++i) {
    std::string w;
    for (int x = i + 1; x > 0; x /= 26) w.push_back(static_cast<char>('a' + x % 26));
    vocab.push_back(w);
  }
  std::vector<double> weights(vocab.size());
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
  std::ofstream out(path);
  std::string line;
  size_t written = 0;
  while (written < bytes) {
    line.clear();
    for (int j = 0; j < 10; ++j) {
      if (j) line.push_back(' ');
      line += vocab[pick(rng)];
    }
    line.push_back('\n');
    out << line;
    written += line.size();
  }
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    if (j > i) words.emplace_back(line, i, j - i);
    i = j + 1;
  }
  return words;
}

int64_t wc_brasa(const std::string& master, const std::string& path) {
  brasa::Context ctx(brasa::Conf().master(master).set("brasa.ui.show_progress", "false"));
  auto counts = ctx.text_file(path, 20)
                    .flat_map([](const std::string& l) { return split_words(l); })
                    .map([](std::string w) { return std::pair{std::move(w), int64_t{1}}; })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                    .collect();
  int64_t check = 0;
  for (auto& [w, c] : counts) check += c * static_cast<int64_t>(w.size());
  return check;
}

int64_t wc_hand(const std::string& path) {
  std::ifstream in(path);
  std::unordered_map<std::string, int64_t> counts;
  std::string line;
  while (std::getline(in, line))
    for (auto& w : split_words(line)) counts[std::move(w)] += 1;
  int64_t check = 0;
  for (auto& [w, c] : counts) check += c * static_cast<int64_t>(w.size());
  return check;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Brasa core RDD benchmarks"};
  int64_t pairs = 10'000'000, keys = 100'000;
  int text_mb = 64, runs = 3;
  app.add_option("--pairs", pairs, "pairs for reduce_by_key")->check(CLI::PositiveNumber);
  app.add_option("--keys", keys, "distinct keys for reduce_by_key")->check(CLI::PositiveNumber);
  app.add_option("--text-mb", text_mb, "megabytes of generated text for word count")->check(CLI::PositiveNumber);
  app.add_option("--runs", runs, "runs per configuration (best is reported)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::printf("%-14s %-18s %11s %18s %9s\n", "workload", "system", "time", "throughput", "vs hand");
  int64_t check = 0;
  double hand = best_of(runs, [&] { return rbk_hand(pairs, keys); }, check);
  row("reduce_by_key", "hand loop", hand, static_cast<double>(pairs), hand, check);
  for (const char* m : {"local[1]", "local[2]"}) {
    double t = best_of(runs, [&] { return rbk_brasa(m, pairs, keys); }, check);
    row("reduce_by_key", (std::string("brasa ") + m).c_str(), t, static_cast<double>(pairs), hand, check);
  }

  auto path = (std::filesystem::temp_directory_path() / "brasa-bench-words.txt").string();
  write_text(path, static_cast<size_t>(text_mb) << 20);
  double words = static_cast<double>(std::filesystem::file_size(path)) / 6.0;  // about 6 bytes per word
  hand = best_of(runs, [&] { return wc_hand(path); }, check);
  row("word count", "hand loop", hand, words, hand, check);
  for (const char* m : {"local[1]", "local[2]"}) {
    double t = best_of(runs, [&] { return wc_brasa(m, path); }, check);
    row("word count", (std::string("brasa ") + m).c_str(), t, words, hand, check);
  }
  std::filesystem::remove(path);
  return 0;
}
