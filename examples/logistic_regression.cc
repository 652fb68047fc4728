// Spark's SparkLR: logistic regression by gradient descent on N generated
// points of D dimensions (labels +-1), ITERATIONS steps from random weights.
//
//   logistic_regression [ITERATIONS] [MASTER]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "brasa/brasa.h"

constexpr int kN = 10000, kD = 10;
constexpr double kR = 0.7;  // spread of the two classes

struct DataPoint {
  std::vector<double> x;
  double y = 0;
  template <class Ar>
  void serialize(Ar& ar) {
    ar(x, y);
  }
};

std::vector<DataPoint> generate_data() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> gauss(0, 1);
  std::vector<DataPoint> points(kN);
  for (int i = 0; i < kN; ++i) {
    points[i].y = i % 2 == 0 ? -1 : 1;
    for (int j = 0; j < kD; ++j) points[i].x.push_back(gauss(rng) + points[i].y * kR);
  }
  return points;
}

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 5;
  brasa::Context ctx(brasa::Conf().master(argc > 2 ? argv[2] : "local[2]").app_name("logistic_regression"));
  auto points = ctx.parallelize(generate_data(), 4).cache();
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> w(kD);
  for (double& v : w) v = 2 * unit(rng) - 1;
  for (int i = 1; i <= iterations; ++i) {
    auto shared = ctx.scoped_broadcast(w);
    auto weights = shared.handle();
    auto gradient = points
                        .map([weights](const DataPoint& p) {
                          const std::vector<double>& w = weights.value();
                          double dot = 0;
                          for (int j = 0; j < kD; ++j) dot += w[j] * p.x[j];
                          const double scale = (1 / (1 + std::exp(-p.y * dot)) - 1) * p.y;
                          std::vector<double> g(kD);
                          for (int j = 0; j < kD; ++j) g[j] = p.x[j] * scale;
                          return g;
                        })
                        .reduce([](std::vector<double> a, const std::vector<double>& b) {
                          for (int j = 0; j < kD; ++j) a[j] += b[j];
                          return a;
                        });
    for (int j = 0; j < kD; ++j) w[j] -= gradient[j];
  }
  std::printf("Final w:");
  for (double v : w) std::printf(" %.12f", v);
  std::printf("\n");
}
