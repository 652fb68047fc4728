#include "workloads.h"


#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "brasa/brasa.h"
#include "brasa/util/flat_hash_map.h"

namespace brasa::bench {

using Pair = std::pair<int64_t, int64_t>;

double Timings::now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Timings::median() const {
  if (seconds.empty()) return 0;
  auto s = seconds;
  std::sort(s.begin(), s.end());
  return s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2;
}

bool Answer::operator==(const Answer& o) const {
  return records == o.records && digest == o.digest && std::abs(sum - o.sum) <= 1e-9 * std::max(1.0, std::abs(sum));
}

std::string to_string(const Answer& a) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%lld records, digest %016llx, sum %.9g", static_cast<long long>(a.records),
                static_cast<unsigned long long>(a.digest), a.sum);
  return buf;
}

uint64_t word_hash(const std::string& w) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : w) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

namespace {

// Digest of pair records, accumulated where they are (no collect).
struct PairDigest {
  int64_t records = 0;
  uint64_t digest = 0;
};
struct AddPair {
  PairDigest operator()(PairDigest d, const Pair& r) const {
    return {d.records + 1, d.digest + record_mix(static_cast<uint64_t>(r.first), static_cast<uint64_t>(r.second))};
  }
};
struct MergeDigests {
  PairDigest operator()(PairDigest a, const PairDigest& b) const { return {a.records + b.records, a.digest + b.digest}; }
};

Answer digest_of(const std::vector<Pair>& records) {
  Answer a;
  for (auto& [k, v] : records) {
    ++a.records;
    a.digest += record_mix(static_cast<uint64_t>(k), static_cast<uint64_t>(v));
  }
  return a;
}

template <class Map> Answer word_digest(const Map& counts) {
  Answer a;
  for (auto& [w, c] : counts) {
    ++a.records;
    a.digest += record_mix(word_hash(std::string(w)), static_cast<uint64_t>(c));
  }
  return a;
}

int64_t sort_key(int64_t i) { return static_cast<int64_t>(splitmix64(static_cast<uint64_t>(i) ^ kSortSeed)); }

// One sorted partition, summarised: its key range, whether it is in order,
// and the digest of its records.
struct SortedPart {
  int partition = 0;
  int64_t records = 0;
  int64_t first = 0, last = 0;
  uint64_t digest = 0;
  bool in_order = true;
};

}  // namespace

// ---- 1. reduce_by_key ----------------------------------------------------------------

ReduceByKeyRun reduce_by_key_brasa(Context& ctx, int64_t pairs, int64_t keys, int partitions, Timings& t) {
  auto input = ctx.range(0, pairs, 1, partitions).map([keys](int64_t i) { return Pair{pair_key(i, keys), 1}; });
  input.persist(StorageLevel::memory_and_disk());
  input.count();
  ReduceByKeyRun run;
  run.cached_bytes = ctx.runtime().block_manager().memory_used();
  auto sums = t.time([&] { return input.reduce_by_key([](int64_t a, int64_t b) { return a + b; }).collect(); });
  run.answer = digest_of(sums);
  input.unpersist();
  return run;
}

Answer reduce_by_key_hand(int64_t pairs, int64_t keys, Timings& t) {
  std::vector<Pair> input(static_cast<size_t>(pairs));
  for (int64_t i = 0; i < pairs; ++i) input[static_cast<size_t>(i)] = {pair_key(i, keys), 1};
  auto sums = t.time([&] {
    std::unordered_map<int64_t, int64_t> s;
    for (auto& [k, v] : input) s[k] += v;
    return s;
  });
  return digest_of({sums.begin(), sums.end()});
}

Answer reduce_by_key_expected(int64_t pairs, int64_t keys) {
  std::vector<int64_t> sums(static_cast<size_t>(keys));
  for (int64_t i = 0; i < pairs; ++i) ++sums[static_cast<size_t>(pair_key(i, keys))];
  Answer a;
  for (int64_t k = 0; k < keys; ++k)
    if (sums[static_cast<size_t>(k)]) {
      ++a.records;
      a.digest += record_mix(static_cast<uint64_t>(k), static_cast<uint64_t>(sums[static_cast<size_t>(k)]));
    }
  return a;
}

// ---- 2. word count ---------------------------------------------------------------------

void write_words(const std::string& path, int64_t bytes) {
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
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  std::string line;
  int64_t written = 0;
  while (written < bytes) {
    line.clear();
    for (int j = 0; j < 10; ++j) {
      if (j) line.push_back(' ');
      line += vocab[pick(rng)];
    }
    line.push_back('\n');
    out << line;
    written += static_cast<int64_t>(line.size());
  }
}

Answer word_count_brasa(Context& ctx, const std::string& path, int partitions, WordCount how, Timings& t) {
  auto text = [&] {
    return ctx.text_file(path, partitions).flat_map([](const std::string& line) { return words(line); });
  };
  if (how == WordCount::kCountByValue) return word_digest(t.time([&] { return text().count_by_value(); }));
  auto counts = t.time([&] {
    return text()
        .map([](std::string w) { return std::pair{std::move(w), int64_t{1}}; })
        .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
        .collect();
  });
  return word_digest(counts);
}

// What a competent programmer writes for one machine: read the file in
// 1 MiB pieces into one reused buffer (as Brasa's text input does; reading
// 200 MB into fresh memory costs more than counting it on this machine),
// split on spaces and newlines in place, count in an open-addressing map
// that hashes and compares inline and copies a word only when it is new
// (the table Brasa's combiners use, so the gap to Brasa's local[1] is the
// engine's own cost; Debian's absl::flat_hash_map hashes strings out of
// line).
Answer word_count_hand(const std::string& path, Timings& t) {
  FlatHashMap<std::string, int64_t> counts;
  t.time([&] {
    counts = {};
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<char> buf(size_t{1} << 20);
    size_t kept = 0;  // the start of a word cut by the end of the last piece
    bool inserted;
    auto count = [&](const char* p, const char* q) {
      std::string_view w(p, static_cast<size_t>(q - p));
      ++counts.find_or_insert(w, hash_of(w), [] { return int64_t{0}; }, inserted);
    };
    while (true) {
      in.read(buf.data() + kept, static_cast<std::streamsize>(buf.size() - kept));
      size_t n = kept + static_cast<size_t>(in.gcount());
      bool last = n < buf.size();
      const char* p = buf.data();
      const char* end = p + n;
      while (true) {
        const char* q = p;
        while (q < end && *q != ' ' && *q != '\n') ++q;
        if (q == end && !last) break;  // a word cut in two: finish it with the next piece
        if (q > p) count(p, q);
        if (q == end) break;
        p = q + 1;
      }
      if (last) break;
      kept = static_cast<size_t>(end - p);
      std::memmove(buf.data(), p, kept);
      if (kept == buf.size()) buf.resize(2 * buf.size());  // one word longer than the buffer
    }
    return 0;
  });
  return word_digest(counts.entries());
}

Answer word_count_shell(const std::string& path, Timings& t) {
  std::string out = path + ".uniq";
  std::string cmd = "LC_ALL=C tr -s ' ' '\\n' < '" + path + "' | LC_ALL=C sort | LC_ALL=C uniq -c > '" + out + "'";
  t.time([&] {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
    return 0;
  });
  std::unordered_map<std::string, int64_t> counts;
  std::ifstream in(out);
  int64_t c;
  std::string w;
  while (in >> c >> w) counts[w] += c;
  std::remove(out.c_str());
  return word_digest(counts);
}

// ---- 3. sort -----------------------------------------------------------------------------

Answer sort_brasa(Context& ctx, int64_t records, int partitions, Timings& t) {
  auto input = ctx.range(0, records, 1, partitions).map([](int64_t i) { return Pair{sort_key(i), i}; });
  input.cache();
  input.count();
  auto parts = t.time([&] {
    return input.sort_by_key(true, partitions)
        .map_partitions_with_index([](int p, std::vector<Pair>&& part) {
          SortedPart s;
          s.partition = p;
          for (size_t i = 0; i < part.size(); ++i) {
            if (i > 0 && part[i].first < part[i - 1].first) s.in_order = false;
            s.digest += record_mix(static_cast<uint64_t>(part[i].first), static_cast<uint64_t>(part[i].second));
          }
          s.records = static_cast<int64_t>(part.size());
          if (!part.empty()) s.first = part.front().first, s.last = part.back().first;
          return std::vector<SortedPart>{s};
        })
        .collect();
  });
  input.unpersist();
  Answer a;
  a.sum = 1;
  int64_t previous = INT64_MIN;
  for (auto& s : parts) {  // collect keeps partition order
    a.records += s.records;
    a.digest += s.digest;
    if (!s.in_order || (s.records && s.first < previous)) a.sum = 0;
    if (s.records) previous = s.last;
  }
  return a;
}

Answer sort_hand(int64_t records, Timings& t) {
  std::vector<Pair> input(static_cast<size_t>(records));
  for (int64_t i = 0; i < records; ++i) input[static_cast<size_t>(i)] = {sort_key(i), i};
  auto sorted = t.time([&] {
    auto v = input;
    std::sort(v.begin(), v.end(), [](const Pair& a, const Pair& b) { return a.first < b.first; });
    return v;
  });
  Answer a = digest_of(sorted);
  a.sum = std::is_sorted(sorted.begin(), sorted.end(), [](const Pair& x, const Pair& y) { return x.first < y.first; });
  return a;
}

// ---- 4. join -----------------------------------------------------------------------------

namespace {
struct AddJoined {
  PairDigest operator()(PairDigest d, const std::pair<int64_t, Pair>& r) const {
    return AddPair{}(d, Pair{r.first, r.second.first * 7 + r.second.second});
  }
};
}  // namespace

std::function<JoinRun()> join_brasa(Context& ctx, int64_t left, int64_t right, int partitions,
                                    bool co_partitioned) {
  auto l = ctx.range(0, left, 1, partitions).map([right](int64_t i) { return Pair{pair_key(i, right), i}; });
  auto r = ctx.range(0, right, 1, partitions).map([](int64_t k) { return Pair{k, 3 * k}; });
  if (co_partitioned) {
    l = l.partition_by(Partitioner::hash(partitions));
    r = r.partition_by(Partitioner::hash(partitions));
  }
  l.cache().count();
  r.cache().count();
  return [&ctx, l, r] {
    auto d = l.join(r).aggregate(PairDigest{}, AddJoined{}, MergeDigests{});
    JoinRun run;
    run.stages = ctx.last_job().stages_run;
    run.answer.records = d.records;
    run.answer.digest = d.digest;
    return run;
  };
}

Answer join_hand(int64_t left, int64_t right, Timings& t) {
  std::vector<Pair> l(static_cast<size_t>(left)), r(static_cast<size_t>(right));
  for (int64_t i = 0; i < left; ++i) l[static_cast<size_t>(i)] = {pair_key(i, right), i};
  for (int64_t k = 0; k < right; ++k) r[static_cast<size_t>(k)] = {k, 3 * k};
  auto d = t.time([&] {
    std::unordered_multimap<int64_t, int64_t> table(r.begin(), r.end());
    PairDigest d;
    for (auto& [k, v] : l) {
      auto [b, e] = table.equal_range(k);
      for (auto it = b; it != e; ++it) d = AddJoined{}(d, {k, {v, it->second}});
    }
    return d;
  });
  return {d.records, d.digest, 0};
}

// ---- 5. tiny job -----------------------------------------------------------------------

int64_t tiny_job(Context& ctx) { return ctx.parallelize(std::vector<int64_t>{1, 2}, 2).count(); }

int64_t empty_tasks(Context& ctx, int tasks) { return ctx.range(0, tasks, 1, tasks).count(); }

// ---- 7. PageRank ---------------------------------------------------------------------

// R-MAT (a, b, c, d) = (0.57, 0.19, 0.19, 0.05): one quadrant choice per bit.
std::pair<int64_t, int64_t> rmat_edge(int scale, int64_t i) {
  int64_t src = 0, dst = 0;
  for (int level = 0; level < scale; ++level) {
    double r = static_cast<double>(splitmix64(static_cast<uint64_t>(i) * 64 + static_cast<uint64_t>(level)) >> 11) *
               0x1.0p-53;
    int64_t bit = int64_t{1} << level;
    if (r >= 0.57 + 0.19 + 0.19) src |= bit, dst |= bit;
    else if (r >= 0.57 + 0.19) src |= bit;
    else if (r >= 0.57) dst |= bit;
  }
  return {src, dst};
}

std::vector<std::pair<int64_t, int64_t>> rmat_edges(int scale, int64_t edges) {
  std::vector<std::pair<int64_t, int64_t>> out(static_cast<size_t>(edges));
  for (int64_t i = 0; i < edges; ++i) out[static_cast<size_t>(i)] = rmat_edge(scale, i);
  return out;
}

namespace {
struct RankDigest {
  int64_t records = 0;
  uint64_t digest = 0;
  double sum = 0;
};
}  // namespace

Answer pagerank_brasa(Context& ctx, int scale, int64_t edges, int iterations, int partitions, PageRankForm form,
                      Timings& t, double* cached_copied_per_iteration) {
  using Links = std::pair<int64_t, std::vector<int64_t>>;
  using Rank = std::pair<int64_t, double>;
  auto by_vertex = Partitioner::hash(partitions);
  auto links = ctx.range(0, edges, 1, partitions)
                   .map([scale](int64_t i) { return rmat_edge(scale, i); })
                   .group_by_key(by_vertex);
  links.cache().count();
  RDD<Rank> ranks = links.map_values([](const std::vector<int64_t>&) { return 1.0; });
  t.seconds.clear();
  size_t copied_before = 0;
  for (int it = 0; it < iterations; ++it) {
    if (it == 1) copied_before = cached_bytes_copied();  // the first iteration also caches
    double start = Timings::now();
    RDD<Rank> contributions;
    if (form == PageRankForm::kJoin) {
      contributions = links.join(ranks).flat_map([](const std::pair<int64_t, std::pair<std::vector<int64_t>, double>>& r) {
        const auto& [dsts, rank] = r.second;
        std::vector<Rank> out;
        out.reserve(dsts.size());
        double share = rank / static_cast<double>(dsts.size());
        for (int64_t d : dsts) out.emplace_back(d, share);
        return out;
      });
    } else {  // both laid out by vertex: read the cached links in place
      contributions = links.zip_partitions(ranks, [](std::span<const Links> l, std::span<const Rank> r) {
        FlatHashMap<int64_t, double> rank_of;
        bool inserted = false;
        for (const auto& [v, rank] : r) rank_of.find_or_insert(v, hash_of(v), [&] { return rank; }, inserted);
        std::vector<Rank> out;
        for (const auto& [v, dsts] : l)
          if (const double* rank = rank_of.find(v)) {
            double share = *rank / static_cast<double>(dsts.size());
            for (int64_t d : dsts) out.emplace_back(d, share);
          }
        return out;
      });
    }
    auto next = contributions.reduce_by_key([](double a, double b) { return a + b; }, by_vertex)
                    .map_values([](double s) { return 0.15 + 0.85 * s; });
    next.cache().count();
    ranks.unpersist();
    ranks = next;
    t.seconds.push_back(Timings::now() - start);
  }
  if (cached_copied_per_iteration && iterations > 1)
    *cached_copied_per_iteration = static_cast<double>(cached_bytes_copied() - copied_before) / (iterations - 1);
  auto d = ranks.aggregate(
      RankDigest{},
      [](RankDigest d, const std::pair<int64_t, double>& r) {
        return RankDigest{d.records + 1, d.digest + splitmix64(static_cast<uint64_t>(r.first)), d.sum + r.second};
      },
      [](RankDigest a, const RankDigest& b) { return RankDigest{a.records + b.records, a.digest + b.digest, a.sum + b.sum}; });
  links.unpersist();
  return {d.records, d.digest, d.sum};
}

Answer pagerank_hand(int scale, int64_t edges, int iterations, Timings& t) {
  // CSR of out-edges: offsets by source, then destinations.
  size_t n = size_t{1} << scale;
  auto list = rmat_edges(scale, edges);
  std::vector<int64_t> offsets(n + 1, 0), dsts(list.size());
  for (auto& [s, d] : list) ++offsets[static_cast<size_t>(s) + 1];
  for (size_t v = 0; v < n; ++v) offsets[v + 1] += offsets[v];
  {
    auto fill = offsets;
    for (auto& [s, d] : list) dsts[static_cast<size_t>(fill[static_cast<size_t>(s)]++)] = d;
  }
  // Spark's example keeps ranks only for vertices that received a
  // contribution; `has_rank` mirrors that.
  std::vector<double> rank(n), sums(n);
  std::vector<char> has_rank(n), received(n);
  for (size_t v = 0; v < n; ++v) {
    has_rank[v] = offsets[v + 1] > offsets[v];
    rank[v] = 1.0;
  }
  t.seconds.clear();
  for (int it = 0; it < iterations; ++it) {
    double start = Timings::now();
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(received.begin(), received.end(), 0);
    for (size_t u = 0; u < n; ++u) {
      int64_t b = offsets[u], e = offsets[u + 1];
      if (!has_rank[u] || b == e) continue;
      double share = rank[u] / static_cast<double>(e - b);
      for (int64_t j = b; j < e; ++j) {
        sums[static_cast<size_t>(dsts[static_cast<size_t>(j)])] += share;
        received[static_cast<size_t>(dsts[static_cast<size_t>(j)])] = 1;
      }
    }
    for (size_t v = 0; v < n; ++v) rank[v] = 0.15 + 0.85 * sums[v];
    has_rank.swap(received);
    t.seconds.push_back(Timings::now() - start);
  }
  Answer a;
  for (size_t v = 0; v < n; ++v)
    if (has_rank[v]) {
      ++a.records;
      a.digest += splitmix64(v);
      a.sum += rank[v];
    }
  return a;
}

// ---- 10. cached sum ---------------------------------------------------------------------

std::function<Answer()> cached_sum_brasa(Context& ctx, int64_t n, int partitions) {
  auto values = ctx.range(0, n, 1, partitions).cache();
  values.count();
  return [values, n] {
    int64_t sum = values.reduce([](int64_t a, int64_t b) { return a + b; });
    return Answer{n, static_cast<uint64_t>(sum), 0};
  };
}

std::function<Answer()> cached_sum_hand(int64_t n) {
  auto values = std::make_shared<std::vector<int64_t>>(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) (*values)[static_cast<size_t>(i)] = i;
  return [values, n] {
    int64_t s = 0;
    for (int64_t v : *values) s += v;
    return Answer{n, static_cast<uint64_t>(s), 0};
  };
}

// ---- 11. co-partitioned join loop -------------------------------------------------------

namespace {
// Resident set size of this process now, in MB.
double rss_now_mb() {
  std::ifstream statm("/proc/self/statm");
  double pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}
// The loop's step: value v with link l becomes (v * 3 + l) mod 1000003.
inline int64_t join_step(int64_t l, int64_t v) { return (v * 3 + l) % 1000003; }
}  // namespace

Answer join_loop_brasa(Context& ctx, int64_t keys, int iterations, int partitions, Timings& t,
                       std::vector<double>* rss_mb) {
  auto part = Partitioner::hash(partitions);
  auto links = ctx.range(0, keys, 1, partitions).map([](int64_t k) { return Pair{k, k % 7}; }).partition_by(part).cache();
  auto values = links.map_values([](int64_t) { return int64_t{1}; }).cache();
  values.count();
  t.seconds.clear();
  for (int i = 0; i < iterations; ++i) {
    double start = Timings::now();
    // Co-partitioned: the join and map_values keep the partitioner, so no shuffle.
    auto next = links.join(values).map_values(
        [](const std::pair<int64_t, int64_t>& lv) { return join_step(lv.first, lv.second); });
    next.cache();
    next.count();
    values.unpersist();
    values = next;
    t.seconds.push_back(Timings::now() - start);
    if (rss_mb) rss_mb->push_back(rss_now_mb());
  }
  auto d = values.aggregate(PairDigest{}, AddPair{}, MergeDigests{});
  return {d.records, d.digest, 0};
}

Answer join_loop_hand(int64_t keys, int iterations) {
  std::vector<int64_t> v(static_cast<size_t>(keys), 1);
  for (int i = 0; i < iterations; ++i)
    for (int64_t k = 0; k < keys; ++k) v[static_cast<size_t>(k)] = join_step(k % 7, v[static_cast<size_t>(k)]);
  PairDigest d;
  for (int64_t k = 0; k < keys; ++k) d = AddPair{}(d, Pair{k, v[static_cast<size_t>(k)]});
  return {d.records, d.digest, 0};
}

}  // namespace brasa::bench
