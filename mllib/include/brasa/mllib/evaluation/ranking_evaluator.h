// Ranking metrics of queries, as Spark's RankingMetrics: each query is the
// ids a recommender predicted, best first, and the ids that are relevant;
// every metric is the mean over queries of a per-query value (one job).
//
//   RankingEvaluator e;
//   e.precision_at(queries, 5); e.ndcg_at(queries, 10); e.mean_average_precision(queries);
//
// Per query, with R the set of relevant ids and rel(i) = 1 when the i-th
// prediction is in R (a repeated prediction counts each time):
//   precision@k = sum_{i<k} rel(i) / k (k even when fewer were predicted)
//   recall@k    = sum_{i<k} rel(i) / |R|
//   AP@k        = sum_{i<k} rel(i) precision@(i+1) / min(|R|, k)  (Spark 3's meanAveragePrecisionAt)
//   AP          = AP@max(#predicted, |R|), which divides by |R|
//   NDCG@k      = DCG / ideal DCG over the first n = min(max(#predicted, |R|), k)
//                 positions, DCG = sum gain(i) / ln(i + 2): binary gain rel(i)
//                 with ideal DCG sum_{i<min(n,|R|)} 1 / ln(i + 2); or with
//                 relevance values, gain 2^relevance - 1 (0 for an id without
//                 one) and, as in Spark, the ideal DCG taken over the relevant
//                 ids in the order given, so list them by decreasing relevance.
// A query with no relevant ids counts 0 (NDCG too when the ideal DCG is 0),
// and a warning with the number of such queries is logged through spdlog.
// k must be positive; an empty input throws std::invalid_argument.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class RankingEvaluator {
 public:
  using Ids = std::vector<int32_t>;
  using Query = std::pair<Ids, Ids>;  // (predicted ids, relevant ids)
  // (predicted ids, relevant (id, relevance) pairs); a repeated id keeps its last relevance.
  using GradedQuery = std::pair<Ids, std::vector<std::pair<int32_t, double>>>;

  double precision_at(const RDD<Query>& queries, int k) const;
  double recall_at(const RDD<Query>& queries, int k) const;
  double mean_average_precision(const RDD<Query>& queries) const;
  double mean_average_precision_at(const RDD<Query>& queries, int k) const;
  double ndcg_at(const RDD<Query>& queries, int k) const;
  double ndcg_at(const RDD<GradedQuery>& queries, int k) const;
};

}  // namespace brasa::mllib
