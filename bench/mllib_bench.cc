// brasa-bench-mllib: mllib's training iterations against a direct
// single-threaded Eigen loop and scikit-learn, on the same generated data,
// in one run:
//   K1 k-means Lloyd iteration (10^6 points x 20 features, k = 20), with two
//      loops: Eigen's products at the baseline instruction set, and mllib's
//      own distance kernel (AVX2 where the processor has it);
//   L1 logistic regression L-BFGS iteration (10^6 points x 100 features),
//      with loops on Eigen (chunked as mllib's blocks, and whole) and on
//      mllib's own kernels;
//   T1, T2 whole fits of a decision tree and a 20-tree random forest (depth
//      5, 32 bins; 2 x 10^5 points of 20 features from L1's generator),
//      against a single-threaded histogram loop (the tree) and scikit-learn;
//   A1 ALS iteration, explicit and implicit feedback (10^6 ratings of
//      10^4 users x 2 x 10^3 items, a rank-10 matrix plus noise; ALS rank
//      10, reg_param 0.1, implicit alpha 1 (Spark's default), 10 x 10
//      blocks). The loop solves the same normal equations (ALS-WR;
//      Hu-Koren-Volinsky with YtY) from mllib's own initial factors, and
//      the models must agree after the same iterations.
// Brasa runs on local[1], local[2] and local-cluster[2,1]; its time per
// iteration is (fit with max_iter = 1 + M minus fit with max_iter = 1) / M,
// tol 0, so that blocking the data, initialisation and the first pass's
// caching cancel out. The peers' per-iteration times are taken the same way
// (bench/mllib_peers.py: scikit-learn, which has no ALS). Prints a table
// and the ratios against the targets, and writes mllib.csv and mllib.svg.
//
// The data is a pure function of (seed, point or rating index) through
// splitmix64: Brasa generates it inside the engine (ctx.range(...).map(...)),
// and the driver fills the very same numbers into a plain array for the
// Eigen loop, written once to a raw float64 file under /tmp for
// scikit-learn (removed at the end).
//
//   brasa-bench-mllib [--workloads kmeans logreg als] [--points 1000000] [--als-ratings 1000000]
//                     [--kmeans-iterations 30] [--logreg-iterations 10] [--als-iterations 10] [--runs 3]
//                     [--masters local[1] local[2] local-cluster[2,1]] [--python /usr/bin/python3] [--out bench/results]
#include <CLI/CLI.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <tuple>
#include <unistd.h>
#include <vector>

#include "brasa/brasa.h"
#include "brasa/mllib/mllib.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/storage/block_manager.h"
#include "linalg/dense_kernels.h"
#include "report.h"
#include "workloads.h"

namespace fs = std::filesystem;
using brasa::bench::human_time;
using brasa::bench::Report;
using brasa::bench::Row;
using brasa::bench::splitmix64;
using brasa::bench::Timings;
using brasa::bench::fields;
using brasa::bench::run_child;
using brasa::mllib::DenseVector;
using brasa::mllib::LabeledPoint;
using brasa::mllib::Vector;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

struct Options {
  std::string out = "bench/results";
  int64_t points = 1'000'000;
  int kmeans_features = 20;
  int k = 20;
  int logreg_features = 100;
  // M of each workload: Lloyd's runs on for long; scikit-learn's L-BFGS
  // stops near 20 iterations on this data.
  int kmeans_iterations = 30;
  int logreg_iterations = 10;
  // ALS: 100 ratings per user and 500 per item on average (10^4 users and
  // 2 x 10^3 items at 10^6 ratings); M = 10, Spark's default max_iter.
  int64_t als_ratings = 1'000'000;
  int als_iterations = 10;
  double als_alpha = 1.0;  // implicit feedback's confidence 1 + alpha |r|: Spark's default
  bool verbose = false;
  int runs = 3;
  int partitions = 8;  // of the generated input (mllib re-blocks it)
  uint64_t seed = 1;
  std::vector<std::string> masters = {"local[1]", "local[2]", "local-cluster[2,1]"};
  std::vector<std::string> workloads = {"kmeans", "logreg", "als", "trees"};
  int64_t tree_points = 200'000;  // scikit-learn's exact trees take seconds per fit at this size
  std::string python = "/usr/bin/python3";
  std::string peers = BRASA_BENCH_SOURCE_DIR "/mllib_peers.py";
};

brasa::Conf bench_conf(const std::string& master) {
  return brasa::Conf()
      .master(master)
      .app_name("brasa-bench-mllib")
      .set("brasa.ui.show_progress", "false")
      .set("brasa.log.level", "warn");
}

std::string mb(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

std::string fixed(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Busy CPU seconds of the whole machine (/proc/stat: all but idle and
// iowait), and of this process with its waited-for children (the Python
// peer, executors): their difference over the run is other work that
// competed for the cores.
double machine_busy_seconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal)) return 0;
  return (user + nice + system + irq + softirq) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    getrusage(who, &u);
    total += u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
  }
  return total;
}

// ---- the data ---------------------------------------------------------------------------

// A uniform draw in [0, 1) from stream `key` at index i.
inline double unit(uint64_t key, uint64_t i) { return static_cast<double>(splitmix64(i + key) >> 11) * 0x1.0p-53; }
inline uint64_t stream(uint64_t seed, uint64_t s) { return splitmix64(splitmix64(seed) ^ (s * 0x9e3779b97f4a7c15ULL)); }

// k-means points: point i belongs to true cluster c(i) of k, whose centre
// has coordinates uniform in [-2, 2); each feature adds triangular noise
// on [-1.5, 1.5]. The clusters overlap, so Lloyd's keeps moving for many
// iterations.
struct KMeansData {
  uint64_t cluster_key, centre_key, noise_a, noise_b;
  int d, k;
  KMeansData(uint64_t seed, int d, int k)
      : cluster_key(stream(seed, 1)), centre_key(stream(seed, 2)), noise_a(stream(seed, 3)), noise_b(stream(seed, 4)),
        d(d), k(k) {}
  void fill(int64_t i, double* x) const {
    const uint64_t c = splitmix64(static_cast<uint64_t>(i) + cluster_key) % static_cast<uint64_t>(k);
    for (int j = 0; j < d; ++j) {
      const uint64_t at = static_cast<uint64_t>(i) * d + j;
      x[j] = 4.0 * unit(centre_key, c * d + j) - 2.0 + 1.5 * (unit(noise_a, at) + unit(noise_b, at) - 1.0);
    }
  }
};

// Logistic regression points: feature j of point i is 0.95 s_i + 0.3 u_ij
// with s_i and u_ij uniform in [-1, 1) (a factor shared by all features,
// so they are correlated and L-BFGS needs many iterations), a true
// coefficient vector uniform in [-1, 1), and label 1 with probability
// sigmoid(w.x / 4) (so the classes overlap and the optimum is finite).
struct LogRegData {
  uint64_t feature_key, shared_key, weight_key, label_key;
  int d;
  LogRegData(uint64_t seed, int d)
      : feature_key(stream(seed, 5)), shared_key(stream(seed, 6)), weight_key(stream(seed, 7)),
        label_key(stream(seed, 8)), d(d) {}
  double fill(int64_t i, double* x) const {  // returns the label
    const double shared = 2.0 * unit(shared_key, static_cast<uint64_t>(i)) - 1.0;
    double margin = 0;
    for (int j = 0; j < d; ++j) {
      x[j] = 0.95 * shared + 0.3 * (2.0 * unit(feature_key, static_cast<uint64_t>(i) * d + j) - 1.0);
      margin += (2.0 * unit(weight_key, j) - 1.0) * x[j];
    }
    return unit(label_key, static_cast<uint64_t>(i)) < 1.0 / (1.0 + std::exp(-0.25 * margin)) ? 1.0 : 0.0;
  }
};

// ALS ratings: rating k is of user u(k) of `users` and item i(k) of `items`
// (both uniform), with value x_u . y_i plus triangular noise on
// [-0.25, 0.25] (sd 0.1), where the true factors x_u and y_i have rank 10
// and entries uniform in [-1, 1) (so x_u . y_i has sd about 1.05). The
// value is rounded to float, as mllib's Rating holds it. A (user, item)
// pair can come twice (about 2.5% of pairs at 10^6 ratings); ALS, as
// Spark's, takes each as a rating of its own.
struct ALSData {
  static constexpr int kTrueRank = 10;
  uint64_t user_key, item_key, user_factor_key, item_factor_key, noise_a, noise_b;
  int64_t users, items;
  ALSData(uint64_t seed, int64_t users, int64_t items)
      : user_key(stream(seed, 9)), item_key(stream(seed, 10)), user_factor_key(stream(seed, 11)),
        item_factor_key(stream(seed, 12)), noise_a(stream(seed, 13)), noise_b(stream(seed, 14)), users(users),
        items(items) {}
  brasa::mllib::Rating operator()(int64_t k) const {
    const auto i = static_cast<uint64_t>(k);
    const uint64_t u = splitmix64(i + user_key) % static_cast<uint64_t>(users);
    const uint64_t v = splitmix64(i + item_key) % static_cast<uint64_t>(items);
    double dot = 0;
    for (int c = 0; c < kTrueRank; ++c) {
      const double x = 2.0 * unit(user_factor_key, u * kTrueRank + c) - 1.0;
      const double y = 2.0 * unit(item_factor_key, v * kTrueRank + c) - 1.0;
      dot += x * y;
    }
    const double noise = 0.25 * (unit(noise_a, i) + unit(noise_b, i) - 1.0);
    return {static_cast<int32_t>(u), static_cast<int32_t>(v), static_cast<float>(dot + noise)};
  }
};

// An order-free digest of ratings: the engine's and the array's must agree
// exactly.
inline uint64_t rating_digest(const brasa::mllib::Rating& r) {
  uint32_t bits = 0;
  std::memcpy(&bits, &r.rating, sizeof bits);
  return splitmix64((static_cast<uint64_t>(static_cast<uint32_t>(r.user)) << 32 | static_cast<uint32_t>(r.item)) ^
                    splitmix64(bits));
}

brasa::RDD<Vector> kmeans_points(brasa::Context& ctx, const Options& o, KMeansData g) {
  return ctx.range(0, o.points, 1, o.partitions).map([g](int64_t i) {
    std::vector<double> x(g.d);
    g.fill(i, x.data());
    return Vector::dense(std::move(x));
  });
}

brasa::RDD<LabeledPoint> logreg_points(brasa::Context& ctx, const Options& o, LogRegData g) {
  return ctx.range(0, o.points, 1, o.partitions).map([g](int64_t i) {
    std::vector<double> x(g.d);
    double y = g.fill(i, x.data());
    return LabeledPoint{y, Vector::dense(std::move(x))};
  });
}

brasa::RDD<brasa::mllib::Rating> als_ratings(brasa::Context& ctx, const Options& o, ALSData g) {
  return ctx.range(0, o.als_ratings, 1, o.partitions).map([g](int64_t k) { return g(k); });
}

// The same numbers in one row-major array (and labels), and in a raw
// float64 file for the Python peer, removed when this goes.
struct PlainData {
  int64_t n = 0;
  int d = 0;
  std::vector<double> x, y;
  std::string file;
  double x_sum = 0, x_abs_sum = 0, y_sum = 0;

  PlainData() = default;
  PlainData(const PlainData&) = delete;
  PlainData& operator=(const PlainData&) = delete;
  ~PlainData() {
    if (!file.empty()) fs::remove(file);
  }

  void write(const std::string& path) {
    file = path;
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    out.write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(double)));
    out.write(reinterpret_cast<const char*>(y.data()), static_cast<std::streamsize>(y.size() * sizeof(double)));
    if (!out) throw std::runtime_error("cannot write " + path);
  }
  void sums() {
    x_sum = 0, x_abs_sum = 0, y_sum = 0;
    for (double v : x) x_sum += v, x_abs_sum += std::abs(v);
    for (double v : y) y_sum += v;
  }
};

// ---- the direct Eigen loops --------------------------------------------------------------

// Lloyd's iterations on the plain array, as mllib computes them: the
// products of 256 rows with the centres as one matrix product, distances
// as |x|^2 + |c|^2 - 2 x.c, then the sums of each cluster.
struct EigenLloyd {
  const PlainData& data;
  RowMatrix centers;

  double iterate() {  // returns the cost of the assignment; moves the centres
    const int k = static_cast<int>(centers.rows()), d = data.d;
    if (use_kernel) return iterate_with_kernel();
    const DenseVector norms = centers.rowwise().squaredNorm();
    RowMatrix sums = RowMatrix::Zero(k, d), products;
    DenseVector counts = DenseVector::Zero(k);
    double cost = 0;
    constexpr int64_t kChunk = 256;
    for (int64_t begin = 0; begin < data.n; begin += kChunk) {
      const int64_t rows = std::min(kChunk, data.n - begin);
      Eigen::Map<const RowMatrix> x(data.x.data() + begin * d, rows, d);
      products.resize(rows, k);
      products.noalias() = x * centers.transpose();
      for (int64_t r = 0; r < rows; ++r) {
        const double x_norm = x.row(r).squaredNorm();
        int best = 0;
        double min = std::numeric_limits<double>::infinity();
        for (int j = 0; j < k; ++j) {
          const double dist = x_norm + norms[j] - 2.0 * products(r, j);
          if (dist < min) min = dist, best = j;
        }
        cost += std::max(min, 0.0);
        counts[best] += 1;
        sums.row(best) += x.row(r);
      }
    }
    for (int j = 0; j < k; ++j)
      if (counts[j] > 0) centers.row(j) = sums.row(j) / counts[j];
    return cost;
  }

  // The same iteration with mllib's distance kernel (AVX2 where the
  // processor has it) over the whole array, then the sums.
  bool use_kernel = false;
  std::vector<int32_t> best = {};
  std::vector<double> dist = {};
  double iterate_with_kernel() {
    const int k = static_cast<int>(centers.rows()), d = data.d;
    const RowMatrix columns = centers.transpose();
    const DenseVector norms = centers.rowwise().squaredNorm();
    best.resize(static_cast<size_t>(data.n));
    dist.resize(static_cast<size_t>(data.n));
    brasa::mllib::detail::nearest_rows(data.x.data(), data.n, d, columns.data(), norms.data(), k, best.data(),
                                       dist.data());
    RowMatrix sums = RowMatrix::Zero(k, d);
    DenseVector counts = DenseVector::Zero(k);
    double cost = 0;
    for (int64_t r = 0; r < data.n; ++r) {
      const int j = best[static_cast<size_t>(r)];
      cost += dist[static_cast<size_t>(r)];
      counts[j] += 1;
      double* sum = sums.row(j).data();
      const double* x = data.x.data() + r * d;
      for (int c = 0; c < d; ++c) sum[c] += x[c];
    }
    for (int j = 0; j < k; ++j)
      if (counts[j] > 0) centers.row(j) = sums.row(j) / counts[j];
    return cost;
  }

  // Sum of squared distances to the closest of `cs`, directly.
  double cost_of(const RowMatrix& cs) const {
    double cost = 0;
    for (int64_t i = 0; i < data.n; ++i) {
      Eigen::Map<const Eigen::RowVectorXd> x(data.x.data() + i * data.d, data.d);
      cost += (cs.rowwise() - x).rowwise().squaredNorm().minCoeff();
    }
    return cost;
  }
};

double log1p_exp(double m) { return m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)); }
double sigmoid(double m) { return 1.0 / (1.0 + std::exp(-m)); }

// One logistic loss and gradient evaluation on the plain array: margins
// X w + c, per-row loss and multiplier r = sigmoid(m) - y, then X^T r.
// chunk_rows > 0 takes the rows that many at a time (mllib's blocks: both
// passes over a chunk find it in cache); 0 takes the whole array at once.
// With use_kernels the products are mllib's own kernels.
struct EigenLogistic {
  const PlainData& data;
  int64_t chunk_rows = 0;
  bool use_kernels = false;  // mllib's dense kernels (AVX2 where the processor has it) instead of Eigen
  std::vector<double> r;

  double evaluate(const DenseVector& w, double c, DenseVector& grad, double& intercept_grad) {
    const int64_t step = chunk_rows > 0 ? chunk_rows : data.n;
    r.resize(static_cast<size_t>(step));
    grad.setZero(data.d);
    intercept_grad = 0;
    double loss = 0;
    for (int64_t begin = 0; begin < data.n; begin += step) {
      const int64_t rows = std::min(step, data.n - begin);
      Eigen::Map<const RowMatrix> x(data.x.data() + begin * data.d, rows, data.d);
      Eigen::Map<DenseVector> m(r.data(), rows);
      if (use_kernels)
        brasa::mllib::detail::multiply_rows(x.data(), rows, data.d, w.data(), m.data());
      else
        m.noalias() = x * w;
      for (int64_t i = 0; i < rows; ++i) {
        const double margin = m[i] + c, y = data.y[static_cast<size_t>(begin + i)];
        loss += log1p_exp(margin) - y * margin;
        m[i] = sigmoid(margin) - y;
        intercept_grad += m[i];
      }
      if (use_kernels)
        brasa::mllib::detail::add_weighted_rows(x.data(), rows, data.d, m.data(), grad.data());
      else
        grad.noalias() += x.transpose() * m;
    }
    return loss / static_cast<double>(data.n);
  }
};

// The ratings grouped by one side, as mllib's in-blocks hold them: those of
// id j (a user, or an item) are [begin[j], begin[j + 1]) of `other` (the
// item or user rated) and `value`, sorted by the other side's id.
struct Grouped {
  std::vector<int64_t> begin;
  std::vector<int32_t> other;
  std::vector<float> value;

  Grouped(const std::vector<brasa::mllib::Rating>& ratings, int64_t ids, bool by_user) : begin(ids + 1, 0) {
    std::vector<brasa::mllib::Rating> sorted = ratings;
    std::sort(sorted.begin(), sorted.end(), [by_user](const auto& a, const auto& b) {
      return by_user ? std::pair(a.user, a.item) < std::pair(b.user, b.item)
                     : std::pair(a.item, a.user) < std::pair(b.item, b.user);
    });
    for (const auto& r : sorted) {
      ++begin[static_cast<size_t>(by_user ? r.user : r.item) + 1];
      other.push_back(by_user ? r.item : r.user);
      value.push_back(r.rating);
    }
    for (size_t j = 1; j < begin.size(); ++j) begin[j] += begin[j - 1];
  }
  int64_t ids() const { return static_cast<int64_t>(begin.size()) - 1; }
};

// ALS iterations on the plain arrays, with mllib's arithmetic (Spark's):
// factors stored as floats, and for each id the normal equations in double
//   (YtY (implicit only) + sum w_k y_k y_k^T + reg_param n I) x = sum b_k y_k
// over its ratings k, solved by Cholesky. Explicit (ALS-WR): w = 1,
// b = r, n = the number of ratings. Implicit (Hu, Koren and Volinsky):
// YtY = the Gram matrix of all the other side's factors, w = alpha |r|
// (confidence - 1), b = 1 + alpha |r| if r > 0 else 0, n = the number of
// positive ratings. Items are solved first, then users.
struct EigenALS {
  const Grouped& by_user;
  const Grouped& by_item;
  int rank = 10;
  double reg = 0.1, alpha = 1.0;
  bool implicit = false;
  std::vector<float> x, y;  // users x rank and items x rank, row-major

  void iterate() {
    solve(by_item, x, y);
    solve(by_user, y, x);
  }

  void solve(const Grouped& g, const std::vector<float>& src, std::vector<float>& dst) const {
    using FloatRows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Eigen::MatrixXd yty = Eigen::MatrixXd::Zero(rank, rank);
    if (implicit) {
      Eigen::Map<const FloatRows> s(src.data(), static_cast<Eigen::Index>(src.size() / rank), rank);
      yty.selfadjointView<Eigen::Lower>().rankUpdate(s.cast<double>().transpose());
    }
    Eigen::MatrixXd ys, a(rank, rank);
    Eigen::VectorXd rhs(rank), y1(rank);
    Eigen::LLT<Eigen::MatrixXd> llt(rank);
    for (int64_t j = 0; j < g.ids(); ++j) {
      const int64_t begin = g.begin[j], n = g.begin[j + 1] - begin;
      if (n == 0) continue;  // no factors: mllib has none for it either
      if (ys.rows() < n) ys.resize(std::max<Eigen::Index>(n, 2 * ys.rows()), rank);
      rhs.setZero();
      int64_t counted = 0;
      for (int64_t k = 0; k < n; ++k) {
        y1 = Eigen::Map<const Eigen::VectorXf>(src.data() + int64_t{g.other[begin + k]} * rank, rank).cast<double>();
        const double r = g.value[begin + k];
        if (implicit) {
          const double c1 = alpha * std::abs(r);
          if (r > 0) {
            rhs += (1.0 + c1) * y1;
            ++counted;
          }
          ys.row(k) = std::sqrt(c1) * y1.transpose();
        } else {
          rhs += r * y1;
          ++counted;
          ys.row(k) = y1.transpose();
        }
      }
      a = yty;
      a.selfadjointView<Eigen::Lower>().rankUpdate(ys.topRows(n).transpose());
      a.diagonal().array() += reg * static_cast<double>(counted);
      llt.compute(a);  // reads the lower triangle
      Eigen::Map<Eigen::VectorXf>(dst.data() + j * rank, rank) = llt.solve(rhs).cast<float>();
    }
  }

  // The objective the iterations lower, of factors (xs, ys):
  // explicit: sum (r - x.y)^2 + reg_param (sum n_u |x_u|^2 + sum n_i |y_i|^2);
  // implicit: sum over all (user, item) cells of c (p - x.y)^2 plus the
  // same regularisation with positive counts, the unrated cells through
  // sum_u x_u^T YtY x_u. A repeated pair adds its terms once per rating,
  // as the solves do: then this is their objective up to a constant, and
  // can be negative.
  double objective(const std::vector<float>& xs, const std::vector<float>& ys) const {
    auto row = [&](const std::vector<float>& f, int64_t id) {
      return Eigen::Map<const Eigen::VectorXf>(f.data() + id * rank, rank).cast<double>();
    };
    double loss = 0, penalty = 0;
    std::vector<int64_t> item_count(static_cast<size_t>(by_item.ids()), 0);
    for (int64_t u = 0; u < by_user.ids(); ++u) {
      int64_t count = 0;
      const Eigen::VectorXd xu = row(xs, u);
      for (int64_t k = by_user.begin[u]; k < by_user.begin[u + 1]; ++k) {
        const double r = by_user.value[k], s = xu.dot(row(ys, by_user.other[k]));
        const bool counts = !implicit || r > 0;
        if (implicit) {
          const double c1 = alpha * std::abs(r), p = r > 0 ? 1.0 : 0.0;
          loss += c1 * s * s - 2 * (1 + c1) * p * s + (1 + c1) * p;  // c (p - s)^2 - s^2, as p^2 = p
        } else {
          loss += (r - s) * (r - s);
        }
        count += counts;
        item_count[static_cast<size_t>(by_user.other[k])] += counts;
      }
      penalty += static_cast<double>(count) * xu.squaredNorm();
    }
    for (int64_t i = 0; i < by_item.ids(); ++i)
      penalty += static_cast<double>(item_count[static_cast<size_t>(i)]) * row(ys, i).squaredNorm();
    if (implicit) {
      Eigen::MatrixXd yty = Eigen::MatrixXd::Zero(rank, rank);
      for (int64_t i = 0; i < by_item.ids(); ++i) yty += row(ys, i) * row(ys, i).transpose();
      for (int64_t u = 0; u < by_user.ids(); ++u) loss += row(xs, u).dot(yty * row(xs, u));
    }
    return loss + reg * penalty;
  }

  // Root mean square of r - x.y over the ratings.
  double rmse(const std::vector<float>& xs, const std::vector<float>& ys) const {
    double sum = 0;
    for (int64_t u = 0; u < by_user.ids(); ++u)
      for (int64_t k = by_user.begin[u]; k < by_user.begin[u + 1]; ++k) {
        double s = 0;
        for (int c = 0; c < rank; ++c) s += double(xs[u * rank + c]) * ys[int64_t{by_user.other[k]} * rank + c];
        sum += (by_user.value[k] - s) * (by_user.value[k] - s);
      }
    return std::sqrt(sum / static_cast<double>(by_user.other.size()));
  }
};

// ---- Brasa runs ---------------------------------------------------------------------------

// Counts the jobs a fit runs (each distributed pass over the training data
// is one job) and samples the block manager's memory_used() at each job's
// end: during a fit the only cached RDD is mllib's blocked training data.
class JobWatch : public brasa::Listener {
 public:
  JobWatch(brasa::BlockManager& bm, bool verbose) : bm_(bm), verbose_(verbose) {}
  void on_event(const brasa::Event& e) override {
    if (e.type != brasa::Event::Type::kJobEnd) return;
    if (verbose_) std::printf("    job %d %s: %s\n", e.job_id, e.name.c_str(), human_time(e.seconds).c_str());
    {
      std::lock_guard lock(mu_);
      seconds_.push_back(e.seconds);
    }
    jobs_.fetch_add(1);
    size_t used = bm_.memory_used(), peak = peak_.load();
    while (used > peak && !peak_.compare_exchange_weak(peak, used)) {
    }
  }
  int64_t jobs() const { return jobs_.load(); }
  size_t peak() const { return peak_.load(); }
  void reset_peak() { peak_.store(0); }
  // Mean duration of the last `n` jobs.
  double mean_of_last(int64_t n) {
    std::lock_guard lock(mu_);
    n = std::min<int64_t>(n, static_cast<int64_t>(seconds_.size()));
    double sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += seconds_[seconds_.size() - 1 - static_cast<size_t>(i)];
    return n > 0 ? sum / static_cast<double>(n) : 0;
  }

 private:
  brasa::BlockManager& bm_;
  const bool verbose_;
  std::atomic<int64_t> jobs_{0};
  std::atomic<size_t> peak_{0};
  std::mutex mu_;
  std::vector<double> seconds_;  // of each job, in order of their ends
};

struct BrasaRun {
  Timings per_iteration;
  // A cross-check less exposed to the noise of the fits' set-up: the
  // duration of the long fit's last (passes per iteration x M) jobs, the
  // passes of its last M iterations, per iteration. It leaves out the
  // driver's work between jobs (the centre update or L-BFGS step).
  Timings job_time;
  double jobs_per_iteration = 0;  // of the last run
  size_t cached_bytes = 0;        // peak during the long fit (local masters; 0 on a cluster)
  int short_iterations = 0, long_iterations = 0;
};

// fit(max_iter) fits a model and returns the iterations it ran.
template <class Fit> BrasaRun time_fits(brasa::Context& ctx, const Options& o, int m, Fit fit) {
  auto watch = std::make_shared<JobWatch>(ctx.runtime().block_manager(), o.verbose);
  auto& bus = ctx.runtime().events();
  bus.add_listener(watch);
  BrasaRun run;
  run.per_iteration.runs = o.runs;
  fit(1);  // warm-up, not timed: the context's first jobs start its threads or executors and fault in memory
  for (int r = 0; r < o.runs; ++r) {
    bus.flush();
    const int64_t j0 = watch->jobs();
    double a = Timings::now();
    run.short_iterations = fit(1);
    double b = Timings::now();
    bus.flush();
    const int64_t j1 = watch->jobs();
    watch->reset_peak();
    double c = Timings::now();
    run.long_iterations = fit(1 + m);
    double d = Timings::now();
    bus.flush();
    const int64_t j2 = watch->jobs();
    run.per_iteration.seconds.push_back(((d - c) - (b - a)) / m);
    if (o.verbose) std::printf("    fit(max_iter = 1) %s, fit(max_iter = %d) %s\n", human_time(b - a).c_str(), 1 + m, human_time(d - c).c_str());
    run.jobs_per_iteration = static_cast<double>((j2 - j1) - (j1 - j0)) / m;
    const int64_t extra_jobs = (j2 - j1) - (j1 - j0);
    run.job_time.seconds.push_back(watch->mean_of_last(extra_jobs) * static_cast<double>(extra_jobs) / m);
    run.cached_bytes = std::max(run.cached_bytes, watch->peak());
  }
  bus.remove_listener(watch);
  return run;
}

// "runs 80.1 ms to 84.0 ms": the difference of two fits is noisier than a
// timed loop, so the spread goes beside the median.
std::string spread(const Timings& t) {
  if (t.seconds.size() < 2) return "";
  auto [lo, hi] = std::minmax_element(t.seconds.begin(), t.seconds.end());
  return "runs " + human_time(*lo) + " to " + human_time(*hi) + "; ";
}

std::string iterations_note(const BrasaRun& run, int iterations) {
  std::string note = spread(run.per_iteration);
  if (run.short_iterations != 1 || run.long_iterations != 1 + iterations)
    note += "STOPPED EARLY: ran " + std::to_string(run.short_iterations) + " and " + std::to_string(run.long_iterations) +
           " iterations, not 1 and " + std::to_string(1 + iterations) + "; ";
  return note + fixed("%.2f passes/iteration", run.jobs_per_iteration) + " taking " + human_time(run.job_time.median());
}

// A depth-limited CART on histograms of binned features, single-threaded:
// the arithmetic of mllib's DecisionTreeClassifier written directly over
// the array. Thresholds: up to bins - 1 equal-frequency cuts of each
// feature's values in a sample of 10,000 rows; then, level by level, class
// counts per (node, feature, bin) and the split of largest Gini gain.
struct HistogramTree {
  const PlainData& data;
  int max_depth = 5;
  int bins = 32;

  double fit() {  // returns the accuracy on the training rows
    const int64_t n = data.n;
    const int d = data.d;
    std::vector<std::vector<double>> cuts(d);
    const int64_t step = std::max<int64_t>(1, n / 10000);
    for (int j = 0; j < d; ++j) {
      std::vector<double> v;
      for (int64_t i = 0; i < n; i += step) v.push_back(data.x[static_cast<size_t>(i * d + j)]);
      std::sort(v.begin(), v.end());
      for (int b = 1; b < bins; ++b) {
        const size_t at = v.size() * b / bins;
        const double cut = (v[at - 1] + v[at]) / 2;
        if (v[at - 1] < v[at] && (cuts[j].empty() || cut > cuts[j].back())) cuts[j].push_back(cut);
      }
    }
    std::vector<uint8_t> code(static_cast<size_t>(n * d));
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < d; ++j) {
        const auto& c = cuts[j];
        code[static_cast<size_t>(i * d + j)] =
            static_cast<uint8_t>(std::lower_bound(c.begin(), c.end(), data.x[static_cast<size_t>(i * d + j)]) - c.begin());
      }
    // Nodes of the current level are 0 .. open - 1; node[i] is -1 once row i is in a leaf.
    std::vector<int32_t> node(static_cast<size_t>(n), 0);
    std::vector<double> prediction;  // of the leaves, indexed by leaf
    std::vector<int32_t> leaf(static_cast<size_t>(n), -1);
    int open = 1;
    for (int level = 0; open > 0; ++level) {
      const int64_t per_node = int64_t{d} * bins * 2;
      std::vector<double> h(static_cast<size_t>(open * per_node), 0.0);
      std::vector<double> totals(static_cast<size_t>(open) * 2, 0.0);
      for (int64_t i = 0; i < n; ++i) {
        const int32_t v = node[static_cast<size_t>(i)];
        if (v < 0) continue;
        const int y = static_cast<int>(data.y[static_cast<size_t>(i)]);
        double* hv = h.data() + v * per_node;
        const uint8_t* c = code.data() + i * d;
        for (int j = 0; j < d; ++j) hv[(j * bins + c[j]) * 2 + y] += 1;
        totals[static_cast<size_t>(v) * 2 + y] += 1;
      }
      auto gini = [](double a, double b) { const double t = a + b; return t == 0 ? 0 : 1 - (a / t) * (a / t) - (b / t) * (b / t); };
      std::vector<int> split_feature(open, -1), split_bin(open, 0), child(open, -1);
      int next = 0;
      for (int v = 0; v < open; ++v) {
        const double t0 = totals[static_cast<size_t>(v) * 2], t1 = totals[static_cast<size_t>(v) * 2 + 1];
        const double parent = gini(t0, t1);
        double best = 0;
        if (level < max_depth && parent > 0)
          for (int j = 0; j < d; ++j) {
            double l0 = 0, l1 = 0;
            const double* hj = h.data() + v * per_node + j * bins * 2;
            for (int b = 0; b + 1 < static_cast<int>(cuts[j].size()) + 1; ++b) {
              l0 += hj[b * 2], l1 += hj[b * 2 + 1];
              const double r0 = t0 - l0, r1 = t1 - l1, lt = l0 + l1, rt = r0 + r1;
              if (lt == 0 || rt == 0) continue;
              const double gain = parent - lt / (lt + rt) * gini(l0, l1) - rt / (lt + rt) * gini(r0, r1);
              if (gain > best) best = gain, split_feature[v] = j, split_bin[v] = b;
            }
          }
        if (split_feature[v] >= 0) {
          child[v] = next;
          next += 2;
        } else {
          child[v] = -1 - static_cast<int>(prediction.size());  // a leaf
          prediction.push_back(t1 > t0 ? 1.0 : 0.0);
        }
      }
      for (int64_t i = 0; i < n; ++i) {
        const int32_t v = node[static_cast<size_t>(i)];
        if (v < 0) continue;
        if (child[v] < 0) {
          leaf[static_cast<size_t>(i)] = -1 - child[v];
          node[static_cast<size_t>(i)] = -1;
        } else {
          node[static_cast<size_t>(i)] = child[v] + (code[static_cast<size_t>(i * d + split_feature[v])] <= split_bin[v] ? 0 : 1);
        }
      }
      open = next;
    }
    int64_t right = 0;
    for (int64_t i = 0; i < n; ++i) right += prediction[static_cast<size_t>(leaf[static_cast<size_t>(i)])] == data.y[static_cast<size_t>(i)];
    return static_cast<double>(right) / static_cast<double>(n);
  }
};

// ---- the Python peer ---------------------------------------------------------------------


struct PeerRow {
  std::string system, config, note;
  Timings per_iteration;
  double fit_per_iter = 0;
  std::string n_iter;
};

// Runs mllib_peers.py once per thread count (2, then 1), with the thread
// pools' sizes in its environment. OpenBLAS's OPENBLAS_CORETYPE and
// OPENBLAS_L2_SIZE, if set, are dropped so that numpy picks its own kernel
// (the child checks that kernel's products against numpy's loops, and the
// run is repeated with them kept if it is wrong). Returns no rows, with a
// printed note, when there is no such Python or no scikit-learn.
std::vector<PeerRow> run_peers(const Options& o, const std::string& args, const PlainData& data, std::string& info) {
  std::vector<PeerRow> rows;
  if (!fs::exists(o.python)) {
    std::printf("skip: scikit-learn rows: %s not found (install python3-sklearn)\n", o.python.c_str());
    return rows;
  }
  for (int threads : {2, 1}) {
    const std::string t = std::to_string(threads);
    const std::string pools = "OMP_NUM_THREADS=" + t + " OPENBLAS_NUM_THREADS=" + t + " MKL_NUM_THREADS=" + t + " ";
    const std::string tail = o.python + " " + o.peers + " " + args + " 2>&1";
    std::vector<std::string> lines;
    try {
      lines = run_child("env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE " + pools + tail);
      bool wrong = std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("skip=blas_wrong", 0) == 0; });
      if (wrong) {
        std::printf("note: numpy's default BLAS kernel computed wrong products; rerunning with OPENBLAS_CORETYPE kept\n");
        lines = run_child("env " + pools + tail);
      }
    } catch (const std::exception& e) {
      std::printf("skip: scikit-learn rows: %s\n", e.what());
      return rows;
    }
    for (auto& line : lines) {
      auto f = fields(line);
      if (f.count("skip")) {
        std::printf("skip: scikit-learn rows: %s\n", f["skip"].c_str());
        return {};
      }
      if (f.count("info")) info += (info.empty() ? "" : "; ") + f["info"];
      if (f.count("checksum")) {
        const double xs = std::stod(f["checksum"]), ys = std::stod(f["labels"]);
        // Sums in another order: equal up to rounding, relative to the sum of |x|.
        if (std::abs(xs - data.x_sum) > 1e-10 * data.x_abs_sum || ys != data.y_sum) {
          std::printf("skip: scikit-learn rows: the peer read other data (feature sum %s, here %.17g; label sum %s, here %.17g)\n",
                      f["checksum"].c_str(), data.x_sum, f["labels"].c_str(), data.y_sum);
          return {};
        }
      }
      if (!f.count("system")) continue;
      PeerRow row{f["system"], f["config"], f["note"], Timings{o.runs, {}}, std::stod(f["fit_per_iter"]), f["n_iter"]};
      std::istringstream secs(f["seconds"]);
      std::string s;
      while (std::getline(secs, s, ',')) row.per_iteration.seconds.push_back(std::stod(s));
      rows.push_back(row);
    }
  }
  return rows;
}

// ---- the suite ---------------------------------------------------------------------------

class Suite {
 public:
  explicit Suite(Options o) : o_(std::move(o)) {}
  int run();

 private:
  void kmeans();
  void logreg();
  void als();
  void trees();
  void als_feedback(bool implicit, const ALSData& gen, const EigenALS& start, uint64_t digest);
  void peer_rows(const std::string& workload, const std::string& args, const PlainData& data, double records,
                 const std::string& expected_iters, const std::function<std::string(const PeerRow&)>& check);
  void ratios(const std::string& workload, const std::string& brasa, const std::string& sklearn,
              const std::vector<std::string>& loops, double loop_target = 1.3);
  void target(bool met, const std::string& what) {
    targets_.push_back(std::string(met ? "met   " : "MISSED") + "  " + what);
  }
  std::string raw_file(const std::string& what) const {
    return (fs::temp_directory_path() / ("brasa-bench-mllib-" + std::to_string(getpid()) + "-" + what + ".f64")).string();
  }

  Options o_;
  Report report_;
  std::vector<std::string> targets_;
  std::vector<std::string> sizes_;
};

void Suite::peer_rows(const std::string& workload, const std::string& args, const PlainData& data, double records,
                      const std::string& expected_iters, const std::function<std::string(const PeerRow&)>& check) {
  std::string info;
  for (auto& p : run_peers(o_, args, data, info)) {
    std::string note = spread(p.per_iteration);
    if (p.n_iter != expected_iters) note += "STOPPED EARLY: n_iter_ " + p.n_iter + "; ";
    note += "fit/n_iter_ " + human_time(p.fit_per_iter);
    if (auto extra = check(p); !extra.empty()) note += "; " + extra;
    report_.add({workload, p.system, p.config, p.per_iteration.median(), records, false, note});
  }
  if (!info.empty()) std::printf("  (scikit-learn: %s)\n", info.c_str());
}

constexpr const char* kKMeansLoop = "Eigen loop (256-row products)";
constexpr const char* kKMeansKernelLoop = "loop on mllib's distance kernel";

void Suite::kmeans() {
  const std::string w = "K1 k-means iteration";
  const int d = o_.kmeans_features, k = o_.k, m = o_.kmeans_iterations;
  const double n = static_cast<double>(o_.points);
  KMeansData gen(o_.seed, d, k);

  PlainData data;
  data.n = o_.points;
  data.d = d;
  data.x.resize(static_cast<size_t>(o_.points) * d);
  for (int64_t i = 0; i < o_.points; ++i) gen.fill(i, data.x.data() + i * d);
  data.sums();
  const RowMatrix init = Eigen::Map<const RowMatrix>(data.x.data(), k, d);  // the first k points

  // Direct loop: per run, 1 + M iterations from the first k points; the
  // last M are timed (the first pays for page faults).
  // Twice: with Eigen's products, and with mllib's distance kernel.
  EigenLloyd lloyd{data, init};
  double final_cost = 0;
  for (bool kernel : {false, true}) {
    lloyd.use_kernel = kernel;
    Timings eigen{o_.runs, {}};
    for (int r = 0; r < o_.runs; ++r) {
      lloyd.centers = init;
      lloyd.iterate();
      double start = Timings::now();
      for (int i = 0; i < m; ++i) lloyd.iterate();
      eigen.seconds.push_back((Timings::now() - start) / m);
    }
    const double cost = lloyd.cost_of(lloyd.centers);
    std::string note = "cost after " + std::to_string(1 + m) + " iterations " + fixed("%.10g", cost);
    if (kernel && std::abs(cost - final_cost) > 1e-9 * final_cost) note += "; COST DIFFERS from the Eigen loop";
    report_.add({w, kernel ? kKMeansKernelLoop : kKMeansLoop, "1 thread", eigen.median(), n, false, note});
    if (!kernel) final_cost = cost;
  }

  data.write(raw_file("kmeans"));
  const std::string expected_iters = "1," + std::to_string(1 + m);
  peer_rows(w, "kmeans " + data.file + " " + std::to_string(o_.points) + " " + std::to_string(d) + " " +
                   std::to_string(k) + " " + std::to_string(m) + " " + std::to_string(o_.runs),
            data, n, expected_iters, [&](const PeerRow& p) -> std::string {
              // Same start, same iterations: the same centres, up to rounding.
              auto at = p.note.find("inertia ");
              if (at == std::string::npos || p.n_iter != expected_iters) return "";
              double inertia = std::stod(p.note.substr(at + 8));
              return std::abs(inertia - final_cost) <= 1e-6 * final_cost ? "cost matches the Eigen loop"
                                                                         : "COST DIFFERS from the Eigen loop (" + p.note + ")";
            });

  for (const auto& master : o_.masters) {
    brasa::Context ctx(bench_conf(master));
    auto points = kmeans_points(ctx, o_, gen);
    brasa::mllib::KMeansModel last;
    auto run = time_fits(ctx, o_, m, [&](int max_iter) {
      // mllib cannot start from given centres: k random points, seeded.
      last = brasa::mllib::KMeans().k(k).max_iter(max_iter).tol(0).init_mode("random").seed(o_.seed).fit(points);
      return last.num_iter();
    });
    // The engine's points are the array's: the model's cost over the RDD
    // against the same centres' cost over the array.
    const double brasa_cost = last.compute_cost(points);
    const double array_cost = lloyd.cost_of(last.centers());
    std::string note = iterations_note(run, m);
    note += std::abs(brasa_cost - array_cost) <= 1e-9 * array_cost ? "; data matches the array" : "; DATA DIFFERS";
    if (run.cached_bytes > 0) {
      const double raw = n * d * 8;
      note += "; cached " + mb(static_cast<double>(run.cached_bytes)) + " = " +
              fixed("%.2fx", static_cast<double>(run.cached_bytes) / raw) + " raw";
      if (master == "local[1]") {
        sizes_.push_back(w + ": cached training blocks " + mb(static_cast<double>(run.cached_bytes)) + ", raw " + mb(raw) +
                         " (n*d*8, no labels): " + fixed("%.3fx", static_cast<double>(run.cached_bytes) / raw));
        target(static_cast<double>(run.cached_bytes) <= 1.2 * raw, "k-means cached training data <= 1.2x raw (" +
                                                                      fixed("%.3fx", run.cached_bytes / raw) + ")");
      }
    }
    report_.add({w, "brasa mllib KMeans", master, run.per_iteration.median(), n, true, note});
  }
  ratios(w, "brasa mllib KMeans", "scikit-learn KMeans", {kKMeansLoop, kKMeansKernelLoop});
}

void Suite::logreg() {
  const std::string w = "L1 logistic iteration";
  const int d = o_.logreg_features, m = o_.logreg_iterations;
  const double n = static_cast<double>(o_.points);
  LogRegData gen(o_.seed, d);

  PlainData data;
  data.n = o_.points;
  data.d = d;
  data.x.resize(static_cast<size_t>(o_.points) * d);
  data.y.resize(static_cast<size_t>(o_.points));
  for (int64_t i = 0; i < o_.points; ++i) data.y[static_cast<size_t>(i)] = gen.fill(i, data.x.data() + i * d);
  data.sums();

  // Direct loops: one loss + gradient evaluation each, at a fixed point
  // (the Brasa starting point: zero coefficients, intercept log(pos/neg)),
  // 1 + M times per run with the last M timed. Chunked as mllib blocks
  // (2^17 values), and over the whole array at once.
  const double intercept = std::log(data.y_sum / (n - data.y_sum));
  const int64_t block_rows = std::clamp<int64_t>((int64_t{1} << 17) / d, 1, 1 << 16);
  const std::string chunked_name = "Eigen loop (" + std::to_string(block_rows) + "-row chunks)";
  DenseVector w0 = DenseVector::Zero(d), grad;
  double igrad = 0;
  const std::string kernel_name = "loop on mllib's kernels (" + std::to_string(block_rows) + "-row chunks)";
  for (int64_t chunk : {block_rows, int64_t{0}, -block_rows}) {
    EigenLogistic eval{data, std::abs(chunk), chunk < 0, {}};
    Timings t{o_.runs, {}};
    for (int r = 0; r < o_.runs; ++r) {
      eval.evaluate(w0, intercept, grad, igrad);
      double start = Timings::now();
      for (int i = 0; i < m; ++i) eval.evaluate(w0, intercept, grad, igrad);
      t.seconds.push_back((Timings::now() - start) / m);
    }
    std::string system = chunk > 0 ? chunked_name : chunk < 0 ? kernel_name : "Eigen loop (whole array)";
    report_.add({w, system, "1 thread", t.median(), n, false, "one loss + gradient evaluation"});
  }

  data.write(raw_file("logreg"));
  peer_rows(w, "logreg " + data.file + " " + std::to_string(o_.points) + " " + std::to_string(d) + " " +
                   std::to_string(m) + " " + std::to_string(o_.runs),
            data, n, "1," + std::to_string(1 + m), [](const PeerRow&) { return std::string(); });

  const std::vector<std::string> loops = {chunked_name, "Eigen loop (whole array)", kernel_name};
  EigenLogistic check{data, block_rows, false, {}};
  for (const auto& master : o_.masters) {
    brasa::Context ctx(bench_conf(master));
    auto points = logreg_points(ctx, o_, gen);
    brasa::mllib::LogisticRegressionModel last;
    auto run = time_fits(ctx, o_, m, [&](int max_iter) {
      last = brasa::mllib::LogisticRegression().max_iter(max_iter).tol(0).fit(points);
      return last.total_iterations();
    });
    // The engine's points are the array's: the final model's loss over the
    // array against the last loss mllib recorded.
    const double array_loss = check.evaluate(last.coefficients(), last.intercept(), grad, igrad);
    const double brasa_loss = last.objective_history().back();
    std::string note = iterations_note(run, m);
    note += std::abs(array_loss - brasa_loss) <= 1e-9 * std::abs(array_loss) ? "; data matches the array"
                                                                              : "; DATA DIFFERS (loss " + fixed("%.12g", brasa_loss) + " vs " + fixed("%.12g", array_loss) + ")";
    if (run.cached_bytes > 0) {
      const double raw = n * d * 8 + n * 8;
      note += "; cached " + mb(static_cast<double>(run.cached_bytes)) + " = " +
              fixed("%.2fx", static_cast<double>(run.cached_bytes) / raw) + " raw";
      if (master == "local[1]") {
        sizes_.push_back(w + ": cached training blocks " + mb(static_cast<double>(run.cached_bytes)) + ", raw " + mb(raw) +
                         " (n*d*8 + n*8 labels): " + fixed("%.3fx", static_cast<double>(run.cached_bytes) / raw));
        target(static_cast<double>(run.cached_bytes) <= 1.2 * raw, "logistic cached training data <= 1.2x raw (" +
                                                                      fixed("%.3fx", run.cached_bytes / raw) + ")");
      }
    }
    report_.add({w, "brasa mllib LogisticRegression", master, run.per_iteration.median(), n, true, note});
  }
  ratios(w, "brasa mllib LogisticRegression", "scikit-learn LogisticRegression", loops);
}

// A1: ALS iterations, explicit and implicit feedback, on the same ratings:
// rank 10, reg_param 0.1, mllib's default 10 x 10 blocks. The direct loop
// starts from mllib's own initial factors (a fit with max_iter 0), so that
// after the same 1 + M iterations the two models agree up to rounding.
constexpr int kALSRank = 10;
constexpr double kALSReg = 0.1;
const std::string kALSLoop = "Eigen loop (normal equations)";

// Spreads (id, factors) pairs into a row-major ids x rank array (zeros for
// ids without factors: mllib has none for an id without ratings).
std::vector<float> factor_array(const std::vector<std::pair<int32_t, std::vector<float>>>& factors, int64_t ids) {
  std::vector<float> out(static_cast<size_t>(ids) * kALSRank, 0.0f);
  for (const auto& [id, f] : factors) std::copy(f.begin(), f.end(), out.begin() + int64_t{id} * kALSRank);
  return out;
}

// max |a - b| over max |b|: how far two models' factors are apart.
double factor_distance(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, double(std::abs(a[i] - b[i])));
    scale = std::max(scale, double(std::abs(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

void Suite::als() {
  const int64_t n = o_.als_ratings, users = std::max<int64_t>(10, n / 100), items = std::max<int64_t>(10, n / 500);
  std::printf("A1 ALS: %lld ratings of %lld users x %lld items, rank %d, reg_param %g, alpha %g (implicit), M = %d\n",
              static_cast<long long>(n), static_cast<long long>(users), static_cast<long long>(items), kALSRank,
              kALSReg, o_.als_alpha, o_.als_iterations);
  ALSData gen(o_.seed, users, items);
  std::vector<brasa::mllib::Rating> ratings(static_cast<size_t>(n));
  uint64_t digest = 0;
  for (int64_t k = 0; k < n; ++k) digest += rating_digest(ratings[static_cast<size_t>(k)] = gen(k));
  const Grouped by_user(ratings, users, true), by_item(ratings, items, false);

  EigenALS start{by_user, by_item, kALSRank, kALSReg, o_.als_alpha, false, {}, {}};
  {
    brasa::Context ctx(bench_conf("local[1]"));
    auto init = brasa::mllib::ALS().rank(kALSRank).max_iter(0).seed(o_.seed).fit(als_ratings(ctx, o_, gen));
    start.x = factor_array(init.user_factors().collect(), users);
    start.y = factor_array(init.item_factors().collect(), items);
  }
  for (bool implicit : {false, true}) als_feedback(implicit, gen, start, digest);
}

void Suite::als_feedback(bool implicit, const ALSData& gen, const EigenALS& start, uint64_t digest) {
  const std::string w = implicit ? "A1 ALS iteration (implicit)" : "A1 ALS iteration (explicit)";
  const int m = o_.als_iterations;
  const double n = static_cast<double>(o_.als_ratings);

  // Direct loop: per run, 1 + M iterations from mllib's initial factors;
  // the last M are timed.
  EigenALS loop = start;
  loop.implicit = implicit;
  Timings eigen{o_.runs, {}};
  for (int r = 0; r < o_.runs; ++r) {
    loop.x = start.x, loop.y = start.y;
    loop.iterate();
    double begin = Timings::now();
    for (int i = 0; i < m; ++i) loop.iterate();
    eigen.seconds.push_back((Timings::now() - begin) / m);
  }
  const double loop_objective = loop.objective(loop.x, loop.y);
  std::string loop_note = "after " + std::to_string(1 + m) + " iterations from mllib's initial factors: objective " +
                          fixed("%.10g", loop_objective);
  if (!implicit) loop_note += ", training RMSE " + fixed("%.5f", loop.rmse(loop.x, loop.y));
  report_.add({w, kALSLoop, "1 thread", eigen.median(), n, false, loop_note});

  std::printf("skip: %s peer rows: scikit-learn has no ALS\n", w.c_str());

  for (const auto& master : o_.masters) {
    brasa::Context ctx(bench_conf(master));
    auto ratings = als_ratings(ctx, o_, gen);
    const uint64_t engine_digest = ratings.aggregate(
        uint64_t{0}, [](uint64_t s, const brasa::mllib::Rating& r) { return s + rating_digest(r); },
        [](uint64_t a, uint64_t b) { return a + b; });
    brasa::mllib::ALSModel last;
    auto run = time_fits(ctx, o_, m, [&](int max_iter) {
      last = brasa::mllib::ALS()
                 .rank(kALSRank)
                 .reg_param(kALSReg)
                 .implicit_prefs(implicit)
                 .alpha(o_.als_alpha)
                 .seed(o_.seed)
                 .max_iter(max_iter)
                 .fit(ratings);
      return max_iter;  // ALS has no tolerance: it always runs max_iter iterations
    });
    // Same start, same iterations: the loop's factors up to rounding (where
    // the order of the sums differs), and so the same objective.
    const auto xs = factor_array(last.user_factors().collect(), start.by_user.ids());
    const auto ys = factor_array(last.item_factors().collect(), start.by_item.ids());
    const double distance = std::max(factor_distance(xs, loop.x), factor_distance(ys, loop.y));
    const double objective = loop.objective(xs, ys);
    std::string note = iterations_note(run, m);
    note += engine_digest == digest ? "; data matches the array" : "; DATA DIFFERS";
    const bool same = distance <= 1e-4 && std::abs(objective - loop_objective) <= 1e-6 * std::abs(loop_objective);
    note += same ? "; model matches the loop" : "; MODEL DIFFERS from the loop";
    note += " (factors " + fixed("%.1e", distance) + " apart, objective " + fixed("%.10g", objective) + ")";
    if (run.cached_bytes > 0) {
      const double raw = n * 12;  // user, item and rating: 4 bytes each
      note += "; cached " + mb(static_cast<double>(run.cached_bytes)) + " = " +
              fixed("%.2fx", static_cast<double>(run.cached_bytes) / raw) + " raw";
      if (master == "local[1]")
        sizes_.push_back(w + ": cached in/out blocks and factors " + mb(static_cast<double>(run.cached_bytes)) +
                         ", raw " + mb(raw) + " (n*12): " + fixed("%.3fx", run.cached_bytes / raw) + " (no target)");
    }
    report_.add({w, "brasa mllib ALS", master, run.per_iteration.median(), n, true, note});
  }
  ratios(w, "brasa mllib ALS", "", {kALSLoop}, 1.5);  // no scikit-learn rows: it has no ALS
}

// T1/T2: whole fits of a decision tree and a 20-tree random forest (depth 5,
// 32 bins) on the logistic points with 20 features, against the histogram
// loop (the tree) and scikit-learn (exact splits).
void Suite::trees() {
  const int d = 20;
  const int64_t points = o_.tree_points;
  const double n = static_cast<double>(points);
  LogRegData gen(o_.seed, d);
  PlainData data;
  data.n = points;
  data.d = d;
  data.x.resize(static_cast<size_t>(points) * d);
  data.y.resize(static_cast<size_t>(points));
  for (int64_t i = 0; i < points; ++i) data.y[static_cast<size_t>(i)] = gen.fill(i, data.x.data() + i * d);
  data.sums();

  const std::string tree = "T1 decision tree fit", forest = "T2 random forest fit";
  HistogramTree loop{data};
  Timings t{o_.runs, {}};
  double loop_accuracy = 0;
  for (int r = 0; r < o_.runs; ++r) {
    const double start = Timings::now();
    loop_accuracy = loop.fit();
    t.seconds.push_back(Timings::now() - start);
  }
  report_.add({tree, "histogram loop", "1 thread", t.median(), n, false, "training accuracy " + fixed("%.4f", loop_accuracy)});

  data.write(raw_file("trees"));
  const std::string args = std::to_string(points) + " " + std::to_string(d) + " " + std::to_string(o_.runs);
  auto accuracy_note = [](const PeerRow& p) { return p.note; };
  peer_rows(tree, "tree " + data.file + " " + args, data, n, "1", accuracy_note);
  peer_rows(forest, "forest " + data.file + " " + args, data, n, "1", accuracy_note);

  for (const auto& master : o_.masters) {
    brasa::Context ctx(bench_conf(master));
    auto rows = ctx.range(0, points, 1, o_.partitions).map([gen](int64_t i) {
      std::vector<double> x(gen.d);
      double y = gen.fill(i, x.data());
      return LabeledPoint{y, Vector::dense(std::move(x))};
    });
    auto accuracy = [&](auto& model) {
      auto pairs = model.prediction_and_labels(rows).collect();
      int64_t right = 0;
      for (const auto& [p, y] : pairs) right += p == y;
      return static_cast<double>(right) / n;
    };
    for (const auto& w : {tree, forest}) {
      Timings fit{o_.runs, {}};
      double acc = 0;
      brasa::mllib::DecisionTreeClassifier().max_depth(5).fit(rows);  // warm-up
      for (int r = 0; r < o_.runs; ++r) {
        const double start = Timings::now();
        if (w == tree) {
          auto model = brasa::mllib::DecisionTreeClassifier().max_depth(5).seed(o_.seed).fit(rows);
          fit.seconds.push_back(Timings::now() - start);
          acc = accuracy(model);
        } else {
          auto model = brasa::mllib::RandomForestClassifier().num_trees(20).max_depth(5).seed(o_.seed).fit(rows);
          fit.seconds.push_back(Timings::now() - start);
          acc = accuracy(model);
        }
      }
      report_.add({w, w == tree ? "brasa mllib DecisionTreeClassifier" : "brasa mllib RandomForestClassifier", master,
                   fit.median(), n, true, spread(fit) + "training accuracy " + fixed("%.4f", acc)});
    }
  }
  for (const auto& [w, brasa, sklearn] : {std::tuple{tree, "brasa mllib DecisionTreeClassifier", "scikit-learn DecisionTreeClassifier"},
                                         std::tuple{forest, "brasa mllib RandomForestClassifier", "scikit-learn RandomForestClassifier"}}) {
    std::printf("  %s ratios (no targets):\n", w.c_str());
    const Row* local1 = report_.find(w, brasa, "local[1]");
    const Row* local2 = report_.find(w, brasa, "local[2]");
    if (const Row* l = report_.find(w, "histogram loop", "1 thread"); l && local1)
      std::printf("    brasa local[1] / histogram loop: %.2fx\n", local1->seconds / l->seconds);
    if (const Row* sk = report_.find(w, sklearn, "1 thread"); sk && local1)
      std::printf("    brasa local[1] / scikit-learn 1 thread: %.2fx\n", local1->seconds / sk->seconds);
    if (const Row* sk = report_.find(w, sklearn, "2 threads"); sk && local2)
      std::printf("    brasa local[2] / scikit-learn 2 threads: %.2fx\n", local2->seconds / sk->seconds);
  }
  std::fflush(stdout);
}

// The ratios for one workload: Brasa local[1] against the direct
// loop (the fastest one when there are two; target <= loop_target), Brasa
// against scikit-learn on the same cores, and local[1] / local[2].
void Suite::ratios(const std::string& w, const std::string& brasa, const std::string& sklearn,
                   const std::vector<std::string>& loops, double loop_target) {
  const Row* local1 = report_.find(w, brasa, "local[1]");
  const Row* local2 = report_.find(w, brasa, "local[2]");
  const Row* sk2 = report_.find(w, sklearn, "2 threads");
  const Row* sk1 = report_.find(w, sklearn, "1 thread");
  const Row* eigen = nullptr;
  for (auto& loop : loops)
    if (auto* r = report_.find(w, loop, "1 thread"); r && (!eigen || r->seconds < eigen->seconds)) eigen = r;
  std::printf("  %s ratios:\n", w.c_str());
  if (local1 && eigen) {
    double r = local1->seconds / eigen->seconds;
    const std::string limit = fixed("%.1fx", loop_target);
    std::printf("    brasa local[1] / %s: %.2fx (target <= %s)\n", eigen->system.c_str(), r, limit.c_str());
    target(r <= loop_target,
           w + ": brasa local[1] / " + eigen->system + " = " + fixed("%.2fx", r) + " (<= " + limit + ")");
  }
  for (auto [brasa_row, sk_row] : {std::pair{local2, sk2}, std::pair{local1, sk1}}) {
    if (!brasa_row || !sk_row) continue;
    double r = brasa_row->seconds / sk_row->seconds;
    const std::string what = "brasa " + brasa_row->config + " / scikit-learn " + sk_row->config;
    std::printf("    %s: %.2fx (target < 1)\n", what.c_str(), r);
    target(r < 1, w + ": " + what + " = " + fixed("%.2fx", r) + " (< 1)");
  }
  if (local1 && local2) {
    double r = local1->seconds / local2->seconds;
    std::printf("    brasa local[1] / local[2]: %.2fx (target >= 1.6x)\n", r);
    target(r >= 1.6, w + ": brasa local[1] / local[2] = " + fixed("%.2fx", r) + " (>= 1.6x)");
  }
  std::fflush(stdout);
}

int Suite::run() {
  fs::create_directories(o_.out);
  Eigen::setNbThreads(1);
  std::printf("brasa-bench-mllib: %lld points, %lld ratings, M = %d (k-means), %d (logistic) and %d (ALS) iterations, "
              "%d runs (medians)\n",
              static_cast<long long>(o_.points), static_cast<long long>(o_.als_ratings), o_.kmeans_iterations,
              o_.logreg_iterations, o_.als_iterations, o_.runs);
  report_.set_title("brasa-bench-mllib: time per training iteration (log scale; shorter is faster)",
                    "orange: Brasa mllib; grey: direct single-threaded Eigen loops; blue: scikit-learn");
  report_.print_header();
  auto wants = [&](const char* w) { return std::find(o_.workloads.begin(), o_.workloads.end(), w) != o_.workloads.end(); };
  const double busy0 = machine_busy_seconds(), own0 = own_cpu_seconds(), start = Timings::now();
  if (wants("kmeans")) kmeans();
  if (wants("logreg")) logreg();
  if (wants("als")) als();
  if (wants("trees")) trees();

  const double wall = Timings::now() - start;
  const double others = std::max(0.0, (machine_busy_seconds() - busy0) - (own_cpu_seconds() - own0));
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  std::printf("\nother processes kept %.2f of the %ld cores busy on average over the %.0f s run%s\n", others / wall,
              cores, wall, others / wall > 0.1 ? " (the timings are disturbed; rerun on an idle machine)" : "");
  std::printf("\ncached training data (peak block-manager memory_used() at job ends during the long fit, "
              "local[1]; the fit's blocks are the only cached RDD):\n");
  for (auto& s : sizes_) std::printf("  %s\n", s.c_str());
  std::printf("\ntargets:\n");
  for (auto& t : targets_) std::printf("  %s\n", t.c_str());
  report_.write_csv((fs::path(o_.out) / "mllib.csv").string());
  report_.write_svg((fs::path(o_.out) / "mllib.svg").string());
  std::printf("\nwrote %s/mllib.csv and mllib.svg\n", o_.out.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"brasa-bench-mllib: mllib k-means, logistic regression and ALS iterations against a direct Eigen loop "
               "and scikit-learn"};
  Options o;
  app.add_option("--out", o.out, "directory for mllib.csv and mllib.svg");
  app.add_option("--points", o.points, "training points of k-means and logistic regression")->check(CLI::Range(int64_t{100}, int64_t{1} << 40));
  app.add_option("--kmeans-iterations", o.kmeans_iterations, "k-means M: per iteration = (fit(1 + M) - fit(1)) / M")
      ->check(CLI::PositiveNumber);
  app.add_option("--logreg-iterations", o.logreg_iterations, "logistic regression M")->check(CLI::PositiveNumber);
  app.add_option("--als-ratings", o.als_ratings, "ALS ratings (users = ratings / 100, items = ratings / 500)")
      ->check(CLI::Range(int64_t{1000}, int64_t{1} << 31));
  app.add_option("--als-iterations", o.als_iterations, "ALS M")->check(CLI::PositiveNumber);
  app.add_option("--als-alpha", o.als_alpha, "implicit-feedback ALS's alpha (confidence 1 + alpha |r|)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--runs", o.runs, "timed runs per configuration (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--partitions", o.partitions, "partitions of the generated input")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "seed of the generated data");
  app.add_option("--masters", o.masters, "Brasa masters, space-separated")
      ->check(CLI::IsMember({"local[1]", "local[2]", "local-cluster[2,1]"}));
  app.add_option("--workloads", o.workloads, "kmeans, logreg, als, trees (default: all four)")
      ->check(CLI::IsMember({"kmeans", "logreg", "als", "trees"}));
  app.add_option("--tree-points", o.tree_points, "training points of the tree workloads (20 features)")
      ->check(CLI::Range(int64_t{1000}, int64_t{1} << 40));
  app.add_flag("--verbose", o.verbose, "print each Brasa fit's time and jobs");
  app.add_option("--python", o.python, "Python with scikit-learn (Debian's python3-sklearn)");
  CLI11_PARSE(app, argc, argv);
  try {
    return Suite(o).run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-bench-mllib: %s\n", e.what());
    return 1;
  }
}
