// How Graph::partition_by lays edges out (GraphX's PartitionStrategy):
//   * EdgePartition1D: by source, so a vertex's out-edges share a partition;
//   * EdgePartition2D: by source and destination on a sqrt(n) x sqrt(n)
//     grid, so each vertex is replicated to at most 2 sqrt(n) partitions;
//   * RandomVertexCut: by the (source, destination) pair, so parallel edges
//     share a partition;
//   * CanonicalRandomVertexCut: as RandomVertexCut, but both directions of
//     an edge share one too.
#pragma once

#include <string>

#include "brasa/graphx/types.h"

namespace brasa::graphx {

enum class PartitionStrategy { EdgePartition1D, EdgePartition2D, RandomVertexCut, CanonicalRandomVertexCut };

// The partition in [0, num_partitions) of edge (src, dst).
int partition_of_edge(PartitionStrategy strategy, VertexId src, VertexId dst, int num_partitions);

// The strategy named by GraphX's class name ("EdgePartition2D", ...);
// throws std::invalid_argument naming `name` otherwise.
PartitionStrategy partition_strategy_from_string(const std::string& name);

}  // namespace brasa::graphx
