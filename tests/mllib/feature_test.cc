#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "brasa/mllib/feature/hashing_tf.h"
#include "brasa/mllib/feature/idf.h"
#include "brasa/mllib/feature/min_max_scaler.h"
#include "brasa/mllib/feature/normalizer.h"
#include "brasa/mllib/feature/one_hot_encoder.h"
#include "brasa/mllib/feature/standard_scaler.h"
#include "brasa/mllib/feature/vector_assembler.h"
#include "test_util.h"

using brasa::mllib::AssemblerValue;
using brasa::mllib::DenseVector;
using brasa::mllib::HashingTF;
using brasa::mllib::IDF;
using brasa::mllib::IDFModel;
using brasa::mllib::MinMaxScaler;
using brasa::mllib::MinMaxScalerModel;
using brasa::mllib::murmur3_x86_32;
using brasa::mllib::Normalizer;
using brasa::mllib::OneHotEncoder;
using brasa::mllib::OneHotEncoderModel;
using brasa::mllib::StandardScaler;
using brasa::mllib::StandardScalerModel;
using brasa::mllib::Vector;
using brasa::mllib::VectorAssembler;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

DenseVector vec(std::initializer_list<double> values) {
  return Eigen::Map<const DenseVector>(values.begin(), static_cast<Eigen::Index>(values.size()));
}

// Entry by entry within tol, NaN matching NaN.
void expect_near(const Vector& actual, const Vector& expected, double tol = 1e-12) {
  ASSERT_EQ(actual.size(), expected.size()) << actual.to_string() << " vs " << expected.to_string();
  for (int32_t j = 0; j < expected.size(); ++j) {
    if (std::isnan(expected[j])) {
      EXPECT_TRUE(std::isnan(actual[j])) << "entry " << j << ": " << actual.to_string();
    } else {
      EXPECT_NEAR(actual[j], expected[j], tol)
          << "entry " << j << ": " << actual.to_string() << " vs " << expected.to_string();
    }
  }
}

// The message of the std::invalid_argument that f throws ("" if none).
template <class F> std::string invalid_argument_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no std::invalid_argument";
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Vector equality (by value, as Vector::operator==) that prints both on failure.
::testing::AssertionResult same(const Vector& actual, const Vector& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << actual.to_string() << " != " << expected.to_string();
}

// Columns: 1 2 3 (mean 2, sample std 1); 10 20 60 (mean 30, sample std
// sqrt(1400 / 2)); 5 5 5 (constant: std 0).
std::vector<Vector> scaler_rows() {
  return {Vector::dense({1, 10, 5}), Vector::dense({2, 20, 5}), Vector::dense({3, 60, 5})};
}
const double kStd1 = std::sqrt(700.0);

}  // namespace

// ---- StandardScaler -----------------------------------------------------------

TEST(StandardScaler, FitsMeanAndUnbiasedStd) {
  auto ctx = brasa_test::make_context();
  auto model = StandardScaler().fit(ctx->parallelize(scaler_rows(), 2));
  ASSERT_EQ(model.num_features(), 3);
  EXPECT_NEAR(model.mean()[0], 2, 1e-12);
  EXPECT_NEAR(model.mean()[1], 30, 1e-12);
  EXPECT_NEAR(model.mean()[2], 5, 1e-12);
  EXPECT_NEAR(model.std_dev()[0], 1.0, 1e-12);  // not sqrt(2/3): the sample std
  EXPECT_NEAR(model.std_dev()[1], kStd1, 1e-12);
  EXPECT_EQ(model.std_dev()[2], 0.0);
  EXPECT_FALSE(model.with_mean());
  EXPECT_TRUE(model.with_std());
}

TEST(StandardScaler, TransformsAsSparkForEachSetting) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(scaler_rows(), 2);
  const Vector x = Vector::dense({1, 10, 5});
  // with_std only (the default): x / std, 0 where std is 0.
  expect_near(StandardScaler().fit(data).transform(x), Vector::dense({1, 10 / kStd1, 0}));
  // Both: (x - mean) / std.
  expect_near(StandardScaler().with_mean(true).fit(data).transform(x), Vector::dense({-1, -20 / kStd1, 0}));
  // with_mean only: x - mean.
  expect_near(StandardScaler().with_mean(true).with_std(false).fit(data).transform(x), Vector::dense({-1, -20, 0}));
  // Neither: unchanged.
  EXPECT_TRUE(same(StandardScaler().with_std(false).fit(data).transform(x), x));
}

TEST(StandardScaler, SparseInputStaysSparseUnlessCentred) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(scaler_rows(), 1);
  const Vector x = Vector::sparse(3, {1, 2}, {20, 7});
  Vector scaled = StandardScaler().fit(data).transform(x);
  EXPECT_TRUE(scaled.is_sparse());
  ASSERT_EQ(scaled.num_actives(), 2);
  EXPECT_EQ(scaled.indices()[0], 1);
  EXPECT_NEAR(scaled.values()[0], 20 / kStd1, 1e-12);
  EXPECT_EQ(scaled.values()[1], 0.0);  // std 0
  Vector centred = StandardScaler().with_mean(true).fit(data).transform(x);
  EXPECT_FALSE(centred.is_sparse());
  expect_near(centred, Vector::dense({-2, -10 / kStd1, 0}));
}

TEST(StandardScaler, SparseAndDenseTrainingAgree) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> sparse;
  for (const auto& r : scaler_rows()) sparse.push_back(r.to_sparse());
  sparse.push_back(Vector::sparse(3, {}, {}));
  std::vector<Vector> dense = scaler_rows();
  dense.push_back(Vector::zeros(3));
  auto a = StandardScaler().fit(ctx->parallelize(sparse, 3));
  auto b = StandardScaler().fit(ctx->parallelize(dense, 2));
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(a.mean()[j], b.mean()[j], 1e-12);
    EXPECT_NEAR(a.std_dev()[j], b.std_dev()[j], 1e-12);
  }
  EXPECT_NEAR(b.mean()[0], 1.5, 1e-12);  // (1 + 2 + 3 + 0) / 4
}

TEST(StandardScaler, SingleRowHasStdZeroAndMapsToZero) {
  auto ctx = brasa_test::make_context();
  auto model = StandardScaler().fit(ctx->parallelize(std::vector<Vector>{Vector::dense({4, -2})}, 1));
  EXPECT_EQ(model.std_dev(), vec({0, 0}));
  EXPECT_TRUE(same(model.transform(Vector::dense({4, 9})), Vector::dense({0, 0})));
}

TEST(StandardScaler, TransformsAnRDD) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(scaler_rows(), 2);
  auto model = StandardScaler().with_mean(true).fit(data);
  auto out = model.transform(data).collect();
  ASSERT_EQ(out.size(), 3u);
  for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(same(out[i], model.transform(scaler_rows()[i]))) << i;
  expect_near(out[2], Vector::dense({1, 30 / kStd1, 0}));
}

TEST(StandardScaler, Errors) {
  auto ctx = brasa_test::make_context();
  EXPECT_THROW(StandardScaler().fit(ctx->parallelize(std::vector<Vector>{}, 2)), std::invalid_argument);
  auto mixed = ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1, 2, 3})}, 1);
  EXPECT_TRUE(contains(invalid_argument_of([&] { StandardScaler().fit(mixed); }), "StandardScaler"));
  auto model = StandardScaler().fit(ctx->parallelize(scaler_rows(), 2));
  EXPECT_THROW(model.transform(Vector::dense({1, 2})), std::invalid_argument);
  EXPECT_THROW(StandardScalerModel(vec({1, 2}), vec({1})), std::invalid_argument);
}

TEST(StandardScaler, ModelSavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = StandardScaler().with_mean(true).with_std(false).fit(ctx->parallelize(scaler_rows(), 2));
  model.save(dir.sub("scaler"));
  auto back = StandardScalerModel::load(dir.sub("scaler"));
  EXPECT_EQ(back.mean(), model.mean());
  EXPECT_EQ(back.std_dev(), model.std_dev());
  EXPECT_TRUE(back.with_mean());
  EXPECT_FALSE(back.with_std());
  EXPECT_TRUE(same(back.transform(Vector::dense({1, 10, 5})), Vector::dense({-1, -20, 0})));
  EXPECT_THROW(model.save(dir.sub("scaler")), std::runtime_error);  // exists
  model.save(dir.sub("scaler"), true);
  EXPECT_THROW(StandardScalerModel::load(dir.sub("nothing")), std::runtime_error);
  MinMaxScalerModel(vec({0}), vec({1})).save(dir.sub("other"));
  EXPECT_THROW(StandardScalerModel::load(dir.sub("other")), std::runtime_error);
}

// ---- MinMaxScaler -------------------------------------------------------------

// Spark's MinMaxScalerSuite ("MinMaxScaler fit basic case"), to [-5, 5].
TEST(MinMaxScaler, SparksSuiteExample) {
  auto ctx = brasa_test::make_context();
  const double lo = static_cast<double>(std::numeric_limits<int64_t>::min());
  const double hi = static_cast<double>(std::numeric_limits<int64_t>::max());
  std::vector<Vector> data = {Vector::dense({1, 0, lo}), Vector::dense({2, 0, 0}), Vector::sparse(3, {0, 2}, {3, hi}),
                              Vector::sparse(3, {0}, {1.5})};
  std::vector<Vector> expected = {Vector::dense({-5, 0, -5}), Vector::dense({0, 0, 0}),
                                  Vector::sparse(3, {0, 2}, {5, 5}), Vector::sparse(3, {0}, {-2.5})};
  auto model = MinMaxScaler().min(-5).max(5).fit(ctx->parallelize(data, 2));
  EXPECT_EQ(model.original_min(), vec({1, 0, lo}));
  EXPECT_EQ(model.original_max(), vec({3, 0, hi}));
  auto out = model.transform(ctx->parallelize(data, 2)).collect();
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) expect_near(out[i], expected[i]);
}

// Spark's documentation example (ml-features, MinMaxScaler).
TEST(MinMaxScaler, SparksDocumentedExample) {
  auto ctx = brasa_test::make_context();
  std::vector<Vector> data = {Vector::dense({1.0, 0.1, -1.0}), Vector::dense({2.0, 1.1, 1.0}),
                              Vector::dense({3.0, 10.1, 3.0})};
  auto model = MinMaxScaler().fit(ctx->parallelize(data, 2));
  expect_near(model.transform(data[0]), Vector::dense({0.0, 0.0, 0.0}));
  expect_near(model.transform(data[1]), Vector::dense({0.5, 0.1, 0.5}));
  expect_near(model.transform(data[2]), Vector::dense({1.0, 1.0, 1.0}));
}

TEST(MinMaxScaler, ConstantFeatureNaNAndOutOfRangeValues) {
  MinMaxScalerModel model(vec({1, 4}), vec({3, 4}));  // the second feature is constant
  expect_near(model.transform(Vector::dense({2, 4})), Vector::dense({0.5, 0.5}));
  expect_near(model.transform(Vector::dense({5, -7})), Vector::dense({2.0, 0.5}));  // not clipped; constant -> mid
  expect_near(model.transform(Vector::dense({kNaN, kNaN})), Vector::dense({kNaN, kNaN}));
  model.min(-1).max(3);
  expect_near(model.transform(Vector::dense({2, 4})), Vector::dense({1.0, 1.0}));
  expect_near(model.transform(Vector::dense({1, 0})), Vector::dense({-1.0, 1.0}));
}

TEST(MinMaxScaler, OutputIsCompressed) {
  MinMaxScalerModel model(vec({0, 0, 0, 0}), vec({1, 1, 1, 2}));
  Vector out = model.transform(Vector::sparse(4, {3}, {1}));
  EXPECT_TRUE(out.is_sparse());  // [0, 0, 0, 0.5]: sparse is smaller
  expect_near(out, Vector::dense({0, 0, 0, 0.5}));
  EXPECT_FALSE(model.transform(Vector::dense({1, 1, 0, 0})).is_sparse());
}

TEST(MinMaxScaler, Errors) {
  auto ctx = brasa_test::make_context();
  auto data = ctx->parallelize(std::vector<Vector>{Vector::dense({1}), Vector::dense({2})}, 1);
  EXPECT_TRUE(contains(invalid_argument_of([&] { MinMaxScaler().min(1).max(1).fit(data); }), "min (1)"));
  EXPECT_THROW(MinMaxScaler().min(2).fit(data), std::invalid_argument);
  EXPECT_THROW(MinMaxScaler().fit(ctx->parallelize(std::vector<Vector>{}, 1)), std::invalid_argument);
  auto model = MinMaxScaler().min(-1).fit(data);  // min set before max is fine
  EXPECT_EQ(model.min(), -1.0);
  EXPECT_THROW(model.transform(Vector::dense({1, 2})), std::invalid_argument);
  model.max(-2);
  EXPECT_THROW(model.transform(Vector::dense({1})), std::invalid_argument);
}

TEST(MinMaxScaler, ModelSavesAndLoads) {
  brasa_test::TempDir dir;
  MinMaxScalerModel model(vec({1, -2}), vec({3, 8}), -1, 4);
  model.save(dir.sub("mm"));
  auto back = MinMaxScalerModel::load(dir.sub("mm"));
  EXPECT_EQ(back.original_min(), model.original_min());
  EXPECT_EQ(back.original_max(), model.original_max());
  EXPECT_EQ(back.min(), -1.0);
  EXPECT_EQ(back.max(), 4.0);
  expect_near(back.transform(Vector::dense({2, 3})), Vector::dense({1.5, 1.5}));
  StandardScalerModel(vec({0}), vec({1})).save(dir.sub("other"));
  EXPECT_THROW(MinMaxScalerModel::load(dir.sub("other")), std::runtime_error);
}

// ---- Normalizer ---------------------------------------------------------------

// Spark's documentation example (ml-features, Normalizer): L1 and L-infinity.
TEST(Normalizer, SparksDocumentedExample) {
  std::vector<Vector> data = {Vector::dense({1.0, 0.5, -1.0}), Vector::dense({2.0, 1.0, 1.0}),
                              Vector::dense({4.0, 10.0, 2.0})};
  Normalizer l1 = Normalizer().p(1.0);
  expect_near(l1.transform(data[0]), Vector::dense({0.4, 0.2, -0.4}));
  expect_near(l1.transform(data[1]), Vector::dense({0.5, 0.25, 0.25}));
  expect_near(l1.transform(data[2]), Vector::dense({0.25, 0.625, 0.125}));
  Normalizer linf = Normalizer().p(kInf);
  expect_near(linf.transform(data[0]), Vector::dense({1.0, 0.5, -1.0}));
  expect_near(linf.transform(data[1]), Vector::dense({1.0, 0.5, 0.5}));
  expect_near(linf.transform(data[2]), Vector::dense({0.4, 1.0, 0.2}));
}

TEST(Normalizer, L2IsTheDefaultAndOtherP) {
  EXPECT_EQ(Normalizer().p(), 2.0);
  expect_near(Normalizer().transform(Vector::dense({3, -4})), Vector::dense({0.6, -0.8}));
  expect_near(Normalizer().p(3).transform(Vector::dense({1, 1})), Vector::dense({std::cbrt(0.5), std::cbrt(0.5)}));
  EXPECT_NEAR(Normalizer::norm(Vector::dense({1, -2, 2}), 3), std::cbrt(17.0), 1e-12);
}

TEST(Normalizer, SparseStaysSparseAndZeroIsUnchanged) {
  Vector out = Normalizer().transform(Vector::sparse(5, {1, 3}, {3, -4}));
  EXPECT_TRUE(out.is_sparse());
  EXPECT_TRUE(same(out, Vector::sparse(5, {1, 3}, {0.6, -0.8})));
  EXPECT_TRUE(same(Normalizer().transform(Vector::dense({0, 0})), Vector::dense({0, 0})));
  EXPECT_TRUE(same(Normalizer().p(1).transform(Vector::sparse(3, {}, {})), Vector::sparse(3, {}, {})));
}

TEST(Normalizer, TransformsAnRDD) {
  auto ctx = brasa_test::make_context();
  auto out =
      Normalizer()
          .p(1)
          .transform(ctx->parallelize(std::vector<Vector>{Vector::dense({1, 3}), Vector::sparse(2, {0}, {-2})}, 2))
          .collect();
  ASSERT_EQ(out.size(), 2u);
  expect_near(out[0], Vector::dense({0.25, 0.75}));
  EXPECT_TRUE(same(out[1], Vector::sparse(2, {0}, {-1})));
}

TEST(Normalizer, PMustBeAtLeastOne) {
  EXPECT_TRUE(contains(invalid_argument_of([] { Normalizer().p(0.5); }), "p must be at least 1"));
  EXPECT_THROW(Normalizer().p(kNaN), std::invalid_argument);
  EXPECT_THROW(Normalizer::norm(Vector::dense({1}), 0), std::invalid_argument);
  EXPECT_NO_THROW(Normalizer().p(1));
}

// ---- MurmurHash3 and HashingTF ------------------------------------------------

// Published test vectors of MurmurHash3_x86_32 (as collected with the
// reference implementation's outputs for empty, short, unaligned and UTF-8
// keys, and unsigned seeds).
TEST(Murmur3, ReferenceVectors) {
  EXPECT_EQ(murmur3_x86_32("", 0), 0u);
  EXPECT_EQ(murmur3_x86_32("", 1), 0x514E28B7u);
  EXPECT_EQ(murmur3_x86_32("", 0xffffffff), 0x81F16F39u);
  EXPECT_EQ(murmur3_x86_32(std::string_view("\0\0\0\0", 4), 0), 0x2362F9DEu);
  EXPECT_EQ(murmur3_x86_32("aaaa", 0x9747b28c), 0x5A97808Au);
  EXPECT_EQ(murmur3_x86_32("aaa", 0x9747b28c), 0x283E0130u);
  EXPECT_EQ(murmur3_x86_32("aa", 0x9747b28c), 0x5D211726u);
  EXPECT_EQ(murmur3_x86_32("a", 0x9747b28c), 0x7FA09EA6u);
  EXPECT_EQ(murmur3_x86_32("abcd", 0x9747b28c), 0xF0478627u);
  EXPECT_EQ(murmur3_x86_32("abc", 0x9747b28c), 0xC84A62DDu);
  EXPECT_EQ(murmur3_x86_32("ab", 0x9747b28c), 0x74875592u);
  EXPECT_EQ(murmur3_x86_32("Hello, world!", 0x9747b28c), 0x24884CBAu);
  EXPECT_EQ(murmur3_x86_32("\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80\xcf\x80", 0x9747b28c),
            0xD58063C1u);  // "ππππππππ" in UTF-8
  EXPECT_EQ(murmur3_x86_32(std::string(256, 'a'), 0x9747b28c), 0x37405BDCu);
  EXPECT_EQ(murmur3_x86_32("abc", 0), 0xB3DD93FAu);
  EXPECT_EQ(murmur3_x86_32("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0), 0xEE925B90u);
  EXPECT_EQ(murmur3_x86_32("The quick brown fox jumps over the lazy dog", 0x9747b28c), 0x2FA826CDu);
}

// SMHasher's verification value for MurmurHash3_x86_32: hash the keys {},
// {0}, {0, 1}, ..., {0, ..., 254} with seeds 256, 255, ..., 1, then the
// concatenation of those hashes (little-endian) with seed 0.
TEST(Murmur3, SMHasherVerificationValue) {
  std::string key(256, '\0');
  std::string hashes;
  for (int i = 0; i < 256; ++i) {
    key[i] = static_cast<char>(i);
    const uint32_t h = murmur3_x86_32(std::string_view(key.data(), i), static_cast<uint32_t>(256 - i));
    for (int b = 0; b < 4; ++b) hashes.push_back(static_cast<char>((h >> (8 * b)) & 0xff));
  }
  EXPECT_EQ(murmur3_x86_32(hashes, 0), 0xB0F57EE3u);
}

// Spark's HashingTFSuite ("indexOf method") and the PySpark doctests of
// HashingTF and FeatureHasher, which hashes "column" and "column=value".
TEST(HashingTF, IndicesMatchSpark) {
  HashingTF tf = HashingTF().num_features(100);
  EXPECT_EQ(tf.index_of("a"), 67);
  EXPECT_EQ(tf.index_of("b"), 65);
  EXPECT_EQ(tf.index_of("c"), 68);
  EXPECT_EQ(tf.index_of("d"), 90);
  EXPECT_TRUE(same(HashingTF().num_features(10).transform({"a", "b", "c"}), Vector::sparse(10, {5, 7, 8}, {1, 1, 1})));
  EXPECT_TRUE(same(HashingTF().num_features(5).transform({"a", "b", "c"}), Vector::sparse(5, {0, 2, 3}, {1, 1, 1})));
  HashingTF big;  // 2^18 by default
  EXPECT_EQ(big.num_features(), 1 << 18);
  EXPECT_EQ(big.index_of("real"), 174475);
  EXPECT_EQ(big.index_of("real=2.0"), 171257);
  std::vector<int> categorical = {big.index_of("bool=true"), big.index_of("stringNum=1"), big.index_of("string=foo")};
  EXPECT_EQ(brasa_test::sorted(categorical), (std::vector<int>{247670, 257907, 262126}));
}

// Spark's HashingTFSuite: "hashingTF" and "applying binary term freqs".
TEST(HashingTF, CountsTermsOrMarksThemWhenBinary) {
  HashingTF tf = HashingTF().num_features(100);
  EXPECT_FALSE(tf.binary());
  Vector counts = tf.transform({"a", "a", "b", "b", "c", "d"});
  EXPECT_TRUE(counts.is_sparse());
  EXPECT_TRUE(same(counts, Vector::sparse(100, {65, 67, 68, 90}, {2, 2, 1, 1})));
  EXPECT_TRUE(
      same(tf.binary(true).transform({"a", "a", "b", "c", "c", "c"}), Vector::sparse(100, {65, 67, 68}, {1, 1, 1})));
  EXPECT_TRUE(same(tf.transform(std::vector<std::string>{}), Vector::sparse(100, {}, {})));
}

TEST(HashingTF, CollidingTermsAddUp) {
  HashingTF tf = HashingTF().num_features(1);
  EXPECT_TRUE(same(tf.transform({"x", "y", "z"}), Vector::sparse(1, {0}, {3})));
  EXPECT_TRUE(same(tf.binary(true).transform({"x", "y", "z"}), Vector::sparse(1, {0}, {1})));
}

TEST(HashingTF, TransformsAnRDD) {
  auto ctx = brasa_test::make_context();
  std::vector<std::vector<std::string>> docs = {{"a", "a", "b", "b", "b", "c", "d"},
                                                {"a", "b", "c", "d", "a", "b", "c"},
                                                {"c", "b", "a", "c", "b", "a", "a"},
                                                {}};
  HashingTF tf = HashingTF().num_features(100);
  auto out = tf.transform(ctx->parallelize(docs, 2)).collect();
  ASSERT_EQ(out.size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) EXPECT_TRUE(same(out[i], tf.transform(docs[i]))) << i;
  EXPECT_TRUE(same(out[0], Vector::sparse(100, {65, 67, 68, 90}, {3, 2, 1, 1})));
}

TEST(HashingTF, NumFeaturesMustBePositive) {
  EXPECT_TRUE(contains(invalid_argument_of([] { HashingTF().num_features(0); }), "num_features"));
  EXPECT_THROW(HashingTF().num_features(-4), std::invalid_argument);
}

// ---- IDF ----------------------------------------------------------------------

namespace {

// Spark's IDFSuite data: term 0 in no document, 1 in all 3, 2 in one, 3 in two.
std::vector<Vector> term_frequencies() {
  return {Vector::sparse(4, {1, 3}, {1.0, 2.0}), Vector::dense({0.0, 1.0, 2.0, 3.0}), Vector::sparse(4, {1}, {1.0})};
}

}  // namespace

TEST(IDF, SparksSuiteExample) {
  auto ctx = brasa_test::make_context();
  auto tf = ctx->parallelize(term_frequencies(), 2);
  auto model = IDF().fit(tf);
  const DenseVector idf = vec({std::log(4.0 / 1), std::log(4.0 / 4), std::log(4.0 / 2), std::log(4.0 / 3)});
  ASSERT_EQ(model.num_features(), 4);
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(model.idf()[j], idf[j], 1e-12) << j;
  EXPECT_EQ(model.doc_freq(), (std::vector<int64_t>{0, 3, 1, 2}));
  EXPECT_EQ(model.num_docs(), 3);
  auto out = model.transform(tf).collect();
  ASSERT_EQ(out.size(), 3u);
  // Sparse vectors keep their indices, even where the product is 0.
  EXPECT_TRUE(out[0].is_sparse());
  EXPECT_EQ(std::vector<int32_t>(out[0].indices().begin(), out[0].indices().end()), (std::vector<int32_t>{1, 3}));
  expect_near(out[0], Vector::sparse(4, {1, 3}, {0.0, 2 * idf[3]}));
  EXPECT_FALSE(out[1].is_sparse());
  expect_near(out[1], Vector::dense({0.0, 0.0, 2 * idf[2], 3 * idf[3]}));
  EXPECT_EQ(out[2].num_actives(), 1);
  expect_near(out[2], Vector::sparse(4, {1}, {0.0}));
}

// Spark's IDFSuite "IDF with minimum document frequency"; doc_freq is 0
// for the terms left out, as Spark reports it.
TEST(IDF, MinDocFreqZeroesRareTerms) {
  auto ctx = brasa_test::make_context();
  auto tf = ctx->parallelize(term_frequencies(), 2);
  auto model = IDF().min_doc_freq(2).fit(tf);
  EXPECT_EQ(model.idf(), vec({0, std::log(4.0 / 4), 0, std::log(4.0 / 3)}));
  EXPECT_EQ(model.doc_freq(), (std::vector<int64_t>{0, 3, 0, 2}));
  expect_near(model.transform(term_frequencies()[1]), Vector::dense({0, 0, 0, 3 * std::log(4.0 / 3)}));
  auto one = IDF().min_doc_freq(1).fit(tf);
  EXPECT_EQ(one.idf()[0], 0.0);
  EXPECT_NEAR(one.idf()[2], std::log(2.0), 1e-12);
}

TEST(IDF, OnlyPositiveEntriesCount) {
  auto ctx = brasa_test::make_context();
  auto model = IDF().fit(
      ctx->parallelize(std::vector<Vector>{Vector::dense({-1, 0, 2}), Vector::sparse(3, {0, 1}, {0.0, 3.0})}, 1));
  EXPECT_EQ(model.doc_freq(), (std::vector<int64_t>{0, 1, 1}));
  EXPECT_NEAR(model.idf()[0], std::log(3.0), 1e-12);
}

TEST(IDF, Errors) {
  auto ctx = brasa_test::make_context();
  EXPECT_THROW(IDF().min_doc_freq(-1), std::invalid_argument);
  EXPECT_THROW(IDF().fit(ctx->parallelize(std::vector<Vector>{}, 2)), std::invalid_argument);
  auto mixed = ctx->parallelize(std::vector<Vector>{Vector::dense({1, 2}), Vector::dense({1, 2, 3})}, 2);
  EXPECT_TRUE(contains(invalid_argument_of([&] { IDF().fit(mixed); }), "different sizes"));
  auto model = IDF().fit(ctx->parallelize(term_frequencies(), 1));
  EXPECT_THROW(model.transform(Vector::dense({1, 2})), std::invalid_argument);
}

TEST(IDF, ModelSavesAndLoads) {
  auto ctx = brasa_test::make_context();
  brasa_test::TempDir dir;
  auto model = IDF().min_doc_freq(2).fit(ctx->parallelize(term_frequencies(), 2));
  model.save(dir.sub("idf"));
  auto back = IDFModel::load(dir.sub("idf"));
  EXPECT_EQ(back.idf(), model.idf());
  EXPECT_EQ(back.doc_freq(), model.doc_freq());
  EXPECT_EQ(back.num_docs(), 3);
  EXPECT_TRUE(same(back.transform(term_frequencies()[0]), model.transform(term_frequencies()[0])));
  EXPECT_THROW(IDFModel::load(dir.sub("missing")), std::runtime_error);
}

// ---- OneHotEncoder ------------------------------------------------------------

namespace {

// Spark's documentation example (ml-features, OneHotEncoder).
std::vector<std::vector<double>> category_rows() {
  return {{0.0, 1.0}, {1.0, 0.0}, {2.0, 1.0}, {0.0, 2.0}, {0.0, 1.0}, {2.0, 0.0}};
}

std::vector<int32_t> indices_of(const Vector& v) { return {v.indices().begin(), v.indices().end()}; }

}  // namespace

TEST(OneHotEncoder, SparksDocumentedExample) {
  auto ctx = brasa_test::make_context();
  auto rows = ctx->parallelize(category_rows(), 2);
  auto model = OneHotEncoder().fit(rows);
  EXPECT_EQ(model.category_sizes(), (std::vector<int>{3, 3}));
  EXPECT_EQ(model.num_features(), 4);
  // Spark: categoryVec1 (2,[0],[1.0]) and categoryVec2 (2,[1],[1.0]) for the
  // first row, ...; here the two blocks side by side.
  std::vector<Vector> expected = {Vector::sparse(4, {0, 3}, {1, 1}), Vector::sparse(4, {1, 2}, {1, 1}),
                                  Vector::sparse(4, {3}, {1}),       Vector::sparse(4, {0}, {1}),
                                  Vector::sparse(4, {0, 3}, {1, 1}), Vector::sparse(4, {2}, {1})};
  auto out = model.transform(rows).collect();
  ASSERT_EQ(out.size(), expected.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].is_sparse());
    EXPECT_TRUE(same(out[i], expected[i])) << i;
  }
}

TEST(OneHotEncoder, DropLastAndKeepCombinations) {
  OneHotEncoderModel model({3, 3});  // drop_last, "error"
  EXPECT_TRUE(same(model.transform({2, 2}), Vector::sparse(4, {}, {})));
  model.drop_last(false);
  EXPECT_EQ(model.num_features(), 6);
  EXPECT_TRUE(same(model.transform({2, 2}), Vector::sparse(6, {2, 5}, {1, 1})));
  model.handle_invalid("keep");  // one more entry per column, for invalid values
  EXPECT_EQ(model.num_features(), 8);
  EXPECT_TRUE(same(model.transform({0, 5}), Vector::sparse(8, {0, 7}, {1, 1})));
  EXPECT_TRUE(same(model.transform({-1, 1.5}), Vector::sparse(8, {3, 7}, {1, 1})));
  EXPECT_TRUE(same(model.transform({kNaN, 2}), Vector::sparse(8, {3, 6}, {1, 1})));
  model.drop_last(true);  // the invalid entry is the one dropped: n entries, invalid all zeros
  EXPECT_EQ(model.num_features(), 6);
  EXPECT_TRUE(same(model.transform({0, 5}), Vector::sparse(6, {0}, {1})));
  EXPECT_TRUE(same(model.transform({2, 1}), Vector::sparse(6, {2, 4}, {1, 1})));
}

TEST(OneHotEncoder, InvalidValuesNameTheColumn) {
  OneHotEncoderModel model({3, 2});
  std::string unseen = invalid_argument_of([&] { model.transform({0, 2}); });
  EXPECT_TRUE(contains(unseen, "column 1")) << unseen;
  EXPECT_TRUE(contains(unseen, "unseen")) << unseen;
  EXPECT_TRUE(contains(unseen, "handle_invalid")) << unseen;
  std::string negative = invalid_argument_of([&] { model.transform({-1, 0}); });
  EXPECT_TRUE(contains(negative, "column 0") && contains(negative, "negative")) << negative;
  std::string fraction = invalid_argument_of([&] { model.transform({1, 0.5}); });
  EXPECT_TRUE(contains(fraction, "column 1") && contains(fraction, "integer")) << fraction;
  std::string nan = invalid_argument_of([&] { model.transform({kNaN, 0}); });
  EXPECT_TRUE(contains(nan, "column 0") && contains(nan, "NaN")) << nan;
  EXPECT_THROW(model.transform(std::vector<double>{0}), std::invalid_argument);  // a column short
  EXPECT_THROW(model.handle_invalid("skip"), std::invalid_argument);
  EXPECT_THROW(OneHotEncoder().handle_invalid("skip"), std::invalid_argument);
  EXPECT_THROW(OneHotEncoderModel({2, 0}), std::invalid_argument);
}

TEST(OneHotEncoder, InvalidValueInAnRDDFailsTheJob) {
  auto ctx = brasa_test::make_context();
  OneHotEncoderModel model({3, 2});
  auto rows = ctx->parallelize(std::vector<std::vector<double>>{{0, 0}, {1, 4}}, 2);
  try {
    model.transform(rows).collect();
    FAIL() << "the job should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "column 1")) << e.what();
  }
  EXPECT_TRUE(same(model.handle_invalid("keep").transform(rows).collect()[1], Vector::sparse(5, {1}, {1})));
}

TEST(OneHotEncoder, FitRefusesValuesThatAreNotIndices) {
  auto ctx = brasa_test::make_context();
  for (double bad : {-1.0, 0.5, kNaN, 3e9}) {
    auto rows = ctx->parallelize(std::vector<std::vector<double>>{{0, 1}, {2, bad}}, 2);
    std::string message = invalid_argument_of([&] { OneHotEncoder().handle_invalid("keep").fit(rows); });
    EXPECT_TRUE(contains(message, "column 1")) << bad << ": " << message;
  }
  EXPECT_THROW(OneHotEncoder().fit(ctx->parallelize(std::vector<std::vector<double>>{}, 2)), std::invalid_argument);
  EXPECT_THROW(OneHotEncoder().fit(ctx->parallelize(std::vector<std::vector<double>>{{1, 2}, {1}}, 1)),
               std::invalid_argument);
  EXPECT_THROW(OneHotEncoder().fit(ctx->parallelize(std::vector<std::vector<double>>{{}}, 1)), std::invalid_argument);
}

TEST(OneHotEncoder, FitCarriesTheSettings) {
  auto ctx = brasa_test::make_context();
  auto model = OneHotEncoder().drop_last(false).handle_invalid("keep").fit(
      ctx->parallelize(std::vector<std::vector<double>>{{1}, {4}, {0}}, 3));
  EXPECT_EQ(model.category_sizes(), std::vector<int>{5});
  EXPECT_FALSE(model.drop_last());
  EXPECT_EQ(model.handle_invalid(), "keep");
  EXPECT_TRUE(same(model.transform({4}), Vector::sparse(6, {4}, {1})));
  EXPECT_TRUE(same(model.transform({9}), Vector::sparse(6, {5}, {1})));
  EXPECT_EQ(indices_of(model.transform({2})), std::vector<int32_t>{2});
}

TEST(OneHotEncoder, ModelSavesAndLoads) {
  brasa_test::TempDir dir;
  OneHotEncoderModel model({3, 5, 2}, false, "keep");
  model.save(dir.sub("ohe"));
  auto back = OneHotEncoderModel::load(dir.sub("ohe"));
  EXPECT_EQ(back.category_sizes(), model.category_sizes());
  EXPECT_FALSE(back.drop_last());
  EXPECT_EQ(back.handle_invalid(), "keep");
  EXPECT_TRUE(same(back.transform({2, 7, 1}), Vector::sparse(13, {2, 9, 11}, {1, 1, 1})));
  IDFModel(vec({1}), {1}, 1).save(dir.sub("other"));
  EXPECT_THROW(OneHotEncoderModel::load(dir.sub("other")), std::runtime_error);
}

// ---- VectorAssembler ----------------------------------------------------------

// Spark's documentation example (ml-features, VectorAssembler): hour,
// mobile and userFeatures.
TEST(VectorAssembler, SparksDocumentedExample) {
  auto out = VectorAssembler().transform({18.0, 1.0, AssemblerValue(Vector::dense({0.0, 10.0, 0.5}))});
  ASSERT_TRUE(out.has_value());
  EXPECT_FALSE(out->is_sparse());
  EXPECT_TRUE(same(*out, Vector::dense({18.0, 1.0, 0.0, 10.0, 0.5})));
}

// Spark's VectorAssemblerSuite "assemble" and "assemble should compress vectors".
TEST(VectorAssembler, SparksSuiteCases) {
  VectorAssembler a;
  EXPECT_TRUE(same(*a.transform(std::vector<AssemblerValue>{0.0}), Vector::sparse(1, {}, {})));
  EXPECT_TRUE(same(*a.transform({0.0, 1.0}), Vector::sparse(2, {1}, {1.0})));
  const Vector dv = Vector::dense({2.0, 0.0});
  EXPECT_TRUE(same(*a.transform({0.0, AssemblerValue(dv), 1.0}), Vector::sparse(4, {1, 3}, {2.0, 1.0})));
  const Vector sv = Vector::sparse(2, {0, 1}, {3.0, 4.0});
  EXPECT_TRUE(same(*a.transform({0.0, AssemblerValue(dv), 1.0, AssemblerValue(sv)}),
                   Vector::sparse(6, {1, 3, 4, 5}, {2.0, 1.0, 3.0, 4.0})));
  Vector v1 = *a.transform({0.0, 0.0, 0.0, AssemblerValue(Vector::dense({4.0}))});
  EXPECT_TRUE(v1.is_sparse());
  EXPECT_TRUE(same(v1, Vector::sparse(4, {3}, {4.0})));
  Vector v2 = *a.transform({1.0, 2.0, 3.0, AssemblerValue(Vector::sparse(1, {0}, {4.0}))});
  EXPECT_FALSE(v2.is_sparse());
  EXPECT_TRUE(same(v2, Vector::dense({1, 2, 3, 4})));
}

TEST(VectorAssembler, VectorsOnlyAndZerosLeftOut) {
  VectorAssembler a;
  Vector v = a.transform({Vector::dense({1, 2}), Vector::sparse(3, {1}, {5.0})});
  EXPECT_TRUE(same(v, Vector::dense({1, 2, 0, 5, 0})));
  Vector s = a.transform({Vector::sparse(6, {0, 4}, {0.0, 2.0}), Vector::dense({0, 0, 0, 0})});
  ASSERT_TRUE(s.is_sparse());  // 10 entries, one non-zero: the stored zero is dropped
  EXPECT_EQ(s.num_actives(), 1);
  EXPECT_TRUE(same(s, Vector::sparse(10, {4}, {2.0})));
  EXPECT_TRUE(same(a.transform(std::vector<Vector>{}), Vector()));
}

TEST(VectorAssembler, NaNNumbersAndHandleInvalid) {
  std::vector<AssemblerValue> row = {1.0, kNaN, AssemblerValue(Vector::dense({2.0}))};
  std::string message = invalid_argument_of([&] { VectorAssembler().transform(row); });
  EXPECT_TRUE(contains(message, "NaN") && contains(message, "handle_invalid")) << message;
  auto kept = VectorAssembler().handle_invalid("keep").transform(row);
  ASSERT_TRUE(kept.has_value());
  expect_near(*kept, Vector::dense({1.0, kNaN, 2.0}));
  EXPECT_FALSE(VectorAssembler().handle_invalid("skip").transform(row).has_value());
  EXPECT_TRUE(VectorAssembler().handle_invalid("skip").transform({1.0, 2.0}).has_value());
  // As in Spark, NaN inside vectors is not checked.
  auto inside = VectorAssembler().transform({1.0, AssemblerValue(Vector::dense({kNaN}))});
  ASSERT_TRUE(inside.has_value());
  expect_near(*inside, Vector::dense({1.0, kNaN}));
  EXPECT_THROW(VectorAssembler().handle_invalid("drop"), std::invalid_argument);
}

TEST(VectorAssembler, TransformsRDDsAndSkipsRows) {
  auto ctx = brasa_test::make_context();
  std::vector<std::vector<AssemblerValue>> rows = {{1.0, AssemblerValue(Vector::dense({2, 3}))},
                                                   {kNaN, AssemblerValue(Vector::dense({4, 5}))},
                                                   {6.0, AssemblerValue(Vector::sparse(2, {1}, {7}))}};
  auto data = ctx->parallelize(rows, 2);
  auto skipped = VectorAssembler().handle_invalid("skip").transform(data).collect();
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_TRUE(same(skipped[0], Vector::dense({1, 2, 3})));
  EXPECT_TRUE(same(skipped[1], Vector::dense({6, 0, 7})));
  auto kept = VectorAssembler().handle_invalid("keep").transform(data).collect();
  ASSERT_EQ(kept.size(), 3u);
  expect_near(kept[1], Vector::dense({kNaN, 4, 5}));
  EXPECT_THROW(VectorAssembler().transform(data).collect(), std::runtime_error);
  auto vectors = ctx->parallelize(
      std::vector<std::vector<Vector>>{{Vector::dense({1}), Vector::sparse(2, {}, {})}, {Vector::dense({0, 3})}}, 2);
  auto out = VectorAssembler().transform(vectors).collect();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(same(out[0], Vector::dense({1, 0, 0})));
  EXPECT_TRUE(same(out[1], Vector::dense({0, 3})));
}
