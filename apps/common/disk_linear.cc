#include "common/disk_linear.h"

#include <cmath>

#include "brasa/util/files.h"
#include "common/text_state.h"

namespace brasa::apps {

namespace {

// The coefficients file: one number per line, w then b.
std::vector<double> read_numbers(const std::string& path) {
  const std::string text = read_file(path);
  std::vector<double> xs;
  for (std::string_view line : words(text)) xs.push_back(Fields(line, 1).real(0));
  return xs;
}

struct AddLoss {
  std::string file;
  Loss loss;
  double label_scale;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(file, loss, label_scale);
  }

  std::vector<LossSum> operator()(const std::vector<mllib::LabeledPoint>& points) const {
    const std::vector<double> w = read_numbers(file);
    const size_t d = w.size() - 1;
    LossSum s{0, 0, std::vector<double>(d, 0.0)};
    for (const auto& p : points) {
      double m = w[d];
      p.features.for_each_active([&](int32_t i, double x) { m += w[i] * x; });
      double r;
      if (loss == Loss::kLogistic) {
        s.loss += (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m))) - p.label * m;
        r = 1.0 / (1.0 + std::exp(-m)) - p.label;
      } else {
        r = m - p.label * label_scale;
        s.loss += 0.5 * r * r;
      }
      p.features.for_each_active([&](int32_t i, double x) { s.gradient[i] += r * x; });
      s.residual_sum += r;
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

RDD<mllib::LabeledPoint> read_libsvm(Context& ctx, const CommonFlags& flags, int32_t num_features) {
  return ctx.text_file(flags.input, flags.partitions)
      .map_partitions([num_features](const std::vector<std::string>& lines) {
        std::vector<mllib::LabeledPoint> out;
        out.reserve(lines.size());
        mllib::LabeledPoint p;
        for (const auto& line : lines)
          if (mllib::parse_libsvm_line(line, num_features, p)) out.push_back(std::move(p));
        return out;
      });
}

double Moments::std_dev(size_t i) const {
  return n > 1 ? std::sqrt(std::max(0.0, (sum_sq[i] - n * mean(i) * mean(i)) / (n - 1))) : 0.0;
}

double Moments::label_std() const {
  return n > 1 ? std::sqrt(std::max(0.0, (label_sum_sq - n * label_mean() * label_mean()) / (n - 1))) : 0.0;
}

Moments moments(Context& ctx, const CommonFlags& flags, int32_t num_features, bool binary_labels) {
  Moments zero{0, 0, 0, std::vector<double>(num_features, 0.0), std::vector<double>(num_features, 0.0)};
  return read_libsvm(ctx, flags, num_features)
      .aggregate(
          zero,
          [binary_labels](Moments acc, const mllib::LabeledPoint& p) {
            if (binary_labels && p.label != 0 && p.label != 1)
              throw std::invalid_argument("--mode disk takes binary labels 0 and 1, found " + std::to_string(p.label));
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
            return a;
          });
}

LossSum evaluate_loss(Context& ctx, const CommonFlags& flags, Loss loss, const std::vector<double>& w, double b,
                      double label_scale, const std::string& file) {
  std::string text;
  for (double x : w) text += format_double(x) + "\n";
  text += format_double(b) + "\n";
  write_file_atomic(file, text);
  return read_libsvm(ctx, flags, static_cast<int32_t>(w.size()))
      .map_partitions(AddLoss{file, loss, label_scale})
      .reduce([](LossSum a, const LossSum& b) {
        a.loss += b.loss;
        a.residual_sum += b.residual_sum;
        for (size_t i = 0; i < a.gradient.size(); ++i) a.gradient[i] += b.gradient[i];
        return a;
      });
}

}  // namespace brasa::apps
