// brasa-bench-core: the core benchmark suite (issues 8 and 14). Runs every workload
// of bench/workloads.h on Brasa (local[1], local[2], local-cluster[2,1]),
// as a hand-written loop, and on the Python peers of bench/peers.py (numpy,
// pandas, Dask) in one invocation; prints a table, writes it as CSV and SVG,
// and checks the targets of the issue.
//
//   brasa-bench-core [--out bench/results] [--runs 3] [--scale 1] [--only 1,5,6]
#include <CLI/CLI.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/brasa.h"
#include "report.h"
#include "workloads.h"

namespace fs = std::filesystem;
using namespace brasa::bench;

namespace {

struct Options {
  std::string out = "bench/results";
  std::string python = "/usr/bin/python3";
  std::string peers = BRASA_BENCH_SOURCE_DIR "/peers.py";
  int runs = 3;
  double scale = 1;
  std::vector<int> only;
  std::vector<std::string> masters;
  bool wants(int w) const { return only.empty() || std::find(only.begin(), only.end(), w) != only.end(); }
  // The masters of `all` that --masters asks for (all of them by default).
  std::vector<const char*> on(const std::vector<const char*>& all) const {
    std::vector<const char*> out;
    for (const char* m : all)
      if (masters.empty() || std::find(masters.begin(), masters.end(), m) != masters.end()) out.push_back(m);
    return out;
  }
  int64_t n(double full) const { return std::max<int64_t>(1, static_cast<int64_t>(full * scale)); }
};

constexpr int kPartitions = 20;
const std::vector<const char*> kMasters = {"local[1]", "local[2]", "local-cluster[2,1]"};

brasa::Conf bench_conf(const std::string& master) {
  return brasa::Conf()
      .master(master)
      .app_name("brasa-bench-core")
      .set("brasa.ui.show_progress", "false")
      .set("brasa.log.level", "warn");
}

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

// Peak resident set size of this process, in bytes.
size_t peak_rss() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<size_t>(u.ru_maxrss) * 1024;
}

std::string mb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}


class Suite {
 public:
  explicit Suite(Options o) : opt_(std::move(o)) {}

  int run();

 private:
  Timings timings(int runs = 0) const { return Timings{runs ? runs : opt_.runs, {}}; }
  void brasa_row(const std::string& workload, const std::string& master, const Timings& t, double records,
                 const Answer& got, const Answer& expected, std::string note = "");
  void reference_row(const std::string& workload, const std::string& system, const std::string& config,
                     const Timings& t, double records, const Answer& got, const Answer& expected);
  void peers(const std::string& workload, const std::string& args, double records, const Answer& expected);
  std::string check(const Answer& got, const Answer& expected);
  void target(bool met, const std::string& what);

  void reduce_by_key();
  void word_count();
  void sort();
  void join();
  void tiny_job();
  void empty_tasks();
  void start_up();
  void pagerank();
  void memory_and_spill();
  void cached_sum();
  void join_loop();

  Options opt_;
  Report report_;
  std::vector<std::string> targets_;
  // Every run's seconds, by (workload, system) or (workload, "brasa " + master).
  std::map<std::pair<std::string, std::string>, std::vector<double>> runs_;
  bool wrong_ = false;
};

std::string Suite::check(const Answer& got, const Answer& expected) {
  if (got == expected) return "";
  wrong_ = true;
  return "WRONG ANSWER: " + to_string(got) + " instead of " + to_string(expected);
}

void Suite::brasa_row(const std::string& workload, const std::string& master, const Timings& t, double records,
                      const Answer& got, const Answer& expected, std::string note) {
  std::string wrong = check(got, expected);
  report_.add({workload, "brasa", master, t.median(), records, true, wrong.empty() ? note : wrong});
  runs_[{workload, "brasa " + master}] = t.seconds;
}

void Suite::reference_row(const std::string& workload, const std::string& system, const std::string& config,
                          const Timings& t, double records, const Answer& got, const Answer& expected) {
  std::string note = check(got, expected);
  if (note.empty() && t.seconds.size() > 1) {  // a peer whose runs swing cannot be quoted by its median alone
    auto [lo, hi] = std::minmax_element(t.seconds.begin(), t.seconds.end());
    note = "runs " + human_time(*lo) + " to " + human_time(*hi);
  }
  report_.add({workload, system, config, t.median(), records, false, note});
  runs_[{workload, system}] = t.seconds;
}

// Runs bench/peers.py for a workload and adds its rows.
void Suite::peers(const std::string& workload, const std::string& args, double records, const Answer& expected) {
  if (!fs::exists(opt_.python)) {
    std::printf("skip: %s peers: %s not found (install python3-numpy python3-pandas python3-dask)\n",
                workload.c_str(), opt_.python.c_str());
    return;
  }
  std::vector<std::string> lines;
  try {
    lines = run_child(opt_.python + " " + opt_.peers + " " + args + " 2>/dev/null");
  } catch (const std::exception& e) {
    std::printf("skip: %s peers failed: %s\n", workload.c_str(), e.what());
    return;
  }
  for (auto& line : lines) {
    auto f = fields(line);
    if (f.count("skip")) {
      std::printf("skip: %s peers: %s\n", workload.c_str(), f["skip"].c_str());
      continue;
    }
    if (!f.count("system")) continue;
    Timings t;
    std::istringstream secs(f["seconds"]);
    std::string s;
    while (std::getline(secs, s, ',')) t.seconds.push_back(std::stod(s));
    Answer got{std::stoll(f["records"]), std::stoull(f["digest"]), f.count("sum") ? std::stod(f["sum"]) : 0};
    Answer want = expected;
    if (workload.find("tiny") != std::string::npos) want = got;  // nothing to compare
    reference_row(workload, f["system"], f["config"], t, records, got, want);
  }
}

void Suite::target(bool met, const std::string& what) {
  targets_.push_back(std::string(met ? "met   " : "MISSED") + "  " + what);
}

// ---- the workloads --------------------------------------------------------------------

void Suite::reduce_by_key() {
  const std::string w = "1 reduce_by_key";
  int64_t pairs = opt_.n(1e7), keys = opt_.n(1e5);
  auto t = timings();
  Answer expected = reduce_by_key_hand(pairs, keys, t);
  reference_row(w, "hand loop (unordered_map)", "1 thread", t, pairs, expected, expected);
  for (const char* m : opt_.on(kMasters)) {
    brasa::Context ctx(bench_conf(m));
    auto run = reduce_by_key_brasa(ctx, pairs, keys, kPartitions, t);
    brasa_row(w, m, t, pairs, run.answer, expected);
  }
  peers(w, "reduce_by_key " + std::to_string(pairs) + " " + std::to_string(keys) + " " + std::to_string(kPartitions) +
               " " + std::to_string(opt_.runs),
        pairs, expected);
}

void Suite::word_count() {
  const std::string w = "2 word count";
  fs::path path = fs::temp_directory_path() / ("brasa-bench-words-" + std::to_string(getpid()) + ".txt");
  write_words(path.string(), opt_.n(200e6));
  double words = 0;
  {
    std::ifstream in(path);
    std::string word;
    while (in >> word) ++words;
  }
  auto t = timings();
  Answer expected = word_count_hand(path.string(), t);
  reference_row(w, "hand loop (flat hash map)", "1 thread", t, words, expected, expected);
  auto shell = timings(1);
  reference_row(w, "tr | sort | uniq -c", "GNU coreutils, LC_ALL=C", shell, words,
                word_count_shell(path.string(), shell), expected);
  for (const char* m : opt_.on(kMasters)) {
    brasa::Context ctx(bench_conf(m));
    Answer got = word_count_brasa(ctx, path.string(), kPartitions, WordCount::kCountByValue, t);
    brasa_row(w, m, t, words, got, expected, "count_by_value");
    if (std::string(m) == "local[1]") {
      got = word_count_brasa(ctx, path.string(), kPartitions, WordCount::kReduceByKey, t);
      brasa_row(w, "local[1] map + reduce_by_key", t, words, got, expected);
    }
  }
  peers(w, "word_count " + path.string() + " " + std::to_string(opt_.runs), words, expected);
  fs::remove(path);
}

void Suite::sort() {
  const std::string w = "3 sort_by_key";
  int64_t n = opt_.n(1e7);
  auto t = timings();
  Answer expected = sort_hand(n, t);
  reference_row(w, "std::sort", "1 thread", t, n, expected, expected);
  for (const char* m : opt_.on(kMasters)) {
    brasa::Context ctx(bench_conf(m));
    Answer got = sort_brasa(ctx, n, kPartitions, t);
    brasa_row(w, m, t, n, got, expected);
  }
  peers(w, "sort " + std::to_string(n) + " " + std::to_string(kPartitions) + " " + std::to_string(opt_.runs), n,
        expected);
}

void Suite::join() {
  const std::string w = "4 join";
  int64_t left = opt_.n(1e7), right = opt_.n(1e6);
  auto t = timings();
  Answer expected = join_hand(left, right, t);
  reference_row(w, "hand loop (unordered_multimap)", "1 thread", t, left + right, expected, expected);
  for (const char* m : opt_.on({"local[2]", "local-cluster[2,1]"})) {
    brasa::Context ctx(bench_conf(m));
    Timings shuffled, co;  // timed in turn
    auto runs = time_in_turn<JoinRun>(
        opt_.runs, {{&shuffled, join_brasa(ctx, left, right, kPartitions, false)},
                    {&co, join_brasa(ctx, left, right, kPartitions, true)}});
    brasa_row(w, std::string(m) + ", shuffled", shuffled, left + right, runs[0].answer, expected,
              "stages " + std::to_string(runs[0].stages));
    brasa_row(w, std::string(m) + ", co-partitioned", co, left + right, runs[1].answer, expected,
              "stages " + std::to_string(runs[1].stages));
  }
}

void Suite::tiny_job() {
  const std::string w = "5 tiny job";
  for (const char* m : opt_.on({"local[2]", "local-cluster[2,1]"})) {
    brasa::Context ctx(bench_conf(m));
    for (int i = 0; i < 10; ++i) brasa::bench::tiny_job(ctx);
    auto t = timings(100);
    int64_t n = t.time([&] { return brasa::bench::tiny_job(ctx); });
    brasa_row(w, m, t, 0, {n, 0, 0}, {2, 0, 0}, "median of 100");
  }
  peers(w, "tiny 100", 0, {});
}

void Suite::empty_tasks() {
  const std::string w = "12 empty tasks";
  constexpr int kTasks = 2000;
  for (const char* m : opt_.on({"local[2]", "local-cluster[2,1]"})) {
    brasa::Context ctx(bench_conf(m));
    brasa::bench::empty_tasks(ctx, 100);  // warm-up: plans, connections
    auto t = timings();
    int64_t n = t.time([&] { return brasa::bench::empty_tasks(ctx, kTasks); });
    brasa_row(w, m, t, kTasks, {n, 0, 0}, {kTasks, 0, 0}, "one job of 2000 tasks; records/s = tasks/s");
  }
}

void Suite::start_up() {
  const std::string w = "6 start-up";
  for (const char* m : opt_.on({"local[2]", "local-cluster[2,1]"})) {
    Timings t;
    for (int i = 0; i < opt_.runs; ++i) {
      double ready = 0;
      run_child(self_exe() + " --child startup '" + m + "'", &ready);
      t.seconds.push_back(ready);
    }
    brasa_row(w, m, t, 0, {}, {}, "process start to first result");
  }
  if (!fs::exists(opt_.python)) return;
  Timings t;
  try {
    for (int i = 0; i < opt_.runs; ++i) {
      double ready = 0;
      run_child(opt_.python + " " + opt_.peers + " startup 2>/dev/null", &ready);
      if (ready > 0) t.seconds.push_back(ready);
    }
  } catch (const std::exception& e) {
    std::printf("skip: %s peers failed: %s\n", w.c_str(), e.what());
  }
  if (!t.seconds.empty()) reference_row(w, "dask LocalCluster + Client", "2 workers x 1 thread", t, 0, {}, {});
}

void Suite::pagerank() {
  const std::string w = "7 PageRank iteration";
  int scale = opt_.scale >= 1 ? 17 : std::max(6, 17 + static_cast<int>(std::floor(std::log2(opt_.scale))));
  int64_t edges = opt_.n(2e6);
  const int iterations = 10;
  auto later = [](const Timings& t) {  // iterations 2.. : the first also pays for caching the links
    Timings l;
    l.seconds.assign(t.seconds.begin() + 1, t.seconds.end());
    return l;
  };
  Timings t;
  Answer expected = pagerank_hand(scale, edges, iterations, t);
  reference_row(w, "hand loop (CSR)", "1 thread", later(t), edges, expected, expected);
  for (const char* m : opt_.on(kMasters)) {
    bool local = std::string(m) != "local-cluster[2,1]";
    for (auto form : {PageRankForm::kJoin, PageRankForm::kZipPartitions}) {
      brasa::Context ctx(bench_conf(m));
      double copied = 0;
      Answer got = pagerank_brasa(ctx, scale, edges, iterations, kPartitions, form, t, &copied);
      std::string note = "median of iterations 2-10";
      if (local) {
        char mb[32];
        std::snprintf(mb, sizeof mb, "%.1f MB", copied / 1e6);
        note += std::string("; cached records copied per iteration: ") + mb;
      }
      bool join = form == PageRankForm::kJoin;
      brasa_row(w, join ? std::string(m) : std::string(m) + ", zip_partitions", later(t), edges, got, expected, note);
    }
  }
}

// Workload 10: how close reading a cached RDD comes to reading an array.
void Suite::cached_sum() {
  const std::string w = "10 cached sum";
  int64_t n = opt_.n(5e7);
  auto hand = cached_sum_hand(n);
  bool first = true;
  for (const char* m : opt_.on({"local[1]", "local[2]"})) {
    brasa::Context ctx(bench_conf(m));
    Timings th, tb;  // timed in turn
    auto got =
        time_in_turn<Answer>(std::max(opt_.runs, 5), {{&th, hand}, {&tb, cached_sum_brasa(ctx, n, kPartitions)}});
    if (first) reference_row(w, "hand loop (array)", "1 thread", th, static_cast<double>(n), got[0], got[0]);
    first = false;
    brasa_row(w, m, tb, static_cast<double>(n), got[1], got[0]);
  }
}

// Workload 11: per-iteration cost must not grow with the iteration count.
void Suite::join_loop() {
  const std::string w = "11 join loop iteration";
  int64_t keys = opt_.n(2e5);
  auto median_of = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  for (auto [m, iterations] : {std::pair<const char*, int>{"local[2]", 1000}, {"local-cluster[2,1]", 300}}) {
    if (opt_.on({m}).empty()) continue;
    brasa::Context ctx(bench_conf(m));
    Timings t;
    std::vector<double> rss;
    Answer got = join_loop_brasa(ctx, keys, iterations, 8, t, &rss);
    std::vector<double> early(t.seconds.begin() + 10, t.seconds.begin() + 30), late(t.seconds.end() - 20, t.seconds.end());
    double growth = median_of(late) / median_of(early);
    Timings end{1, {median_of(late)}};
    char note[160];
    std::snprintf(note, sizeof note, "last 20 of %d iterations: %.2fx iterations 11-30; driver RSS %.0f -> %.0f MB",
                  iterations, growth, rss[29], rss.back());
    brasa_row(w, m, end, static_cast<double>(keys), got, join_loop_hand(keys, iterations), note);
    target(growth <= 1.2, std::string("join loop on ") + m + ": last iterations at most 1.2x iterations 11-30: " +
                              std::to_string(growth).substr(0, 4) + "x");
    target(rss.back() <= 1.2 * rss[29], std::string("join loop on ") + m + ": driver memory flat (" +
                                            std::to_string(static_cast<int>(rss[29])) + " -> " +
                                            std::to_string(static_cast<int>(rss.back())) + " MB)");
  }
}

// Workloads 8 and 9 run in child processes, so that each has its own peak RSS.
void Suite::memory_and_spill() {
  int64_t keys = opt_.n(1e5);
  auto child = [&](int64_t pairs, const std::string& storage, const std::string& shuffle) {
    auto lines = run_child(self_exe() + " --child reduce_by_key " + std::to_string(pairs) + " " +
                           std::to_string(keys) + " " + storage + " " + shuffle);
    if (lines.empty()) throw std::runtime_error("reduce_by_key child printed nothing");
    return fields(lines.back());
  };
  if (opt_.wants(8)) {
    int64_t pairs = opt_.n(1e7);
    auto f = child(pairs, "2g", "1g");
    double cached = std::stod(f["cached"]), raw = 16.0 * static_cast<double>(pairs);
    Timings t{1, {std::stod(f["seconds"])}};
    Answer got{std::stoll(f["records"]), std::stoull(f["digest"]), 0};
    brasa_row("8 memory", "local[2]", t, pairs, got, reduce_by_key_expected(pairs, keys),
              "cache " + mb(cached) + " = " + std::to_string(cached / raw).substr(0, 4) + "x raw; peak RSS " +
                  mb(std::stod(f["rss"])));
    target(cached <= 1.2 * raw, "cache of primitive pairs at most 1.2x raw size: " +
                                    std::to_string(cached / raw).substr(0, 4) + "x");
  }
  if (opt_.wants(9)) {
    int64_t small = opt_.n(1e7), big = opt_.n(2e8);
    auto in_memory = child(small, "2g", "1g");
    auto spilled = child(big, "384m", "64m");  // 384 MB storage + 2 tasks x 64 MB shuffle = 512 MB
    double per_mem = std::stod(in_memory["seconds"]) / static_cast<double>(small);
    double per_spill = std::stod(spilled["seconds"]) / static_cast<double>(big);
    Timings t{1, {std::stod(spilled["seconds"])}};
    Answer got{std::stoll(spilled["records"]), std::stoull(spilled["digest"]), 0};
    char note[160];
    std::snprintf(note, sizeof note, "%.1f ns/record vs %.1f ns in memory (%.2fx); cached in memory %s; peak RSS %s",
                  per_spill * 1e9, per_mem * 1e9, per_spill / per_mem, mb(std::stod(spilled["cached"])).c_str(),
                  mb(std::stod(spilled["rss"])).c_str());
    Answer expected = reduce_by_key_expected(big, keys);
    brasa_row("9 spill, 512 MB budget", "local[2]", t, big, got, expected, note);
    target(got == expected && per_spill <= 2 * per_mem,
           "spilling run right and at most 2x the in-memory time per record: " +
               std::to_string(per_spill / per_mem).substr(0, 4) + "x");
  }
}

int Suite::run() {
  fs::create_directories(opt_.out);
  report_.print_header();
  if (opt_.wants(1)) reduce_by_key();
  if (opt_.wants(2)) word_count();
  if (opt_.wants(3)) sort();
  if (opt_.wants(4)) join();
  if (opt_.wants(5)) tiny_job();
  if (opt_.wants(6)) start_up();
  if (opt_.wants(7)) pagerank();
  if (opt_.wants(10)) cached_sum();
  if (opt_.wants(11)) join_loop();
  if (opt_.wants(12)) empty_tasks();
  memory_and_spill();

  // The targets, from this run.
  auto time_of = [&](const char* w, const char* system, const std::string& config = "") {
    const Row* r = report_.find(w, system, config);
    return r ? r->seconds : 0.0;
  };
  auto ratio = [](double slow, double fast) { return fast > 0 ? slow / fast : 0.0; };
  auto x = [](double v) { return std::to_string(v).substr(0, std::to_string(v).find('.') + 3) + "x"; };
  if (double dask = time_of("1 reduce_by_key", "dask dataframe groupby"); dask > 0) {
    double l2 = time_of("1 reduce_by_key", "brasa", "local[2]"), lc = time_of("1 reduce_by_key", "brasa", "local-cluster[2,1]");
    target(ratio(dask, l2) >= 10, "reduce_by_key local[2] at least 10x faster than Dask groupby: " + x(ratio(dask, l2)));
    target(ratio(dask, lc) >= 5, "reduce_by_key local-cluster[2,1] at least 5x faster than Dask groupby: " + x(ratio(dask, lc)));
    double np = time_of("1 reduce_by_key", "numpy bincount");
    target(ratio(l2, np) <= 5, "reduce_by_key local[2] within 5x of numpy bincount: " + x(ratio(l2, np)));
  }
  if (auto dask = runs_.find({"2 word count", "dask bag"}); dask != runs_.end() && !dask->second.empty()) {
    auto brasa_runs = runs_.find({"2 word count", "brasa local[2]"});
    if (brasa_runs != runs_.end() && !brasa_runs->second.empty()) {
      const auto& brasa = brasa_runs->second;
      double slowest = *std::max_element(brasa.begin(), brasa.end());
      double fastest = *std::min_element(dask->second.begin(), dask->second.end());
      target(fastest >= 2 * slowest, "word count local[2] at least 2x faster than Dask bag in every run (its slowest "
                                     "run against Dask's fastest): " + x(ratio(fastest, slowest)));
    }
  }
  if (double hand = time_of("2 word count", "hand loop (flat hash map)"); hand > 0) {
    double one = time_of("2 word count", "brasa", "local[1]");
    if (one > 0) target(one <= hand, "word count local[1] at least as fast as the hand loop: " + x(ratio(one, hand)));
  }
  for (const char* w : {"1 reduce_by_key", "2 word count", "3 sort_by_key"}) {
    double one = time_of(w, "brasa", "local[1]"), two = time_of(w, "brasa", "local[2]");
    if (one > 0 && two > 0) target(ratio(one, two) >= 1.7, std::string(w) + ": local[2] at least 1.7x faster than local[1]: " + x(ratio(one, two)));
  }
  if (double l = time_of("5 tiny job", "brasa", "local[2]"); l > 0) {
    target(l < 1e-3, "tiny job under 1 ms in local[2]: " + std::to_string(l * 1e3).substr(0, 5) + " ms");
  }
  if (double c = time_of("5 tiny job", "brasa", "local-cluster[2,1]"); c > 0) {
    target(c < 5e-3, "tiny job under 5 ms on local-cluster[2,1]: " + std::to_string(c * 1e3).substr(0, 5) + " ms");
  }
  if (double c = time_of("12 empty tasks", "brasa", "local-cluster[2,1]"); c > 0)
    target(2000 / c >= 20000, "local-cluster[2,1] runs at least 20,000 empty tasks/s: " +
                                  std::to_string(static_cast<int64_t>(2000 / c)) + "/s");
  if (double s = time_of("6 start-up", "brasa", "local-cluster[2,1]"); s > 0)
    target(s < 0.3, "local-cluster[2,1] start-up under 0.3 s: " + std::to_string(s).substr(0, 5) + " s");
  if (const Row* co = report_.find("4 join", "brasa", "local[2], co-partitioned")) {
    double shuffled = time_of("4 join", "brasa", "local[2], shuffled");
    target(co->note == "stages 1" && ratio(shuffled, co->seconds) >= 3,
           "co-partitioned join runs 1 stage (" + co->note + ") and is at least 3x faster than shuffled: " +
               x(ratio(shuffled, co->seconds)));
  }
  if (double hand = time_of("10 cached sum", "hand loop (array)"); hand > 0) {
    double one = time_of("10 cached sum", "brasa", "local[1]");
    if (one > 0) target(ratio(one, hand) <= 1.3, "cached sum local[1] within 1.3x of the array loop: " + x(ratio(one, hand)));
  }
  if (double hand = time_of("7 PageRank iteration", "hand loop (CSR)"); hand > 0) {
    for (const char* m : opt_.on(kMasters))
      target(ratio(time_of("7 PageRank iteration", "brasa", m), hand) <= 10,
             std::string("PageRank iteration on ") + m + " within 10x of the CSR loop: " +
                 x(ratio(time_of("7 PageRank iteration", "brasa", m), hand)));
  }
  if (double l2 = time_of("7 PageRank iteration", "brasa", "local[2]"); l2 > 0) {
    double lc = time_of("7 PageRank iteration", "brasa", "local-cluster[2,1]");
    if (lc > 0)
      target(ratio(lc, l2) <= 2, "PageRank iteration on local-cluster[2,1] at most 2x its local[2] time: " +
                                     x(ratio(lc, l2)));
  }

  std::printf("\nTargets (issues 8 and 14):\n");
  std::ofstream md(fs::path(opt_.out) / "targets.txt");
  for (auto& t : targets_) {
    std::printf("  %s\n", t.c_str());
    md << t << '\n';
  }
  report_.write_csv((fs::path(opt_.out) / "core.csv").string());
  report_.write_svg((fs::path(opt_.out) / "core.svg").string());
  std::printf("\nwrote %s/core.csv, core.svg and targets.txt\n", opt_.out.c_str());
  if (wrong_) std::printf("some systems gave a WRONG ANSWER (see the table)\n");
  return wrong_ ? 1 : 0;
}

// ---- child modes ------------------------------------------------------------------------

int child_startup(const std::string& master) {
  brasa::Context ctx(bench_conf(master));
  std::printf("ready %lld\n", static_cast<long long>(brasa::bench::tiny_job(ctx)));
  std::fflush(stdout);
  return 0;
}

int child_reduce_by_key(int64_t pairs, int64_t keys, const std::string& storage, const std::string& shuffle) {
  brasa::Context ctx(bench_conf("local[2]").set("brasa.memory.storage", storage).set("brasa.memory.shuffle", shuffle));
  Timings t{1, {}};
  auto run = reduce_by_key_brasa(ctx, pairs, keys, kPartitions, t);
  std::printf("seconds=%.6f\trecords=%lld\tdigest=%llu\tcached=%zu\trss=%zu\n", t.median(),
              static_cast<long long>(run.answer.records), static_cast<unsigned long long>(run.answer.digest),
              run.cached_bytes, peak_rss());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"brasa-bench-core: the core benchmark suite against hand loops, numpy, pandas and Dask"};
  Options o;
  std::string only;
  std::vector<std::string> child;
  app.add_option("--out", o.out, "directory for core.csv, core.svg and targets.txt");
  app.add_option("--runs", o.runs, "timed runs per configuration (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--scale", o.scale, "multiplies every data size (1 = the issue's sizes)")->check(CLI::PositiveNumber);
  app.add_option("--only", o.only, "workload numbers to run (1-12), comma-separated")->delimiter(',')->check(CLI::Range(1, 12));
  // Space-separated: a comma would split local-cluster[2,1].
  app.add_option("--masters", o.masters, "Brasa masters to run (local[1], local[2], local-cluster[2,1]), space-separated")
      ->check(CLI::IsMember({"local[1]", "local[2]", "local-cluster[2,1]"}));
  app.add_option("--python", o.python, "Python with numpy, pandas and Dask (Debian's python3-dask)");
  app.add_option("--child", child, "internal: run one measurement in a child process")->group("");
  CLI11_PARSE(app, argc, argv);
  try {
    if (!child.empty()) {
      if (child[0] == "startup" && child.size() == 2) return child_startup(child[1]);
      if (child[0] == "reduce_by_key" && child.size() == 5)
        return child_reduce_by_key(std::stoll(child[1]), std::stoll(child[2]), child[3], child[4]);
      throw std::invalid_argument("unknown --child mode");
    }
    return Suite(o).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-bench-core: %s\n", e.what());
    return 1;
  }
}
