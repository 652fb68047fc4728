#include <gtest/gtest.h>

#include <random>

#include "brasa/mllib/clustering/kmeans.h"
#include "linalg/dense_kernels.h"
#include "test_util.h"

using brasa::mllib::DenseMatrix;
using brasa::mllib::DenseVector;
using brasa::mllib::KMeans;
using brasa::mllib::KMeansModel;
using brasa::mllib::Vector;

namespace {

// n points around `centres` (one per row) with normal noise of sd `spread`.
std::vector<Vector> blobs(const DenseMatrix& centres, int n, double spread, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, spread);
  std::vector<Vector> out;
  for (int i = 0; i < n; ++i) {
    DenseVector x = centres.row(i % centres.rows()).transpose();
    for (auto& v : x) v += noise(rng);
    out.push_back(Vector::dense(x));
  }
  return out;
}

// Lloyd's algorithm, sequentially and with exact distances, from `centres`.
std::pair<DenseMatrix, std::vector<int>> lloyd(const std::vector<Vector>& points, DenseMatrix centres,
                                               int iterations) {
  std::vector<int> assignment(points.size());
  for (int it = 0; it < iterations; ++it) {
    DenseMatrix sums = DenseMatrix::Zero(centres.rows(), centres.cols());
    DenseVector counts = DenseVector::Zero(centres.rows());
    for (size_t i = 0; i < points.size(); ++i) {
      DenseVector x = points[i].to_dense();
      Eigen::Index best;
      (centres.rowwise() - x.transpose()).rowwise().squaredNorm().minCoeff(&best);
      assignment[i] = static_cast<int>(best);
      sums.row(best) += x.transpose();
      counts[best] += 1;
    }
    for (int j = 0; j < centres.rows(); ++j)
      if (counts[j] > 0) centres.row(j) = sums.row(j) / counts[j];
  }
  return {centres, assignment};
}

DenseMatrix three_centres() {
  DenseMatrix c(3, 2);
  c << 0, 0, 10, 10, -10, 10;
  return c;
}

}  // namespace

TEST(KMeans, FindsWellSeparatedClusters) {
  auto ctx = brasa_test::make_context();
  auto points = blobs(three_centres(), 300, 0.5, 1);
  auto data = ctx->parallelize(points, 3);
  // (Random initialisation may start two centres in one blob and stay in
  // that local minimum, in Spark as here.)
  for (const char* init : {"k-means||"}) {
    auto model = KMeans().k(3).seed(5).init_mode(init).fit(data);
    ASSERT_EQ(model.k(), 3);
    for (int t = 0; t < 3; ++t) {
      DenseVector truth = three_centres().row(t).transpose();
      int c = model.predict(Vector::dense(truth));
      EXPECT_LT((DenseVector(model.centers().row(c).transpose()) - truth).norm(), 0.2) << init << " " << t;
      for (size_t i = t; i < points.size(); i += 3) EXPECT_EQ(model.predict(points[i]), c);
    }
    EXPECT_NEAR(model.compute_cost(data), model.training_cost(), 1e-6 * model.training_cost());
    EXPECT_EQ(model.predict(data).collect().size(), points.size());
  }
}

// The distributed iterations are Lloyd's: from the same initial centres (a
// fit with max_iter 0), the same centres and assignments as a sequential loop.
TEST(KMeans, IterationsAreLloydsAlgorithm) {
  auto ctx = brasa_test::make_context();
  DenseMatrix truth = DenseMatrix::Random(5, 3) * 4;
  auto points = blobs(truth, 2000, 1.5, 2);
  auto data = ctx->parallelize(points, 4);
  for (const char* init : {"k-means||", "random"}) {
    auto estimator = KMeans().k(5).seed(11).init_mode(init).tol(0).max_block_size_in_mb(0.002);
    auto start = KMeans(estimator).max_iter(0).fit(data);
    ASSERT_EQ(start.k(), 5);
    EXPECT_EQ(start.num_iter(), 0);
    auto model = KMeans(estimator).max_iter(6).fit(data);
    auto [centres, assignment] = lloyd(points, start.centers(), model.num_iter());
    EXPECT_TRUE(model.centers().isApprox(centres, 1e-10)) << init;
    auto predicted = model.predict(data).collect();
    auto [unused, final_assignment] = lloyd(points, centres, 1);
    EXPECT_EQ(predicted, final_assignment) << init;
  }
}

TEST(KMeans, SparseAndDenseInputsAgree) {
  auto ctx = brasa_test::make_context();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Vector> dense, sparse;
  for (int i = 0; i < 600; ++i) {
    std::vector<double> x(20, 0.0);
    x[i % 4] = 5 + u(rng);
    x[4 + i % 7] = u(rng);
    dense.push_back(Vector::dense(x));
    sparse.push_back(Vector::dense(x).to_sparse());
  }
  auto a = KMeans().k(4).seed(1).fit(ctx->parallelize(dense, 2));
  auto b = KMeans().k(4).seed(1).fit(ctx->parallelize(sparse, 2));
  EXPECT_TRUE(a.centers().isApprox(b.centers(), 1e-12));
  EXPECT_EQ(a.predict(ctx->parallelize(dense, 2)).collect(), b.predict(ctx->parallelize(sparse, 2)).collect());
}

TEST(KMeans, FewerDistinctPointsThanKGiveFewerCentres) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> points;
  for (int i = 0; i < 12; ++i) points.push_back(Vector::dense({double(i % 3), 1.0}));
  for (const char* init : {"k-means||", "random"}) {
    auto model = KMeans().k(5).init_mode(init).fit(ctx->parallelize(points, 2));
    EXPECT_EQ(model.k(), 3) << init;
    EXPECT_EQ(model.training_cost(), 0.0);
  }
}

TEST(KMeans, BadInputGetsAClearError) {
  auto ctx = brasa_test::make_context();
  auto message = [&](const KMeans& km, std::vector<Vector> points) -> std::string {
    try {
      km.fit(ctx->parallelize(points, 2));
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  };
  std::vector<Vector> three{Vector::dense({1, 2}), Vector::dense({3, 4}), Vector::dense({5, 6})};
  EXPECT_NE(message(KMeans().k(4), three).find("k = 4 is larger than the number of points (3)"), std::string::npos);
  EXPECT_NE(message(KMeans(), {}).find("no points"), std::string::npos);
  auto inf = three;
  inf[2] = Vector::dense({1, INFINITY});
  EXPECT_NE(message(KMeans(), inf).find("position 2 of the input has a NaN or infinite value"), std::string::npos)
      << message(KMeans(), inf);
  EXPECT_THROW(KMeans().k(1), std::invalid_argument);
  EXPECT_THROW(KMeans().init_mode("k-means++"), std::invalid_argument);
  EXPECT_THROW(KMeans().init_steps(0), std::invalid_argument);
  EXPECT_THROW(KMeans().tol(-1), std::invalid_argument);
}

TEST(KMeans, SameBitsForAnyPartitioning) {
  auto ctx = brasa_test::make_context();
  auto points = blobs(DenseMatrix::Random(6, 4) * 3, 3000, 1.0, 4);
  std::vector<KMeansModel> models;
  for (int partitions : {1, 3, 8})
    models.push_back(KMeans().k(6).seed(9).max_block_size_in_mb(0.002).fit(ctx->parallelize(points, partitions)));
  for (size_t m = 1; m < models.size(); ++m) {
    EXPECT_EQ(models[m].centers(), models[0].centers()) << "partitioning " << m;
    EXPECT_EQ(models[m].training_cost(), models[0].training_cost());
  }
}

TEST(KMeans, SameBitsInEveryMode) {
  SKIP_ON_CLUSTER("starts each master itself");
  auto points = blobs(DenseMatrix::Random(4, 3) * 3, 2000, 1.0, 5);
  std::vector<KMeansModel> models;
  for (const char* master : {"local[1]", "local[2]", "local-cluster[2,1]"}) {
    auto ctx = brasa_test::make_context(master);
    models.push_back(KMeans().k(4).seed(3).max_block_size_in_mb(0.002).fit(ctx->parallelize(points, 4)));
  }
  for (size_t m = 1; m < models.size(); ++m) EXPECT_EQ(models[m].centers(), models[0].centers()) << "master " << m;
}

TEST(KMeansModel, SavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = KMeans().k(3).fit(ctx->parallelize(blobs(three_centres(), 90, 0.3, 6), 2));
  auto path = (dir.path() / "km").string();
  model.save(path);
  auto back = KMeansModel::load(path);
  EXPECT_EQ(back.centers(), model.centers());
  EXPECT_EQ(back.training_cost(), model.training_cost());
  EXPECT_EQ(back.num_iter(), model.num_iter());
  EXPECT_THROW(KMeansModel::load((dir.path() / "nothing").string()), std::runtime_error);
}

// The k-means kernel (AVX2 where the processor has it) against a direct
// computation, for shapes that leave partial groups of rows and centres.
TEST(NearestRows, FindsTheFirstClosestCentreForEveryShape) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(-2, 2);
  for (int d : {1, 3, 4, 5, 20}) {
    for (int k : {1, 3, 4, 8, 13, 20}) {
      const int64_t n = 203;
      std::vector<double> x(n * d), columns(int64_t{d} * k), norms(k, 0.0);
      for (auto& v : x) v = uniform(rng);
      for (auto& v : columns) v = uniform(rng);
      // Make centre k-1 a copy of centre 0 when there are two: ties go to the first.
      if (k > 1)
        for (int c = 0; c < d; ++c) columns[int64_t{c} * k + k - 1] = columns[int64_t{c} * k];
      for (int j = 0; j < k; ++j)
        for (int c = 0; c < d; ++c) norms[j] += columns[int64_t{c} * k + j] * columns[int64_t{c} * k + j];
      std::vector<int32_t> best(n);
      std::vector<double> dist(n);
      brasa::mllib::detail::nearest_rows(x.data(), n, d, columns.data(), norms.data(), k, best.data(), dist.data());
      for (int64_t r = 0; r < n; ++r) {
        std::vector<double> exact(k, 0.0);
        for (int j = 0; j < k; ++j)
          for (int c = 0; c < d; ++c) {
            const double diff = x[r * d + c] - columns[int64_t{c} * k + j];
            exact[j] += diff * diff;
          }
        const int32_t want = static_cast<int32_t>(std::min_element(exact.begin(), exact.end()) - exact.begin());
        ASSERT_LT(best[r], k);
        EXPECT_NE(best[r], k - 1 == 0 ? -1 : k - 1) << "a tie went to the later copy";
        EXPECT_NEAR(exact[best[r]], exact[want], 1e-9) << "d " << d << " k " << k << " row " << r;
        EXPECT_NEAR(dist[r], exact[want], 1e-9);
      }
    }
  }
}
