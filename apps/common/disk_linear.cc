#include "common/disk_linear.h"

#include <cmath>

#include "brasa/util/files.h"
#include "common/text_state.h"

namespace brasa::apps {

namespace {

// The coefficients file: one number per line, w row by row, then b.
std::vector<double> read_numbers(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<double> xs;
  for (std::string_view line : words(text)) xs.push_back(Fields(line, 1).real(0));
  return xs;
}

struct AddLoss {
  std::string file;
  Loss loss;
  int32_t rows;
  double label_scale;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(file, loss, rows, label_scale);
  }

  std::vector<LossSum> operator()(const std::vector<mllib::LabeledPoint>& points) const {
    const std::vector<double> numbers = read_numbers(file);
    const size_t d = numbers.size() / rows - 1;
    const double* w = numbers.data();
    const double* b = w + rows * d;
    LossSum s{0, std::vector<double>(rows, 0.0), std::vector<double>(rows * d, 0.0)};
    std::vector<double> m(rows);  // margins, then residuals
    for (const auto& p : points) {
      for (int32_t k = 0; k < rows; ++k) m[k] = b[k];
      p.features.for_each_active([&](int32_t i, double x) {
        for (int32_t k = 0; k < rows; ++k) m[k] += w[k * d + i] * x;
      });
      if (loss == Loss::kSquared) {
        m[0] -= p.label * label_scale;
        s.loss += 0.5 * m[0] * m[0];
      } else if (rows == 1) {
        s.loss += (m[0] > 0 ? m[0] + std::log1p(std::exp(-m[0])) : std::log1p(std::exp(m[0]))) - p.label * m[0];
        m[0] = 1.0 / (1.0 + std::exp(-m[0])) - p.label;
      } else {
        const int32_t y = static_cast<int32_t>(p.label);
        double max = m[0], sum = 0;
        for (int32_t k = 1; k < rows; ++k) max = std::max(max, m[k]);
        for (int32_t k = 0; k < rows; ++k) sum += std::exp(m[k] - max);
        s.loss += max + std::log(sum) - m[y];
        for (int32_t k = 0; k < rows; ++k) m[k] = std::exp(m[k] - max) / sum - (k == y ? 1.0 : 0.0);
      }
      for (int32_t k = 0; k < rows; ++k) s.residual_sum[k] += m[k];
      p.features.for_each_active([&](int32_t i, double x) {
        for (int32_t k = 0; k < rows; ++k) s.gradient[k * d + i] += m[k] * x;
      });
    }
    return {std::move(s)};
  }
};

}  // namespace

void add_linear_options(CLI::App& cli, LinearOptions& o) {
  cli.add_option("--max-iter", o.max_iter, "most L-BFGS iterations")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_option("--reg", o.reg, "regularisation parameter (Spark's regParam)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli.add_option("--elastic-net", o.elastic_net, "L1 share of the regularisation, in [0, 1]")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--tol", o.tol, "convergence tolerance of L-BFGS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

RDD<mllib::LabeledPoint> TrainingInput::read(Context& ctx) const {
  auto points = ctx.text_file(flags.input, flags.partitions)
                    .map_partitions([num_features = num_features](const std::vector<std::string>& lines) {
                      std::vector<mllib::LabeledPoint> out;
                      out.reserve(lines.size());
                      mllib::LabeledPoint p;
                      for (const auto& line : lines)
                        if (mllib::parse_libsvm_line(line, num_features, p)) out.push_back(std::move(p));
                      return out;
                    });
  if (test_fraction == 0) return points;
  return mllib::random_split(points, {1.0 - test_fraction, test_fraction}, seed)[0];
}

double Moments::std_dev(size_t i) const {
  return n > 1 ? std::sqrt(std::max(0.0, (sum_sq[i] - n * mean(i) * mean(i)) / (n - 1))) : 0.0;
}

double Moments::label_std() const {
  return n > 1 ? std::sqrt(std::max(0.0, (label_sum_sq - n * label_mean() * label_mean()) / (n - 1))) : 0.0;
}

Moments moments(Context& ctx, const TrainingInput& input, bool class_labels) {
  const int32_t d = input.num_features;
  Moments zero{0, 0, 0, std::vector<double>(d, 0.0), std::vector<double>(d, 0.0), {}};
  return input.read(ctx).aggregate(
      zero,
      [class_labels](Moments acc, const mllib::LabeledPoint& p) {
        if (class_labels) {
          // MLlib's limit on classes.
          if (!(p.label >= 0 && p.label < 65536 && p.label == std::floor(p.label)))
            throw std::invalid_argument("labels must be class indices 0, 1, 2, ..., found " +
                                        format_double(p.label));
          const size_t c = static_cast<size_t>(p.label);
          if (acc.class_count.size() <= c) acc.class_count.resize(c + 1, 0.0);
          acc.class_count[c] += 1;
        }
        acc.n += 1;
        acc.label_sum += p.label;
        acc.label_sum_sq += p.label * p.label;
        p.features.for_each_active([&](int32_t i, double x) {
          acc.sum[i] += x;
          acc.sum_sq[i] += x * x;
        });
        return acc;
      },
      [](Moments a, const Moments& b) {
        a.n += b.n;
        a.label_sum += b.label_sum;
        a.label_sum_sq += b.label_sum_sq;
        for (size_t i = 0; i < a.sum.size(); ++i) a.sum[i] += b.sum[i], a.sum_sq[i] += b.sum_sq[i];
        if (a.class_count.size() < b.class_count.size()) a.class_count.resize(b.class_count.size(), 0.0);
        for (size_t c = 0; c < b.class_count.size(); ++c) a.class_count[c] += b.class_count[c];
        return a;
      });
}

LossSum evaluate_loss(Context& ctx, const TrainingInput& input, Loss loss, const Eigen::MatrixXd& w,
                      const Eigen::VectorXd& b, double label_scale, const std::string& file) {
  std::string text;
  for (Eigen::Index k = 0; k < w.rows(); ++k)
    for (Eigen::Index i = 0; i < w.cols(); ++i) text += format_double(w(k, i)) + "\n";
  for (Eigen::Index k = 0; k < b.size(); ++k) text += format_double(b[k]) + "\n";
  write_file_atomic(file, text);
  const int32_t rows = static_cast<int32_t>(w.rows());
  return input.read(ctx)
      .map_partitions(AddLoss{file, loss, rows, label_scale})
      .reduce([](LossSum a, const LossSum& b) {
        a.loss += b.loss;
        for (size_t k = 0; k < a.residual_sum.size(); ++k) a.residual_sum[k] += b.residual_sum[k];
        for (size_t i = 0; i < a.gradient.size(); ++i) a.gradient[i] += b.gradient[i];
        return a;
      });
}

}  // namespace brasa::apps
