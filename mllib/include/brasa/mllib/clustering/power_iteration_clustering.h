// Power iteration clustering (Lin and Cohen) as Spark ML's
// PowerIterationClustering:
//
//   // similarities: RDD<std::tuple<int64_t, int64_t, double>>, (i, j, s_ij)
//   auto assignments = PowerIterationClustering().k(3).assign_clusters(similarities);
//   // RDD<std::pair<int64_t, int>>: (vertex, cluster)
//
// The similarities form a symmetric affinity matrix A: a tuple (i, j, s)
// sets both s_ij and s_ji, so give each pair once (a pair given twice
// counts twice). Similarities must be finite and >= 0; tuples with i == j
// are ignored, and the vertices are those with a tuple to another vertex.
// Rows are normalised, W = D^-1 A with D the row sums (the degrees). From
// v0, seeded Gaussian values ("random") or the degrees ("degree"), scaled
// to a unit 1-norm, power iterations v <- W v / |W v|_1 run for max_iter
// iterations or until |v_t - v_t-1|_1 changes between two iterations by
// less than max(1e-5 / vertices, 1e-8). k-means (KMeans, k-means||, seeded)
// on the values of v then gives the clusters.
//
// The graph is laid out in blocks of vertices, each shipping its values
// once per iteration to the blocks that need them. Seeded and
// deterministic: the same seed and blocks give the same bits whatever the
// partitioning or the master.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>

#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

class PowerIterationClustering {
 public:
  using Similarity = std::tuple<int64_t, int64_t, double>;

  PowerIterationClustering& k(int v);                       // >= 2, default 2
  PowerIterationClustering& max_iter(int v);                // >= 0, default 20
  PowerIterationClustering& init_mode(const std::string& v);  // "random" (default) or "degree"
  PowerIterationClustering& seed(uint64_t v);               // default 42
  // The number of vertex blocks (0, the default: one per 2^17 similarities).
  PowerIterationClustering& num_blocks(int v);

  int k() const { return k_; }
  int max_iter() const { return max_iter_; }
  const std::string& init_mode() const { return init_mode_; }
  uint64_t seed() const { return seed_; }
  int num_blocks() const { return num_blocks_; }

  // (vertex, cluster) for every vertex; computed now and persisted (memory
  // and disk): unpersist() it when done. Throws std::invalid_argument for a negative,
  // NaN or infinite similarity, no pair of distinct vertices, or fewer
  // vertices than k.
  RDD<std::pair<int64_t, int>> assign_clusters(const RDD<Similarity>& similarities) const;
  // (vertex, value of v) after the power iterations, computed and kept likewise.
  RDD<std::pair<int64_t, double>> embedding(const RDD<Similarity>& similarities) const;

 private:
  int k_ = 2;
  int max_iter_ = 20;
  std::string init_mode_ = "random";
  uint64_t seed_ = 42;
  int num_blocks_ = 0;
};

}  // namespace brasa::mllib
