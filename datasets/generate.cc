// brasa-generate: synthetic inputs of any size for the apps and benchmarks,
// the same bytes for the same arguments (fixed-seed generators, written by
// one thread).
//
//   brasa-generate rmat --scale 20 --edges 16000000 --output edges.txt
//   brasa-generate blobs --points 1000000 --dims 20 --k 20 --output points.csv
//   brasa-generate logistic --points 1000000 --dims 100 --output data.libsvm
//   brasa-generate ratings --users 100000 --items 20000 --ratings 10000000 --output ratings.csv
#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

// Buffered writes of numbers and text to one file.
class Writer {
 public:
  explicit Writer(const std::string& path) : f_(std::fopen(path.c_str(), "wb")), path_(path) {
    if (!f_) throw std::runtime_error("cannot write " + path);
    buf_.reserve(1 << 20);
  }
  ~Writer() noexcept(false) {
    flush();
    if (std::fclose(f_) != 0) throw std::runtime_error("cannot write " + path_);
  }
  Writer& operator<<(const char* s) {
    buf_ += s;
    return *this;
  }
  Writer& operator<<(char c) {
    buf_ += c;
    return *this;
  }
  Writer& operator<<(int64_t x) { return number(x); }
  Writer& operator<<(double x) {
    char tmp[32];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, x, std::chars_format::general, 6);
    buf_.append(tmp, end);
    return maybe_flush();
  }

 private:
  Writer& number(int64_t x) {
    char tmp[24];
    auto [end, ec] = std::to_chars(tmp, tmp + sizeof tmp, x);
    buf_.append(tmp, end);
    return maybe_flush();
  }
  Writer& maybe_flush() {
    if (buf_.size() > (1 << 20) - 256) flush();
    return *this;
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      throw std::runtime_error("cannot write " + path_);
    buf_.clear();
  }
  std::FILE* f_;
  std::string path_;
  std::string buf_;
};

// R-MAT (Chakrabarti et al.) with GraphX's probabilities 0.45, 0.15, 0.15,
// 0.25: each edge picks a quadrant per bit of the ids.
void rmat(int scale, int64_t edges, uint64_t seed, const std::string& path) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  Writer out(path);
  out << "# R-MAT graph, scale " << int64_t{scale} << ", " << edges << " edges, seed " << int64_t(seed) << '\n';
  for (int64_t e = 0; e < edges; ++e) {
    int64_t src = 0, dst = 0;
    for (int bit = 0; bit < scale; ++bit) {
      const double r = unit(rng);
      src = 2 * src + (r >= 0.6);
      dst = 2 * dst + ((r >= 0.45 && r < 0.6) || r >= 0.75);
    }
    out << src << '\t' << dst << '\n';
  }
}

// k Gaussian blobs (standard deviation `spread`) around centres drawn in
// [-10, 10]^dims.
void blobs(int64_t points, int dims, int k, double spread, uint64_t seed, const std::string& path) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> box(-10, 10);
  std::normal_distribution<double> gauss(0, spread);
  std::vector<double> centres(size_t(k) * dims);
  for (auto& c : centres) c = box(rng);
  Writer out(path);
  for (int64_t p = 0; p < points; ++p) {
    const double* c = &centres[size_t(rng() % k) * dims];
    for (int i = 0; i < dims; ++i) {
      if (i) out << ',';
      out << c[i] + gauss(rng);
    }
    out << '\n';
  }
}

// LIBSVM points with Gaussian features and labels drawn from a logistic
// model with weights in [-1, 1].
void logistic(int64_t points, int dims, uint64_t seed, const std::string& path) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> gauss(0, 1);
  std::vector<double> w(dims), x(dims);
  for (auto& v : w) v = 2 * unit(rng) - 1;
  Writer out(path);
  for (int64_t p = 0; p < points; ++p) {
    double m = 0;
    for (int i = 0; i < dims; ++i) m += w[i] * (x[i] = gauss(rng));
    out << int64_t{unit(rng) < 1 / (1 + std::exp(-m)) ? 1 : 0};
    for (int i = 0; i < dims; ++i) out << ' ' << int64_t{i + 1} << ':' << x[i];
    out << '\n';
  }
}

// "user,item,rating" from a rank-r model plus Gaussian noise (0.1), users
// and items drawn uniformly (repeats of a pair are kept, as real logs have).
void ratings(int64_t users, int64_t items, int64_t count, int rank, uint64_t seed, const std::string& path) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> gauss(0, 1);
  std::vector<double> u(size_t(users) * rank), v(size_t(items) * rank);
  for (auto& x : u) x = gauss(rng) / std::sqrt(rank);
  for (auto& x : v) x = gauss(rng);
  Writer out(path);
  for (int64_t n = 0; n < count; ++n) {
    const int64_t i = rng() % users, j = rng() % items;
    double r = 3;
    for (int c = 0; c < rank; ++c) r += u[size_t(i) * rank + c] * v[size_t(j) * rank + c];
    out << i << ',' << j << ',' << r + 0.1 * gauss(rng) << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes synthetic inputs for the Brasa apps and benchmarks (fixed seeds)", "brasa-generate"};
  app.require_subcommand(1);
  std::string output;
  uint64_t seed = 1;
  int scale = 16, dims = 10, k = 10, rank = 10;
  double spread = 1;
  int64_t edges = 1 << 20, points = 100000, users = 10000, items = 2000, count = 1000000;

  auto* g = app.add_subcommand("rmat", "R-MAT graph as a tab-separated edge list");
  g->add_option("--scale", scale, "vertex ids below 2^scale")->check(CLI::Range(1, 40))->capture_default_str();
  g->add_option("--edges", edges, "number of edges")->check(CLI::PositiveNumber)->capture_default_str();
  auto* b = app.add_subcommand("blobs", "Gaussian blobs, one comma-separated point per line");
  b->add_option("--points", points, "number of points")->check(CLI::PositiveNumber)->capture_default_str();
  b->add_option("--dims", dims, "dimensions")->check(CLI::PositiveNumber)->capture_default_str();
  b->add_option("--k", k, "number of blobs")->check(CLI::PositiveNumber)->capture_default_str();
  b->add_option("--spread", spread, "standard deviation of each blob")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  auto* l = app.add_subcommand("logistic", "LIBSVM points labelled by a logistic model");
  l->add_option("--points", points, "number of points")->check(CLI::PositiveNumber)->capture_default_str();
  l->add_option("--dims", dims, "features")->check(CLI::PositiveNumber)->capture_default_str();
  auto* r = app.add_subcommand("ratings", "user,item,rating triples of a low-rank model with noise");
  r->add_option("--users", users, "number of users")->check(CLI::PositiveNumber)->capture_default_str();
  r->add_option("--items", items, "number of items")->check(CLI::PositiveNumber)->capture_default_str();
  r->add_option("--ratings", count, "number of ratings")->check(CLI::PositiveNumber)->capture_default_str();
  r->add_option("--rank", rank, "rank of the model")->check(CLI::PositiveNumber)->capture_default_str();
  for (auto* sub : {g, b, l, r}) {
    sub->add_option("--output", output, "file to write")->required();
    sub->add_option("--seed", seed, "random seed")->capture_default_str();
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "brasa-generate: %s (see --help)\n", e.what());
    return 2;
  }
  try {
    if (*g) rmat(scale, edges, seed, output);
    if (*b) blobs(points, dims, k, spread, seed, output);
    if (*l) logistic(points, dims, seed, output);
    if (*r) ratings(users, items, count, rank, seed, output);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-generate: %s\n", e.what());
    return 1;
  }
  return 0;
}
