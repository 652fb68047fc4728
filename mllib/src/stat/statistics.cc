#include "brasa/mllib/stat/statistics.h"
#include "brasa/util/single.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace statistics_impl {

std::string size_error(const char* who, int32_t a, int32_t b) {
  return fmt::format("{}: vectors have different sizes ({} and {})", who, a, b);
}

// ---- summarize --------------------------------------------------------------

// Spark's SummarizerBuffer: per column, the mean and M2 of the non-zero
// entries with their weight (a sparse row's absent entries join them only
// when the statistics are read), plus sums. Errors found on executors travel
// back in `error` and are thrown on the driver.
struct SummaryBuffer {
  int32_t size = -1;  // set by the first row of positive weight
  int64_t count = 0;
  double weight_sum = 0, weight_sq_sum = 0;
  DenseVector nz_mean, nz_m2, nz_weight;  // of the non-zero entries
  DenseVector sq_sum, abs_sum, nonzeros, max, min;
  std::string error;

  template <class Ar> void serialize(Ar& ar) {
    ar(size, count, weight_sum, weight_sq_sum, nz_mean, nz_m2, nz_weight, sq_sum, abs_sum, nonzeros, max, min, error);
  }

  void start(int32_t n) {
    size = n;
    nz_mean = nz_m2 = nz_weight = sq_sum = abs_sum = nonzeros = DenseVector::Zero(n);
    max = DenseVector::Constant(n, std::numeric_limits<double>::lowest());
    min = DenseVector::Constant(n, std::numeric_limits<double>::max());
  }

  void add(const Vector& x, double w) {
    if (!error.empty()) return;
    if (!(w >= 0)) {
      error = fmt::format("summarize: weights must be at least 0, got {}", w);
      return;
    }
    if (w == 0) return;
    if (size < 0) {
      if (x.size() == 0) {
        error = "summarize: vectors must have at least one entry";
        return;
      }
      start(x.size());
    } else if (x.size() != size) {
      error = size_error("summarize", size, x.size());
      return;
    }
    x.for_each_active([&](int32_t j, double v) {
      if (v == 0.0) return;
      if (max[j] < v) max[j] = v;
      if (min[j] > v) min[j] = v;
      const double previous = nz_mean[j], diff = v - previous;
      nz_mean[j] = previous + w * diff / (nz_weight[j] + w);
      nz_m2[j] += w * (v - nz_mean[j]) * diff;
      nz_weight[j] += w;
      sq_sum[j] += w * v * v;
      abs_sum[j] += w * std::abs(v);
      nonzeros[j] += 1;
    });
    ++count;
    weight_sum += w;
    weight_sq_sum += w * w;
  }

  // Chan et al.'s parallel update, column by column.
  void merge(const SummaryBuffer& b) {
    if (!error.empty()) return;
    if (!b.error.empty()) {
      error = b.error;
      return;
    }
    if (b.weight_sum == 0) return;
    if (weight_sum == 0) {
      *this = b;
      return;
    }
    if (size != b.size) {
      error = size_error("summarize", size, b.size);
      return;
    }
    for (int32_t j = 0; j < size; ++j) {
      const double wa = nz_weight[j], wb = b.nz_weight[j], total = wa + wb;
      if (total == 0) continue;
      const double delta = b.nz_mean[j] - nz_mean[j];
      nz_mean[j] += delta * wb / total;
      nz_m2[j] += b.nz_m2[j] + delta * delta * wa * wb / total;
      nz_weight[j] = total;
    }
    sq_sum += b.sq_sum;
    abs_sum += b.abs_sum;
    nonzeros += b.nonzeros;
    max = max.cwiseMax(b.max);
    min = min.cwiseMin(b.min);
    count += b.count;
    weight_sum += b.weight_sum;
    weight_sq_sum += b.weight_sq_sum;
  }

  ColumnSummary finish() const {
    if (!error.empty()) throw std::invalid_argument(error);
    if (count == 0) throw std::invalid_argument("summarize: there are no rows (of positive weight)");
    ColumnSummary s;
    s.count = count;
    s.weight_sum = weight_sum;
    s.sum = nz_mean.cwiseProduct(nz_weight);
    s.mean = s.sum / weight_sum;
    s.variance = DenseVector::Zero(size);
    const double denominator = weight_sum - weight_sq_sum / weight_sum;
    if (denominator > 0) {
      for (int32_t j = 0; j < size; ++j) {
        // The absent entries are zeros that deviate by -nz_mean from the non-zero entries' mean.
        const double m2 = nz_m2[j] + nz_mean[j] * nz_mean[j] * nz_weight[j] * (weight_sum - nz_weight[j]) / weight_sum;
        s.variance[j] = std::max(m2 / denominator, 0.0);
      }
    }
    s.std_dev = s.variance.cwiseSqrt();
    s.num_nonzeros = nonzeros;
    s.max = max;
    s.min = min;
    for (int32_t j = 0; j < size; ++j) {
      if (nonzeros[j] < static_cast<double>(count)) {  // some row has a 0 there
        if (s.max[j] < 0) s.max[j] = 0;
        if (s.min[j] > 0) s.min[j] = 0;
      }
    }
    s.norm_l1 = abs_sum;
    s.norm_l2 = sq_sum.cwiseSqrt();
    return s;
  }
};

struct AddRow {
  SummaryBuffer operator()(SummaryBuffer acc, const Vector& x) const {
    acc.add(x, 1.0);
    return acc;
  }
};

struct AddWeightedRow {
  SummaryBuffer operator()(SummaryBuffer acc, const std::pair<Vector, double>& row) const {
    acc.add(row.first, row.second);
    return acc;
  }
};

struct MergeSummaries {
  SummaryBuffer operator()(SummaryBuffer a, const SummaryBuffer& b) const {
    a.merge(b);
    return a;
  }
};

// ---- Pearson ----------------------------------------------------------------

// Count, mean and co-moment matrix sum (x - mean)(x - mean)^T of the rows.
struct Moments {
  int32_t size = -1;
  int64_t count = 0;
  DenseVector mean;
  DenseMatrix comoment;
  std::string error;

  template <class Ar> void serialize(Ar& ar) { ar(size, count, mean, comoment, error); }

  void merge(const Moments& b) {
    if (!error.empty()) return;
    if (!b.error.empty()) {
      error = b.error;
      return;
    }
    if (b.count == 0) return;
    if (count == 0) {
      *this = b;
      return;
    }
    if (size != b.size) {
      error = size_error("corr", size, b.size);
      return;
    }
    const double na = static_cast<double>(count), nb = static_cast<double>(b.count), n = na + nb;
    const DenseVector delta = b.mean - mean;
    comoment += b.comoment;
    comoment.noalias() += delta * delta.transpose() * (na * nb / n);
    mean += delta * (nb / n);
    count += b.count;
  }
};

// A partition's moments, from chunks of rows taken as dense matrices.
struct MomentsOfPartition {
  std::vector<Moments> operator()(const std::vector<Vector>& rows) const {
    constexpr size_t kChunk = 256;
    Moments acc;
    DenseMatrix chunk;
    for (size_t begin = 0; begin < rows.size() && acc.error.empty(); begin += kChunk) {
      const size_t n = std::min(kChunk, rows.size() - begin);
      Moments m;
      m.size = rows[begin].size();
      m.count = static_cast<int64_t>(n);
      chunk.setZero(static_cast<Eigen::Index>(n), m.size);
      for (size_t i = 0; i < n; ++i) {
        const Vector& x = rows[begin + i];
        if (x.size() != m.size) {
          acc.error = size_error("corr", m.size, x.size());
          break;
        }
        x.for_each_active([&](int32_t j, double v) { chunk(static_cast<Eigen::Index>(i), j) = v; });
      }
      if (!acc.error.empty()) break;
      m.mean = chunk.colwise().mean().transpose();
      chunk.rowwise() -= m.mean.transpose();
      m.comoment.noalias() = chunk.transpose() * chunk;
      acc.merge(m);
    }
    return single(std::move(acc));
  }
};

struct MergeMoments {
  Moments operator()(Moments a, const Moments& b) const {
    a.merge(b);
    return a;
  }
};

// Spark's PearsonCorrelation.computeCorrelationMatrixFromCovariance.
DenseMatrix correlation_from_covariance(DenseMatrix cov) {
  const Eigen::Index n = cov.cols();
  for (Eigen::Index i = 0; i < n; ++i) cov(i, i) = std::abs(cov(i, i)) <= 1e-12 ? 0.0 : std::sqrt(cov(i, i));
  bool has_nan = false;
  for (Eigen::Index j = 0; j < n; ++j) {
    const double sigma = cov(j, j);
    for (Eigen::Index i = 0; i < j; ++i) {
      double r;
      if (sigma == 0.0 || cov(i, i) == 0.0) {
        has_nan = true;
        r = std::numeric_limits<double>::quiet_NaN();
      } else {
        r = cov(i, j) / (sigma * cov(i, i));
      }
      cov(i, j) = cov(j, i) = r;
    }
  }
  for (Eigen::Index i = 0; i < n; ++i) cov(i, i) = 1.0;
  if (has_nan) spdlog::warn("Pearson correlation matrix contains NaN values.");
  return cov;
}

DenseMatrix pearson(const RDD<Vector>& data) {
  Moments m = data.map_partitions(MomentsOfPartition{}).tree_aggregate(Moments{}, MergeMoments{}, MergeMoments{});
  if (!m.error.empty()) throw std::invalid_argument(m.error);
  if (m.count <= 1)
    throw std::invalid_argument(
        fmt::format("corr: needs at least 2 rows to compute a covariance, the input has {}", m.count));
  return correlation_from_covariance(m.comoment / (static_cast<double>(m.count) - 1.0));
}

// ---- Spearman ---------------------------------------------------------------

// A column's value as a sort key: NaN after every number, all NaNs equal;
// -0 is 0.
using RankKey = std::tuple<int32_t, bool, double>;
using RankGroup = std::pair<RankKey, std::vector<int64_t>>;  // a value and the rows holding it

struct EmitEntries {
  std::vector<std::pair<RankKey, int64_t>> operator()(const std::pair<Vector, int64_t>& row) const {
    const DenseVector x = row.first.to_dense();  // every entry, zeros too
    std::vector<std::pair<RankKey, int64_t>> out;
    out.reserve(static_cast<size_t>(x.size()));
    for (int32_t j = 0; j < x.size(); ++j) {
      const bool nan = std::isnan(x[j]);
      out.emplace_back(RankKey{j, nan, nan ? 0.0 : x[j] + 0.0}, row.second);
    }
    return out;
  }
};

struct CountEntries {
  std::vector<int64_t> operator()(const std::vector<RankGroup>& groups) const {
    int64_t n = 0;
    for (const auto& g : groups) n += static_cast<int64_t>(g.second.size());
    return {n};
  }
};

// Ranks in the order of (column, value) over all columns: shifting a
// column's ranks by a constant leaves its correlations as they are. A tie
// is one group, so its average rank never spans partitions.
struct AssignRanks {
  std::vector<int64_t> offsets;  // entries before each partition
  template <class Ar> void serialize(Ar& ar) { ar(offsets); }

  std::vector<std::pair<int64_t, std::pair<int32_t, double>>> operator()(int p, std::vector<RankGroup>&& groups) const {
    std::vector<std::pair<int64_t, std::pair<int32_t, double>>> out;
    int64_t start = offsets[static_cast<size_t>(p)];
    for (const auto& [key, rows] : groups) {
      const double rank = static_cast<double>(start) + static_cast<double>(rows.size() - 1) / 2.0;
      for (int64_t row : rows) out.push_back({row, {std::get<0>(key), rank}});
      start += static_cast<int64_t>(rows.size());
    }
    return out;
  }
};

struct RankRow {
  Vector operator()(std::pair<int64_t, std::vector<std::pair<int32_t, double>>>&& row) const {
    auto& entries = row.second;
    std::sort(entries.begin(), entries.end());
    std::vector<double> ranks;
    ranks.reserve(entries.size());
    for (const auto& e : entries) ranks.push_back(e.second);
    return Vector::dense(std::move(ranks));
  }
};

DenseMatrix spearman(const RDD<Vector>& data) {
  auto groups = data.zip_with_index().flat_map(EmitEntries{}).group_by_key().sort_by_key();
  auto counts = groups.map_partitions(CountEntries{}).collect();
  std::vector<int64_t> offsets(counts.size(), 0);
  for (size_t i = 1; i < counts.size(); ++i) offsets[i] = offsets[i - 1] + counts[i - 1];
  auto ranks = groups.map_partitions_with_index(AssignRanks{std::move(offsets)}).group_by_key().map(RankRow{});
  return pearson(ranks);
}

// ---- Chi-squared ------------------------------------------------------------

constexpr int kMaxCategories = 10000;
const char* const kIndependence = "the occurrence of the outcomes is statistically independent.";
const char* const kGoodnessOfFit = "observed follows the same distribution as expected.";

// A category's identity: its bits, with -0 as 0 and every NaN as one.
uint64_t category(double v) {
  if (std::isnan(v)) v = std::numeric_limits<double>::quiet_NaN();
  return std::bit_cast<uint64_t>(v + 0.0);
}

double p_value(int64_t df, double statistic) {
  return regularized_gamma_q(static_cast<double>(df) / 2.0, statistic / 2.0);
}

struct LabelCounts {
  std::unordered_map<uint64_t, int64_t> counts;  // by category(label)
  bool too_many = false;
  int64_t rows = 0;
  int32_t min_size = std::numeric_limits<int32_t>::max(), max_size = -1;
  template <class Ar> void serialize(Ar& ar) { ar(counts, too_many, rows, min_size, max_size); }

  void add(uint64_t label, int64_t n) {
    if (too_many) return;
    counts[label] += n;
    if (counts.size() > kMaxCategories) {
      too_many = true;
      counts.clear();
    }
  }
};

struct CountLabel {
  LabelCounts operator()(LabelCounts acc, const LabeledPoint& p) const {
    acc.add(category(p.label), 1);
    ++acc.rows;
    acc.min_size = std::min(acc.min_size, p.features.size());
    acc.max_size = std::max(acc.max_size, p.features.size());
    return acc;
  }
};

struct MergeLabelCounts {
  LabelCounts operator()(LabelCounts a, const LabelCounts& b) const {
    a.too_many = a.too_many || b.too_many;
    for (const auto& [label, n] : b.counts) a.add(label, n);
    a.rows += b.rows;
    a.min_size = std::min(a.min_size, b.min_size);
    a.max_size = std::max(a.max_size, b.max_size);
    return a;
  }
};

using Cell = std::tuple<int32_t, uint64_t, uint64_t>;  // (feature, category of value, category of label)

struct EmitCells {
  std::vector<std::pair<Cell, int64_t>> operator()(const LabeledPoint& p) const {
    std::vector<std::pair<Cell, int64_t>> out;
    const uint64_t label = category(p.label);
    p.features.for_each_active([&](int32_t j, double v) {
      if (v != 0.0) out.push_back({Cell{j, category(v), label}, 1});
    });
    return out;
  }
};

struct AddCounts {
  int64_t operator()(int64_t a, int64_t b) const { return a + b; }
};

using ValueLabelCount = std::tuple<uint64_t, uint64_t, int64_t>;

struct ByFeature {
  std::pair<int32_t, ValueLabelCount> operator()(const std::pair<Cell, int64_t>& c) const {
    return {std::get<0>(c.first), ValueLabelCount{std::get<1>(c.first), std::get<2>(c.first), c.second}};
  }
};

struct FeatureTest {
  int32_t feature = 0;
  int64_t degrees_of_freedom = 0;
  double statistic = 0, p_value = 1;
  bool too_many_values = false;
};

ChiSqTestResult independence(const DenseMatrix& counts);

// A feature's contingency table (its non-zero values' counts by label, and
// the zeros as what the labels' counts leave) and its test.
struct TestFeature {
  std::vector<std::pair<uint64_t, int64_t>> labels;  // (category, count), ascending by category
  int64_t rows = 0;
  template <class Ar> void serialize(Ar& ar) { ar(labels, rows); }

  FeatureTest operator()(const std::pair<int32_t, std::vector<ValueLabelCount>>& feature) const {
    const auto& cells = feature.second;
    FeatureTest out;
    out.feature = feature.first;
    std::vector<uint64_t> values;
    int64_t nonzeros = 0;
    for (const auto& [value, label, n] : cells) {
      values.push_back(value);
      nonzeros += n;
    }
    if (nonzeros < rows) values.push_back(category(0.0));
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (values.size() > kMaxCategories) {
      out.too_many_values = true;
      return out;
    }
    auto index_of = [](const auto& sorted, uint64_t key) {
      return static_cast<Eigen::Index>(std::lower_bound(sorted.begin(), sorted.end(), key) - sorted.begin());
    };
    std::vector<uint64_t> label_keys;
    for (const auto& l : labels) label_keys.push_back(l.first);
    DenseMatrix table =
        DenseMatrix::Zero(static_cast<Eigen::Index>(values.size()), static_cast<Eigen::Index>(labels.size()));
    for (const auto& [value, label, n] : cells)
      table(index_of(values, value), index_of(label_keys, label)) += static_cast<double>(n);
    if (nonzeros < rows) {
      const Eigen::Index zero = index_of(values, category(0.0));
      for (Eigen::Index j = 0; j < table.cols(); ++j)
        table(zero, j) = static_cast<double>(labels[static_cast<size_t>(j)].second) - table.col(j).sum();
    }
    ChiSqTestResult r = independence(table);
    out.degrees_of_freedom = r.degrees_of_freedom;
    out.statistic = r.statistic;
    out.p_value = r.p_value;
    return out;
  }
};

// Spark's ChiSqTest.chiSquaredMatrix.
ChiSqTestResult independence(const DenseMatrix& counts) {
  if ((counts.array() < 0.0).any())
    throw std::invalid_argument("chi_sq_test: Contingency table cannot contain negative entries.");
  const DenseVector col_sums = counts.colwise().sum().transpose();
  const DenseVector row_sums = counts.rowwise().sum();
  const double total = col_sums.sum();
  double statistic = 0;
  for (Eigen::Index j = 0; j < counts.cols(); ++j) {
    if (col_sums[j] == 0.0)
      throw std::invalid_argument(
          fmt::format("chi_sq_test: Chi-squared statistic undefined for input matrix due to 0 sum in column [{}].", j));
    for (Eigen::Index i = 0; i < counts.rows(); ++i) {
      if (row_sums[i] == 0.0)
        throw std::invalid_argument(
            fmt::format("chi_sq_test: Chi-squared statistic undefined for input matrix due to 0 sum in row [{}].", i));
      const double expected = col_sums[j] * row_sums[i] / total;
      const double dev = counts(i, j) - expected;
      statistic += dev * dev / expected;
    }
  }
  ChiSqTestResult r;
  r.null_hypothesis = kIndependence;
  r.degrees_of_freedom = static_cast<int64_t>(counts.cols() - 1) * static_cast<int64_t>(counts.rows() - 1);
  if (r.degrees_of_freedom == 0) return r;  // one row or column: p 1, statistic 0
  r.statistic = statistic;
  r.p_value = p_value(r.degrees_of_freedom, statistic);
  return r;
}

// ---- The incomplete gamma function -----------------------------------------

constexpr int kMaxGammaIterations = 100000000;
constexpr double kGammaEpsilon = 1e-16;

// log of x^a e^-x / Γ(a).
double log_prefactor(double a, double x) { return a * std::log(x) - x - std::lgamma(a); }

// P(a, x) by its series, for x < a + 1.
double gamma_p_series(double a, double x) {
  double term = 1.0 / a, sum = term;
  for (int n = 1; n < kMaxGammaIterations; ++n) {
    term *= x / (a + n);
    sum += term;
    if (std::abs(term) < std::abs(sum) * kGammaEpsilon) break;
  }
  return sum * std::exp(log_prefactor(a, x));
}

// Q(a, x) by its continued fraction (modified Lentz), for x >= a + 1.
double gamma_q_fraction(double a, double x) {
  constexpr double kTiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / kTiny, d = 1.0 / b, h = d;
  for (int i = 1; i < kMaxGammaIterations; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::abs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < kGammaEpsilon) break;
  }
  return std::exp(log_prefactor(a, x)) * h;
}

}  // namespace statistics_impl
using namespace statistics_impl;

double regularized_gamma_q(double a, double x) {
  if (std::isnan(a) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (!(a > 0) || !(x >= 0))
    throw std::invalid_argument(fmt::format("regularized_gamma_q: needs a > 0 and x >= 0, got a = {}, x = {}", a, x));
  if (x == 0) return 1.0;
  if (std::isinf(x)) return 0.0;
  if (x < a + 1.0) return 1.0 - gamma_p_series(a, x);
  return gamma_q_fraction(a, x);
}

ColumnSummary summarize(const RDD<Vector>& data) {
  return data.tree_aggregate(SummaryBuffer{}, AddRow{}, MergeSummaries{}).finish();
}

ColumnSummary summarize(const RDD<std::pair<Vector, double>>& weighted) {
  return weighted.tree_aggregate(SummaryBuffer{}, AddWeightedRow{}, MergeSummaries{}).finish();
}

DenseMatrix corr(const RDD<Vector>& data, const std::string& method) {
  if (method == "pearson") return pearson(data);
  if (method == "spearman") return spearman(data);
  throw std::invalid_argument("corr: method must be \"pearson\" or \"spearman\", got \"" + method + "\"");
}

namespace statistics_impl {
struct AsPair {
  Vector operator()(const std::pair<double, double>& xy) const { return Vector::dense({xy.first, xy.second}); }
};
}  // namespace statistics_impl

double corr(const RDD<double>& x, const RDD<double>& y, const std::string& method) {
  return corr(x.zip(y).map(AsPair{}), method)(0, 1);
}

std::vector<ChiSqTestResult> chi_sq_test(const RDD<LabeledPoint>& data) {
  const LabelCounts labels = data.tree_aggregate(LabelCounts{}, CountLabel{}, MergeLabelCounts{});
  if (labels.rows == 0) throw std::invalid_argument("chi_sq_test: there are no points");
  if (labels.min_size != labels.max_size)
    throw std::invalid_argument(size_error("chi_sq_test", labels.min_size, labels.max_size));
  if (labels.too_many)
    throw std::invalid_argument(fmt::format(
        "chi_sq_test: Chi-square test expect factors (categorical values) but found more than {} distinct label "
        "values.",
        kMaxCategories));
  TestFeature test{{labels.counts.begin(), labels.counts.end()}, labels.rows};
  std::sort(test.labels.begin(), test.labels.end());
  auto tested = data.flat_map(EmitCells{})
                    .reduce_by_key(AddCounts{})
                    .map(ByFeature{})
                    .group_by_key()
                    .map(std::move(test))
                    .collect();
  // Features that are 0 everywhere: one value, so p 1, statistic 0, df 0.
  ChiSqTestResult zero;
  zero.null_hypothesis = kIndependence;
  std::vector<ChiSqTestResult> results(static_cast<size_t>(labels.max_size), zero);
  for (const FeatureTest& t : tested) {
    if (t.too_many_values)
      throw std::invalid_argument(fmt::format(
          "chi_sq_test: Chi-square test expect factors (categorical values) but found more than {} distinct values in "
          "column {}.",
          kMaxCategories, t.feature));
    auto& r = results[static_cast<size_t>(t.feature)];
    r.degrees_of_freedom = t.degrees_of_freedom;
    r.statistic = t.statistic;
    r.p_value = t.p_value;
  }
  return results;
}

ChiSqTestResult chi_sq_test(const DenseMatrix& contingency) { return independence(contingency); }

ChiSqTestResult chi_sq_test(const DenseVector& observed, const DenseVector& expected) {
  const Eigen::Index size = observed.size();
  if (expected.size() != 0 && expected.size() != size)
    throw std::invalid_argument("chi_sq_test: observed and expected must be of the same size.");
  if (size < 2) throw std::invalid_argument(fmt::format("chi_sq_test: needs at least 2 categories, got {}", size));
  if (size > 1000)
    spdlog::warn(
        "Chi-squared approximation may not be accurate due to low expected frequencies as a result of a large number "
        "of categories: {}.",
        size);
  if (!(observed.array() >= 0.0).all())
    throw std::invalid_argument("chi_sq_test: Negative entries disallowed in the observed vector.");
  if (expected.size() != 0 && !(expected.array() >= 0.0).all())
    throw std::invalid_argument("chi_sq_test: Negative entries disallowed in the expected vector.");
  const DenseVector exp =
      expected.size() == 0 ? DenseVector::Constant(size, 1.0 / static_cast<double>(size)) : expected;
  const double observed_sum = observed.sum();
  const double expected_sum = expected.size() == 0 ? 1.0 : exp.sum();
  const double scale = std::abs(observed_sum - expected_sum) < 1e-7 ? 1.0 : observed_sum / expected_sum;
  ChiSqTestResult r;
  r.null_hypothesis = kGoodnessOfFit;
  r.degrees_of_freedom = size - 1;
  double statistic = 0;
  for (Eigen::Index i = 0; i < size; ++i) {
    if (exp[i] == 0.0) {
      if (observed[i] == 0.0)
        throw std::invalid_argument(
            "chi_sq_test: Chi-squared statistic undefined for input vectors due to 0.0 values in both observed and "
            "expected.");
      r.statistic = std::numeric_limits<double>::infinity();
      r.p_value = 0.0;
      return r;
    }
    const double e = scale == 1.0 ? exp[i] : exp[i] * scale;
    const double dev = observed[i] - e;
    statistic += dev * dev / e;
  }
  r.statistic = statistic;
  r.p_value = p_value(r.degrees_of_freedom, statistic);
  return r;
}

}  // namespace brasa::mllib
