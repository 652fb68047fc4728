#include "recommendation/als_blocks.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "brasa/mllib/optim/nnls.h"
#include "brasa/util/hash.h"
#include "brasa/util/single.h"

namespace brasa::mllib::detail {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace als_blocks_impl {

int block_of(int32_t id, int n) {  // Spark's nonNegativeMod(id.hashCode, n)
  int b = id % n;
  return b < 0 ? b + n : b;
}

struct KeyByBlock {
  int blocks = 1;
  bool by_user = true;
  std::pair<int, Rating> operator()(const Rating& r) const {
    return {block_of(by_user ? r.user : r.item, blocks), r};
  }
};

struct BuildInBlock {
  int src_blocks = 1;
  bool dst_is_user = true;

  std::vector<InBlock> operator()(std::vector<std::pair<int, Rating>>&& part) const {
    struct Entry {
      int32_t dst, src;
      float rating;
    };
    std::vector<Entry> entries;
    entries.reserve(part.size());
    for (const auto& [block, r] : part) {
      if (std::isnan(r.rating))
        throw std::invalid_argument(fmt::format("ALS: the rating of user {} for item {} is NaN", r.user, r.item));
      entries.push_back(dst_is_user ? Entry{r.user, r.item, r.rating} : Entry{r.item, r.user, r.rating});
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return a.dst != b.dst ? a.dst < b.dst : a.src < b.src;
    });
    InBlock b;
    b.src_ids.resize(src_blocks);
    for (const auto& e : entries) b.src_ids[block_of(e.src, src_blocks)].push_back(e.src);
    for (auto& ids : b.src_ids) {
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    }
    b.src_blocks.reserve(entries.size());
    b.src_slots.reserve(entries.size());
    b.ratings.reserve(entries.size());
    for (size_t k = 0; k < entries.size(); ++k) {
      const auto& e = entries[k];
      if (k == 0 || e.dst != entries[k - 1].dst) {
        b.dst_ids.push_back(e.dst);
        b.dst_ptrs.push_back(static_cast<int32_t>(k));
      }
      const int sb = block_of(e.src, src_blocks);
      const auto& ids = b.src_ids[sb];
      b.src_blocks.push_back(sb);
      b.src_slots.push_back(static_cast<int32_t>(std::lower_bound(ids.begin(), ids.end(), e.src) - ids.begin()));
      b.ratings.push_back(e.rating);
    }
    b.dst_ptrs.push_back(static_cast<int32_t>(entries.size()));
    return single(std::move(b));
  }
};

using IdList = std::pair<int, std::vector<int32_t>>;  // (dst block, src ids in slot order)

struct EmitSrcIds {
  std::vector<std::pair<int, IdList>> operator()(int dst_block, const std::vector<InBlock>& in) const {
    std::vector<std::pair<int, IdList>> out;
    for (const auto& b : in)
      for (size_t sb = 0; sb < b.src_ids.size(); ++sb)
        if (!b.src_ids[sb].empty()) out.push_back({static_cast<int>(sb), {dst_block, b.src_ids[sb]}});
    return out;
  }
};

struct BuildOutBlock {
  int dst_blocks = 1;
  // The block's ids are the sorted union of what the dst blocks asked for:
  // every id of the side that has a rating.
  std::vector<OutBlock> operator()(int block, std::vector<std::pair<int, IdList>>&& lists) const {
    OutBlock r;
    r.block = block;
    r.to_dst.resize(dst_blocks);
    for (const auto& [src_block, list] : lists) r.ids.insert(r.ids.end(), list.second.begin(), list.second.end());
    std::sort(r.ids.begin(), r.ids.end());
    r.ids.erase(std::unique(r.ids.begin(), r.ids.end()), r.ids.end());
    for (const auto& [src_block, list] : lists) {
      auto& locals = r.to_dst[list.first];
      for (int32_t id : list.second)
        locals.push_back(static_cast<int32_t>(std::lower_bound(r.ids.begin(), r.ids.end(), id) - r.ids.begin()));
    }
    return single(std::move(r));
  }
};

struct InitialFactors {
  int rank = 10;
  uint64_t seed = 0;
  FactorBlock operator()(const OutBlock& r) const {
    std::mt19937_64 rng(mix64(seed ^ mix64(static_cast<uint64_t>(r.block) + 1)));
    auto uniform = [&] { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; };
    FactorBlock f{rank, r.ids, std::vector<float>(r.ids.size() * rank)};
    for (size_t i = 0; i < r.ids.size(); ++i) {
      float* x = f.factors.data() + i * rank;
      double norm = 0;
      for (int k = 0; k < rank; ++k) {  // Box-Muller
        const double g = std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * M_PI * uniform());
        x[k] = static_cast<float>(g);
        norm += double(x[k]) * x[k];
      }
      const float scale = static_cast<float>(1.0 / std::sqrt(norm));
      for (int k = 0; k < rank; ++k) x[k] *= scale;
    }
    return f;
  }
};

struct Shipment {
  int32_t src_block = 0;
  std::vector<float> factors;
  size_t heap_bytes() const { return factors.capacity() * sizeof(float); }
  template <class Ar> void serialize(Ar& ar) { ar(src_block, factors); }
};

struct Ship {
  std::vector<std::pair<int, Shipment>> operator()(const std::vector<OutBlock>& out,
                                                   const std::vector<FactorBlock>& factors) const {
    std::vector<std::pair<int, Shipment>> shipped;
    if (out.empty() || factors.empty()) return shipped;
    const OutBlock& o = out[0];
    const FactorBlock& f = factors[0];
    for (size_t d = 0; d < o.to_dst.size(); ++d) {
      if (o.to_dst[d].empty()) continue;
      Shipment s{o.block, {}};
      s.factors.reserve(o.to_dst[d].size() * f.rank);
      for (int32_t local : o.to_dst[d]) s.factors.insert(s.factors.end(), f.of(local), f.of(local) + f.rank);
      shipped.push_back({static_cast<int>(d), std::move(s)});
    }
    return shipped;
  }
};

struct Solve {
  SolveOptions options;
  int src_blocks = 1;
  Eigen::MatrixXd yty;  // implicit feedback: sum of y y^T over all src factors
  template <class Ar> void serialize(Ar& ar) {
    ar(options.rank, options.reg_param, options.implicit_prefs, options.alpha, options.nonnegative, src_blocks, yty);
  }

  std::vector<FactorBlock> operator()(const std::vector<InBlock>& in,
                                      std::vector<std::pair<int, Shipment>>&& shipped) const {
    const int rank = options.rank;
    std::vector<const float*> from(src_blocks, nullptr);
    for (const auto& [dst, s] : shipped) from[s.src_block] = s.factors.data();
    FactorBlock out{rank, {}, {}};
    if (in.empty()) return {out};
    const InBlock& b = in[0];
    out.ids = b.dst_ids;
    out.factors.resize(b.dst_ids.size() * rank);
    thread_local Eigen::MatrixXd ys;
    Eigen::MatrixXd a(rank, rank);
    Eigen::VectorXd rhs(rank), y(rank);
    for (size_t j = 0; j < b.dst_ids.size(); ++j) {
      const int32_t begin = b.dst_ptrs[j], end = b.dst_ptrs[j + 1], n = end - begin;
      if (ys.rows() < n || ys.cols() != rank) ys.resize(std::max<Eigen::Index>(n, 2 * ys.rows()), rank);
      rhs.setZero();
      int64_t counted = 0;  // ratings that count towards the regularisation
      for (int32_t k = begin; k < end; ++k) {
        const float* f = from[b.src_blocks[k]] + size_t(b.src_slots[k]) * rank;
        for (int c = 0; c < rank; ++c) y[c] = f[c];
        const double r = b.ratings[k];
        if (options.implicit_prefs) {
          const double c1 = options.alpha * std::abs(r);  // confidence - 1
          if (r > 0) {
            rhs += (1.0 + c1) * y;
            ++counted;
          }
          ys.row(k - begin) = std::sqrt(c1) * y.transpose();
        } else {
          rhs += r * y;
          ++counted;
          ys.row(k - begin) = y.transpose();
        }
      }
      if (options.implicit_prefs) {
        a = yty;
      } else {
        a.setZero();
      }
      a.selfadjointView<Eigen::Lower>().rankUpdate(ys.topRows(n).transpose());
      a.diagonal().array() += options.reg_param * static_cast<double>(counted);
      a.triangularView<Eigen::StrictlyUpper>() = a.transpose();
      Eigen::VectorXd x;
      if (options.nonnegative) {
        x = nonnegative_least_squares(a, rhs);
      } else {
        Eigen::LLT<Eigen::MatrixXd> llt(a);
        if (llt.info() != Eigen::Success)
          throw std::invalid_argument(fmt::format(
              "ALS: the normal equations of id {} are singular (reg_param {} with {} ratings); raise reg_param",
              b.dst_ids[j], options.reg_param, n));
        x = llt.solve(rhs);
      }
      for (int c = 0; c < rank; ++c) out.factors[j * rank + c] = static_cast<float>(x[c]);
    }
    return single(std::move(out));
  }
};

struct AddGram {
  Eigen::MatrixXd operator()(Eigen::MatrixXd acc, const FactorBlock& f) const {
    if (f.ids.empty()) return acc;
    Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> y(
        f.factors.data(), static_cast<Eigen::Index>(f.ids.size()), f.rank);
    Eigen::MatrixXd yd = y.cast<double>();
    acc.selfadjointView<Eigen::Lower>().rankUpdate(yd.transpose());
    return acc;
  }
};

struct AddMatrices {
  Eigen::MatrixXd operator()(Eigen::MatrixXd a, const Eigen::MatrixXd& b) const { return a + b; }
};

RDD<InBlock> in_blocks(const RDD<Rating>& ratings, bool dst_is_user, int dst_blocks, int src_blocks) {
  auto in = ratings.map(KeyByBlock{dst_blocks, dst_is_user})
                .partition_by(Partitioner::direct(dst_blocks))
                .map_partitions(BuildInBlock{src_blocks, dst_is_user});
  in.set_name(dst_is_user ? "ALS user in-blocks" : "ALS item in-blocks");
  in.cache();
  return in;
}

// The out-blocks of the src side, from the dst side's in-blocks.
RDD<OutBlock> out_blocks(const RDD<InBlock>& dst_in, int src_blocks, int dst_blocks) {
  return dst_in.map_partitions_with_index(EmitSrcIds{})
      .partition_by(Partitioner::direct(src_blocks))
      .map_partitions_with_index(BuildOutBlock{dst_blocks});
}

}  // namespace als_blocks_impl
using namespace als_blocks_impl;

void Side::unpersist() const {
  in.unpersist();
  out.unpersist();
}

size_t InBlock::heap_bytes() const {
  size_t n = (dst_ids.capacity() + dst_ptrs.capacity() + src_blocks.capacity() + src_slots.capacity()) *
                 sizeof(int32_t) +
             ratings.capacity() * sizeof(float) + src_ids.capacity() * sizeof(std::vector<int32_t>);
  for (const auto& ids : src_ids) n += ids.capacity() * sizeof(int32_t);
  return n;
}

std::pair<Side, Side> make_sides(const RDD<Rating>& ratings, int user_blocks, int item_blocks) {
  Side users, items;
  users.blocks = user_blocks;
  items.blocks = item_blocks;
  users.in = in_blocks(ratings, true, user_blocks, item_blocks);
  items.in = in_blocks(ratings, false, item_blocks, user_blocks);
  // A side's out-blocks come from the other side's in-blocks.
  users.out = out_blocks(items.in, user_blocks, item_blocks);
  items.out = out_blocks(users.in, item_blocks, user_blocks);
  users.out.set_name("ALS user out-blocks");
  items.out.set_name("ALS item out-blocks");
  users.out.cache();
  items.out.cache();
  return {users, items};
}

RDD<FactorBlock> initial_factors(const Side& side, int rank, uint64_t seed) {
  return side.out.map(InitialFactors{rank, seed});
}

RDD<FactorBlock> solve_side(const RDD<FactorBlock>& src_factors, const Side& src, const Side& dst,
                            const SolveOptions& options) {
  auto shipped = src.out.zip_partitions(src_factors, Ship{}).partition_by(Partitioner::direct(dst.blocks));
  Solve solve{options, src.blocks, {}};
  if (options.implicit_prefs) solve.yty = gram(src_factors, options.rank);
  return dst.in.zip_partitions(shipped, solve);
}

Eigen::MatrixXd gram(const RDD<FactorBlock>& factors, int rank) {
  Eigen::MatrixXd lower = factors.tree_aggregate(Eigen::MatrixXd(Eigen::MatrixXd::Zero(rank, rank)), AddGram{},
                                                 AddMatrices{});
  return lower.selfadjointView<Eigen::Lower>();
}

}  // namespace brasa::mllib::detail
