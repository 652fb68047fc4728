// Records beyond plain values: Eigen's dense types, third-party types with
// a free serialize function, and the memory they own on the heap, which
// caches and shuffles must count against their budgets.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "brasa/brasa.h"
#include "test_util.h"

namespace geo {
// A type the user cannot change: serialized by a free function (ADL).
struct Point {
  double x = 0, y = 0;
  std::string label;
  bool operator==(const Point&) const = default;
};
template <class Ar> void serialize(Ar& ar, Point& p) { ar(p.x, p.y, p.label); }
}  // namespace geo

namespace {

// A record owning a large vector, measured through its serialize method.
struct Row {
  int64_t id = 0;
  std::vector<double> values;
  template <class Ar> void serialize(Ar& ar) { ar(id, values); }
};

// A record that reports its heap bytes itself.
struct Blob {
  std::unique_ptr<char[]> data;
  size_t size = 0;
  size_t heap_bytes() const { return size; }
};

// Records without a default constructor: a key whose bytes are its value,
// and a value that builds itself from its encoding.
class UserId {
 public:
  explicit UserId(int64_t v) : v_(v) {}
  int64_t value() const { return v_; }
  bool operator==(const UserId&) const = default;
  bool operator<(const UserId& o) const { return v_ < o.v_; }

 private:
  int64_t v_;
};

class Rating {
 public:
  Rating(std::string item, double score) : item_(std::move(item)), score_(score) {}
  const std::string& item() const { return item_; }
  double score() const { return score_; }
  bool operator==(const Rating&) const = default;
  template <class Ar> void serialize(Ar& ar) { ar(item_, score_); }
  static Rating deserialize(brasa::ByteReader& r) {
    auto item = r.read<std::string>();
    return Rating(std::move(item), r.read<double>());
  }

 private:
  std::string item_;
  double score_;
};

}  // namespace

template <> struct std::hash<UserId> {
  size_t operator()(const UserId& u) const { return std::hash<int64_t>{}(u.value()); }
};

namespace {

template <class T> T round_trip(const T& v) {
  brasa::ByteWriter w;
  w.write(v);
  brasa::ByteReader r(w.bytes());
  T out = r.read<T>();
  EXPECT_TRUE(r.at_end());
  return out;
}

TEST(Records, EigenDenseTypesRoundTrip) {
  Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(7, -1.0, 2.0);
  EXPECT_EQ(round_trip(v), v);
  Eigen::MatrixXf m = Eigen::MatrixXf::Random(3, 5);
  EXPECT_EQ(round_trip(m), m);
  Eigen::Matrix<double, 3, Eigen::Dynamic> wide = Eigen::Matrix<double, 3, Eigen::Dynamic>::Ones(3, 4);
  EXPECT_EQ(round_trip(wide), wide);
  Eigen::Vector3d fixed(1, 2, 3);
  EXPECT_EQ(round_trip(fixed), fixed);
  Eigen::ArrayXXd array = Eigen::ArrayXXd::Constant(2, 2, 4.5);
  EXPECT_TRUE((round_trip(array) == array).all());
  std::vector<Eigen::Vector2d> points{{1, 2}, {3, 4}};
  EXPECT_EQ(round_trip(points), points);
  static_assert(brasa::kBitwise<Eigen::Vector3d>, "fixed-size vectors are stored as their bytes");
  static_assert(!brasa::kBitwise<Eigen::VectorXd>);
}

TEST(Records, CorruptMatrixSizeIsAnError) {
  brasa::ByteWriter w;
  w.write_size(1000000);  // rows
  w.write_size(1000000);  // cols, with no data behind them
  brasa::ByteReader r(w.bytes());
  Eigen::MatrixXd m;
  EXPECT_THROW(r.read(m), std::runtime_error);
}

// A bool holding a byte other than 0 or 1 is undefined behaviour: any
// non-zero byte reads as true (found by the plan fuzzer).
TEST(Records, AnyNonZeroByteIsTrue) {
  const std::string bytes("\x37\x00", 2);
  brasa::ByteReader r(bytes);
  EXPECT_TRUE(r.read<bool>());
  EXPECT_FALSE(r.read<bool>());
  std::string again;
  brasa::ByteWriter(&again).write(true);
  EXPECT_EQ(again, std::string("\x01", 1));
}

TEST(Records, EigenVectorsAsRecordsAndInBroadcasts) {
  auto ctx = brasa_test::make_context();
  std::vector<Eigen::VectorXd> rows;
  for (int i = 0; i < 100; ++i) rows.push_back(Eigen::VectorXd::Constant(4, i));
  Eigen::MatrixXd scale = Eigen::MatrixXd::Identity(4, 4) * 2.0;
  auto b = ctx->broadcast(scale);
  auto scaled = ctx->parallelize(rows, 4).map([b](const Eigen::VectorXd& x) -> Eigen::VectorXd { return b.value() * x; });
  auto sum = scaled.reduce([](Eigen::VectorXd a, const Eigen::VectorXd& x) -> Eigen::VectorXd { return a + x; });
  EXPECT_EQ(sum, Eigen::VectorXd::Constant(4, 2.0 * 4950));
  // Through a shuffle, as values keyed by an integer.
  auto by_key = ctx->parallelize(rows, 4)
                    .map([](const Eigen::VectorXd& x) { return std::pair<int, Eigen::VectorXd>(int(x[0]) % 3, x); })
                    .reduce_by_key([](Eigen::VectorXd a, const Eigen::VectorXd& x) -> Eigen::VectorXd { return a + x; })
                    .collect_as_map();
  ASSERT_EQ(by_key.size(), 3u);
  EXPECT_EQ(by_key.at(0)[0], 1683.0);  // 0 + 3 + ... + 99
  std::vector<Eigen::Vector3d> fixed{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  auto total = ctx->parallelize(fixed, 2).cache().fold(Eigen::Vector3d::Zero().eval(),
                                                       [](Eigen::Vector3d a, Eigen::Vector3d x) -> Eigen::Vector3d {
                                                         return a + x;
                                                       });
  EXPECT_EQ(total, Eigen::Vector3d(1, 1, 1));
}

TEST(Records, FreeSerializeFunctionTakesPartInShuffles) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<int, geo::Point>> points;
  for (int i = 0; i < 50; ++i) points.push_back({i % 5, geo::Point{double(i), -double(i), "p" + std::to_string(i)}});
  EXPECT_EQ(round_trip(points[7].second), points[7].second);
  auto grouped = ctx->parallelize(points, 3).group_by_key(brasa::Partitioner::hash(2)).collect_as_map();
  ASSERT_EQ(grouped.size(), 5u);
  double xs = 0;
  for (auto& p : grouped.at(2)) xs += p.x;
  EXPECT_EQ(xs, 2 + 7 + 12 + 17 + 22 + 27 + 32 + 37 + 42 + 47);
}

TEST(Records, HeapBytesAreCountedForUserTypes) {
  Row row{1, std::vector<double>(1000, 0.5)};
  EXPECT_GE(brasa::approx_bytes(row), sizeof(Row) + 8000);
  Blob blob{std::make_unique<char[]>(5000), 5000};
  EXPECT_EQ(brasa::approx_bytes(blob), sizeof(Blob) + 5000);
  geo::Point p{1, 2, std::string(100, 'x')};
  EXPECT_GE(brasa::approx_bytes(p), sizeof(p) + 100);
  std::tuple<int, std::string, std::optional<std::vector<int>>> t{1, std::string(64, 'y'), std::vector<int>(100)};
  EXPECT_GE(brasa::approx_bytes(t), sizeof(t) + 64 + 400);
  std::map<int, std::vector<double>> m{{1, std::vector<double>(10)}, {2, std::vector<double>(10)}};
  EXPECT_GE(brasa::approx_bytes(m), sizeof(m) + 160);
  Eigen::MatrixXd mat(10, 10);
  EXPECT_EQ(brasa::approx_bytes(mat), sizeof(mat) + 800);
  EXPECT_EQ(brasa::approx_bytes(Eigen::Vector4d()), sizeof(Eigen::Vector4d));
}

// 16,000 rows of 1,000 doubles (128 MB) under a 64 MB budget: the cache
// spills to disk and the shuffle writes spill files instead of growing.
TEST(Records, RowsOfVectorsSpillUnderA64MBBudget) {
  SKIP_ON_CLUSTER("checks the driver's block manager and scratch directory");
  auto ctx = brasa_test::make_context("", {{"brasa.memory.storage", "64m"}, {"brasa.memory.shuffle", "64m"}});
  auto rows = ctx->range(0, 16000, 1, 8).map([](int64_t i) { return Row{i, std::vector<double>(1000, double(i))}; });
  rows.persist(brasa::StorageLevel::memory_and_disk());
  EXPECT_EQ(rows.count(), 16000);
  auto& bm = ctx->runtime().block_manager();
  EXPECT_LE(bm.memory_used(), size_t{64} << 20);
  size_t block_files = 0;
  for (auto& e : std::filesystem::directory_iterator(bm.local_dir()))
    block_files += e.path().filename().string().rfind("rdd_", 0) == 0;
  EXPECT_GT(block_files, 0u) << "blocks past the budget should have gone to disk";
  // Every block is still there, in memory or on disk, and reads back whole.
  for (int p = 0; p < 8; ++p) EXPECT_TRUE(bm.contains(brasa::BlockId{rows.id(), p}));
  auto sums = rows.map([](const Row& r) { return std::pair<int64_t, double>(r.id % 4, r.values[999]); })
                  .reduce_by_key([](double a, double b) { return a + b; })
                  .collect_as_map();
  EXPECT_EQ(sums.at(1), 4000.0 * 7999);  // 1 + 5 + ... + 15997
  // A shuffle of the rows themselves: map outputs over 64 MB spill.
  auto moved = rows.coalesce(1).key_by([](const Row& r) { return r.id % 8; }).partition_by(brasa::Partitioner::hash(4));
  auto check = moved.map([](const std::pair<int64_t, Row>& kv) { return kv.second.values.size(); })
                   .reduce([](size_t a, size_t b) { return a + b; });
  EXPECT_EQ(check, size_t{16000} * 1000);
  size_t spills = 0;
  for (auto& e : std::filesystem::directory_iterator(ctx->runtime().local_dir()))
    spills += e.path().filename().string().rfind("spill-", 0) == 0;
  EXPECT_GT(spills, 0u) << "map outputs larger than the shuffle budget should spill";
}

}  // namespace

TEST(Records, TypesWithoutDefaultConstructorRoundTrip) {
  static_assert(!std::is_default_constructible_v<UserId> && !std::is_default_constructible_v<Rating>);
  EXPECT_EQ(round_trip(UserId(7)), UserId(7));
  EXPECT_EQ(round_trip(Rating("book", 4.5)), Rating("book", 4.5));
  std::vector<std::pair<UserId, Rating>> rows{{UserId(1), Rating("a", 1)}, {UserId(2), Rating("b", 2)}};
  EXPECT_EQ(round_trip(rows), rows);
  std::vector<UserId> ids{UserId(3), UserId(4)};
  EXPECT_EQ(round_trip(ids), ids);
  std::tuple<UserId, Rating, int> t{UserId(5), Rating("c", 3), 6};
  EXPECT_EQ(round_trip(t), t);
}

// Joins, groups, serialized caches, ordered and sampled takes of records
// that cannot be default-constructed, across processes on a cluster too.
TEST(Records, TypesWithoutDefaultConstructorFlowThroughJobs) {
  auto ctx = brasa_test::make_context();
  std::vector<std::pair<UserId, Rating>> ratings;
  std::vector<std::pair<UserId, Rating>> favourites;
  for (int i = 0; i < 300; ++i) ratings.emplace_back(UserId(i % 30), Rating("item" + std::to_string(i), i * 0.5));
  for (int u = 0; u < 30; u += 3) favourites.emplace_back(UserId(u), Rating("fav" + std::to_string(u), u));
  auto by_user = brasa::Partitioner::hash(4);
  auto r = ctx->parallelize(ratings, 5).partition_by(by_user).persist(brasa::StorageLevel::memory_only_ser());
  auto f = ctx->parallelize(favourites, 2).partition_by(by_user);

  auto joined = r.join(f).collect();
  ASSERT_EQ(joined.size(), 100u);  // users 0, 3, ..., 27 have 10 ratings each
  for (auto& [user, pair] : joined) {
    EXPECT_EQ(user.value() % 3, 0);
    EXPECT_EQ(pair.second.item(), "fav" + std::to_string(user.value()));
  }
  auto best = r.reduce_by_key([](const Rating& a, const Rating& b) { return a.score() >= b.score() ? a : b; })
                  .collect_as_map();
  ASSERT_EQ(best.size(), 30u);
  EXPECT_EQ(best.at(UserId(29)).item(), "item299");
  auto grouped = r.group_by_key().collect_as_map();
  EXPECT_EQ(grouped.at(UserId(4)).size(), 10u);

  auto users = r.map([](const std::pair<UserId, Rating>& x) { return x.first; });
  auto lowest = users.take_ordered(3);
  ASSERT_EQ(lowest.size(), 3u);
  EXPECT_EQ(lowest[0], UserId(0));
  EXPECT_EQ(lowest[2], UserId(0));
  auto sample = r.take_sample(false, 7, 3);
  EXPECT_EQ(sample.size(), 7u);
  EXPECT_EQ(r.take_sample(false, 7, 3), sample);  // seeded: the same picks
}
