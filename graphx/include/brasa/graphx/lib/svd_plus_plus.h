// GraphX's SVDPlusPlus: Koren's SVD++ ("Factorization Meets the
// Neighborhood", KDD 2008) on a bipartite graph of ratings, user -> item
// edges with the rating as attribute, trained by GraphX's synchronous
// rounds. The prediction for user u and item i is
//   mean + u.bias + i.bias + dot(i.p, u.y)
// where, for a user, y holds p + |N(u)|^-1/2 * (sum of its items' y).
//
//   auto [model, mean] = brasa::graphx::svd_plus_plus(ratings, {.rank = 10, .max_iterations = 5});
//
// As in GraphX every vertex starts from the same random vectors (uniform in
// [0, 1), here from `seed`); after training an item's `norm` holds the sum
// of its squared training errors, a user's 1/sqrt(its number of ratings).
// One difference: GraphX merges two messages' y updates as twice the
// second's (a slip in its merge function), which makes its results depend
// on the order messages meet; here they are added.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "brasa/graphx/graph.h"
#include "brasa/scheduler/lost_local_checkpoint.h"

namespace brasa::graphx {

struct SvdPlusPlusOptions {  // GraphX's Conf; the defaults are Spark's test's
  int rank = 10;
  int max_iterations = 2;
  double min_val = 0.0, max_val = 5.0;  // predictions are clamped to these
  double gamma1 = 0.007, gamma2 = 0.007, gamma6 = 0.005, gamma7 = 0.015;
  uint64_t seed = 1;
};

struct SvdPlusPlusVertex {
  std::vector<double> p, y;
  double bias = 0, norm = 0;
};

namespace detail {

struct SvdMessage {
  std::vector<double> p, y;
  double bias = 0;
};
inline void add_to(std::vector<double>& a, const std::vector<double>& b, double scale = 1.0) {
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) a[k] += scale * b[k];
}
struct RatingCount {
  template <class Ctx> void operator()(Ctx& ctx) const {
    ctx.send_to_src({1, ctx.attr()});
    ctx.send_to_dst({1, ctx.attr()});
  }
};
struct AddCountAndSum {
  std::pair<int64_t, double> operator()(std::pair<int64_t, double> a, std::pair<int64_t, double> b) const {
    return {a.first + b.first, a.second + b.second};
  }
};
struct BiasAndNorm {
  double mean;
  SvdPlusPlusVertex operator()(VertexId, SvdPlusPlusVertex v, std::optional<std::pair<int64_t, double>> m) const {
    v.bias = m->second / static_cast<double>(m->first) - mean;
    v.norm = 1.0 / std::sqrt(static_cast<double>(m->first));
    return v;
  }
};
struct SendItemY {  // phase 1: each user hears its items' y
  template <class Ctx> void operator()(Ctx& ctx) const { ctx.send_to_src(ctx.dst_attr().y); }
};
struct AddVectors {
  std::vector<double> operator()(std::vector<double> a, const std::vector<double>& b) const {
    add_to(a, b);
    return a;
  }
};
struct UserY {  // y = p + norm * sum of the items' y
  SvdPlusPlusVertex operator()(VertexId, SvdPlusPlusVertex v, std::optional<std::vector<double>> sum) const {
    if (!sum) return v;
    v.y = v.p;
    add_to(v.y, *sum, v.norm);
    return v;
  }
};
inline double clamp_prediction(double mean, const SvdPlusPlusVertex& usr, const SvdPlusPlusVertex& itm, double lo,
                               double hi) {
  double pred = mean + usr.bias + itm.bias;
  for (size_t k = 0; k < itm.p.size() && k < usr.y.size(); ++k) pred += itm.p[k] * usr.y[k];
  return std::min(std::max(pred, lo), hi);
}
struct SendTrain {  // phase 2: GraphX's sendMsgTrainF
  SvdPlusPlusOptions o;
  double mean;
  template <class Ctx> void operator()(Ctx& ctx) const {
    const SvdPlusPlusVertex& usr = ctx.src_attr();
    const SvdPlusPlusVertex& itm = ctx.dst_attr();
    const double err = ctx.attr() - clamp_prediction(mean, usr, itm, o.min_val, o.max_val);
    const size_t rank = usr.p.size();
    SvdMessage to_user{std::vector<double>(rank), std::vector<double>(rank), (err - o.gamma6 * usr.bias) * o.gamma1};
    SvdMessage to_item{std::vector<double>(rank), std::vector<double>(rank), (err - o.gamma6 * itm.bias) * o.gamma1};
    for (size_t k = 0; k < rank; ++k) {
      to_user.p[k] = err * o.gamma2 * itm.p[k] - o.gamma7 * o.gamma2 * usr.p[k];
      to_item.p[k] = err * o.gamma2 * usr.y[k] - o.gamma7 * o.gamma2 * itm.p[k];
      to_user.y[k] = to_item.y[k] = err * usr.norm * o.gamma2 * itm.p[k] - o.gamma7 * o.gamma2 * itm.y[k];
    }
    ctx.send_to_src(std::move(to_user));
    ctx.send_to_dst(std::move(to_item));
  }
};
struct AddMessages {
  SvdMessage operator()(SvdMessage a, const SvdMessage& b) const {
    add_to(a.p, b.p);
    add_to(a.y, b.y);
    a.bias += b.bias;
    return a;
  }
};
struct ApplyUpdate {
  SvdPlusPlusVertex operator()(VertexId, SvdPlusPlusVertex v, std::optional<SvdMessage> m) const {
    if (!m) return v;
    add_to(v.p, m->p);
    add_to(v.y, m->y);
    v.bias += m->bias;
    return v;
  }
};
struct SendSquaredError {  // GraphX's sendMsgTestF
  SvdPlusPlusOptions o;
  double mean;
  template <class Ctx> void operator()(Ctx& ctx) const {
    const double err = ctx.attr() - clamp_prediction(mean, ctx.src_attr(), ctx.dst_attr(), o.min_val, o.max_val);
    ctx.send_to_dst(err * err);
  }
};
struct AddErrors {
  double operator()(double a, double b) const { return a + b; }
};
struct ErrorAsNorm {
  SvdPlusPlusVertex operator()(VertexId, SvdPlusPlusVertex v, std::optional<double> squared_error) const {
    if (squared_error) v.norm = *squared_error;
    return v;
  }
};
struct RatingAndOne {
  std::pair<double, int64_t> operator()(const Edge<double>& e) const { return {e.attr, 1}; }
};
struct AddRatings {
  std::pair<double, int64_t> operator()(std::pair<double, int64_t> a, std::pair<double, int64_t> b) const {
    return {a.first + b.first, a.second + b.second};
  }
};

}  // namespace detail

// The trained graph (same edges; each vertex's factors, bias and norm) and
// the mean rating.
inline std::pair<Graph<SvdPlusPlusVertex, double>, double> svd_plus_plus(const RDD<Edge<double>>& edges,
                                                                          const SvdPlusPlusOptions& o = {}) {
  if (o.rank < 1) throw std::invalid_argument("svd_plus_plus: rank must be at least 1, got " + std::to_string(o.rank));
  if (o.max_iterations < 1)
    throw std::invalid_argument("svd_plus_plus: max_iterations must be at least 1, got " +
                                std::to_string(o.max_iterations));
  if (!(o.max_val > o.min_val))
    throw std::invalid_argument("svd_plus_plus: max_val must be greater than min_val, got max_val " +
                                std::to_string(o.max_val) + " and min_val " + std::to_string(o.min_val));
  const auto [sum, count] = edges.map(detail::RatingAndOne{}).fold({0.0, 0}, detail::AddRatings{});
  if (count == 0) throw std::invalid_argument("svd_plus_plus: there are no ratings (the edge RDD is empty)");
  const double mean = sum / static_cast<double>(count);

  SvdPlusPlusVertex start;
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int k = 0; k < o.rank; ++k) start.p.push_back(uniform(rng));
  for (int k = 0; k < o.rank; ++k) start.y.push_back(uniform(rng));
  return restart_on_lost_local_checkpoint("svd_plus_plus", [&] {
    auto g = Graph<SvdPlusPlusVertex, double>::from_edges(edges, start);
    g.edge_partitions().cache();
    g = g.outer_join_vertices(g.aggregate_messages<std::pair<int64_t, double>>(
                                  detail::RatingCount{}, detail::AddCountAndSum{}, TripletFields::none()),
                              detail::BiasAndNorm{mean});
    g.vertices().cache();
    for (int i = 0; i < o.max_iterations; ++i) {
      auto sums =
          g.aggregate_messages<std::vector<double>>(detail::SendItemY{}, detail::AddVectors{}, TripletFields::dst());
      auto with_y = g.outer_join_vertices(sums, detail::UserY{});
      with_y.vertices().cache();
      auto updates = with_y.aggregate_messages<detail::SvdMessage>(detail::SendTrain{o, mean}, detail::AddMessages{});
      auto next = with_y.outer_join_vertices(updates, detail::ApplyUpdate{});
      next.vertices().cache();
      if ((i + 1) % 25 == 0) next.vertices().partitions().local_checkpoint();  // lineage stays short
      next.vertices().count();  // computed while with_y is cached
      detail::release(g.vertices());
      detail::release(with_y.vertices());
      g = next;
    }
    auto errors = g.aggregate_messages<double>(detail::SendSquaredError{o, mean}, detail::AddErrors{});
    return std::pair{g.outer_join_vertices(errors, detail::ErrorAsNorm{}), mean};
  });
}

}  // namespace brasa::graphx
