// brasa::graphx: property graphs and graph algorithms on the core (GraphX's
// API and semantics). One include for all of it.
#pragma once

#include "brasa/graphx/edge_context.h"
#include "brasa/graphx/edge_partition.h"
#include "brasa/graphx/generators.h"
#include "brasa/graphx/graph.h"
#include "brasa/graphx/lib/connected_components.h"
#include "brasa/graphx/lib/k_core.h"
#include "brasa/graphx/lib/label_propagation.h"
#include "brasa/graphx/lib/neighbors.h"
#include "brasa/graphx/lib/page_rank.h"
#include "brasa/graphx/lib/shortest_paths.h"
#include "brasa/graphx/lib/strongly_connected_components.h"
#include "brasa/graphx/lib/svd_plus_plus.h"
#include "brasa/graphx/lib/triangle_count.h"
#include "brasa/graphx/load_edge_list.h"
#include "brasa/graphx/partition_strategy.h"
#include "brasa/graphx/pregel.h"
#include "brasa/graphx/types.h"
