// Spark's SparkKMeans: k-means of the points of a file (numbers separated by
// blanks), from k points sampled with seed 42, until the centres move less
// than the given distance in all.
//
//   kmeans FILE K CONVERGE_DIST [MASTER]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>

#include "brasa/brasa.h"

using Point = std::vector<double>;

Point parse_vector(const std::string& line) {
  Point p;
  for (auto word : brasa::words(line)) p.push_back(std::strtod(std::string(word).c_str(), nullptr));
  return p;
}

double squared_distance(const Point& a, const Point& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += (a[i] - b[i]) * (a[i] - b[i]);
  return d;
}

int closest_point(const Point& p, const std::vector<Point>& centers) {
  int best = 0;
  double closest = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < centers.size(); ++i)
    if (double d = squared_distance(p, centers[i]); d < closest) closest = d, best = static_cast<int>(i);
  return best;
}

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  if (argc < 4) {
    std::fprintf(stderr, "usage: kmeans FILE K CONVERGE_DIST [MASTER]\n");
    return 2;
  }
  const int k = std::atoi(argv[2]);
  const double converge_dist = std::atof(argv[3]);
  brasa::Context ctx(brasa::Conf().master(argc > 4 ? argv[4] : "local[2]").app_name("kmeans"));
  auto data = ctx.text_file(argv[1]).map([](const std::string& line) { return parse_vector(line); }).cache();
  std::vector<Point> centers = data.take_sample(false, k, 42);
  for (double moved = INFINITY; moved > converge_dist;) {
    // Closures capture plain values only: the centres travel as a broadcast.
    auto shared = ctx.scoped_broadcast(centers);
    auto current = shared.handle();
    auto stats = data.map([current](const Point& p) {
                       return std::pair{closest_point(p, current.value()), std::pair{p, int64_t{1}}};
                     })
                     .reduce_by_key([](std::pair<Point, int64_t> a, const std::pair<Point, int64_t>& b) {
                       for (size_t i = 0; i < a.first.size(); ++i) a.first[i] += b.first[i];
                       return std::pair{std::move(a.first), a.second + b.second};
                     })
                     .collect_as_map();
    moved = 0;
    for (const auto& [i, sum] : stats) {
      Point next = sum.first;
      for (double& x : next) x /= static_cast<double>(sum.second);
      moved += squared_distance(centers[i], next);
      centers[i] = next;
    }
  }
  std::printf("Final centers:\n");
  for (const auto& c : centers) {
    for (double x : c) std::printf("%.9f ", x);
    std::printf("\n");
  }
}
