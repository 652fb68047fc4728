// The engine's code for the most common record types (integers, doubles,
// strings and pairs of them) is compiled once, into the library
// (core/src/rdd/common_records.cc), instead of in every program that uses
// them: these declarations tell the compiler it is there. Code that depends
// on the user's functions (map, reduce_by_key, ...) is still compiled in the
// program, where it can be inlined.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/shuffled_node.h"
#include "brasa/rdd/partitioner.h"
#include "brasa/rdd/rdd_node.h"
#include "brasa/rdd/shuffle_dependency.h"
#include "brasa/shuffle/external_hash_table.h"
#include "brasa/shuffle/shuffle_manager.h"
#include "brasa/shuffle/sorted_run.h"
#include "brasa/util/serializer.h"
#include "brasa/util/sink.h"

// core/src/rdd/common_records.cc defines BRASA_COMMON_RECORDS_DEFINE to
// turn the declarations into the definitions.
#ifdef BRASA_COMMON_RECORDS_DEFINE
#define BRASA_COMMON_TEMPLATE template
#else
#define BRASA_COMMON_TEMPLATE extern template
#endif

// Everything whose code depends only on the record type T, and the RDD
// members that take no function of the user's.
#define BRASA_COMMON_RECORD(...)                                                                            \
  BRASA_COMMON_TEMPLATE std::vector<__VA_ARGS__> RDD<__VA_ARGS__>::collect(CallSite) const;                 \
  BRASA_COMMON_TEMPLATE std::vector<__VA_ARGS__> RDD<__VA_ARGS__>::collect_named(const char*, const CallSite&) \
      const;                                                                                                \
  BRASA_COMMON_TEMPLATE int64_t RDD<__VA_ARGS__>::count(CallSite) const;                                    \
  BRASA_COMMON_TEMPLATE std::vector<__VA_ARGS__> RDD<__VA_ARGS__>::take(int64_t, CallSite) const;           \
  BRASA_COMMON_TEMPLATE __VA_ARGS__ RDD<__VA_ARGS__>::first(CallSite) const;                                \
  BRASA_COMMON_TEMPLATE bool RDD<__VA_ARGS__>::is_empty(CallSite) const;                                    \
  BRASA_COMMON_TEMPLATE std::vector<__VA_ARGS__> RDD<__VA_ARGS__>::take_sample(bool, int64_t, uint64_t,      \
                                                                                CallSite) const;            \
  BRASA_COMMON_TEMPLATE RDD<__VA_ARGS__> RDD<__VA_ARGS__>::sample(bool, double, uint64_t, CallSite) const;   \
  BRASA_COMMON_TEMPLATE RDD<__VA_ARGS__> RDD<__VA_ARGS__>::union_with(const RDD<__VA_ARGS__>&, CallSite)    \
      const;                                                                                                \
  BRASA_COMMON_TEMPLATE RDD<__VA_ARGS__> RDD<__VA_ARGS__>::coalesce(int, bool, CallSite) const;             \
  BRASA_COMMON_TEMPLATE RDD<__VA_ARGS__> RDD<__VA_ARGS__>::repartition(int, CallSite) const;                \
  BRASA_COMMON_TEMPLATE const RDD<__VA_ARGS__>& RDD<__VA_ARGS__>::persist(StorageLevel) const;              \
  BRASA_COMMON_TEMPLATE const RDD<__VA_ARGS__>& RDD<__VA_ARGS__>::unpersist() const;                        \
  BRASA_COMMON_TEMPLATE class Sink<__VA_ARGS__>;                                                            \
  BRASA_COMMON_TEMPLATE class VectorSink<__VA_ARGS__>;                                                      \
  BRASA_COMMON_TEMPLATE class ChunkedSink<__VA_ARGS__>;                                                     \
  BRASA_COMMON_TEMPLATE class RDDNode<__VA_ARGS__>;                                                         \
  BRASA_COMMON_TEMPLATE class CheckpointedNode<__VA_ARGS__>;                                                \
  BRASA_COMMON_TEMPLATE class CachedBlockNode<__VA_ARGS__>;                                                 \
  BRASA_COMMON_TEMPLATE void ByteWriter::write<std::vector<__VA_ARGS__>>(const std::vector<__VA_ARGS__>&); \
  BRASA_COMMON_TEMPLATE void ByteReader::read<std::vector<__VA_ARGS__>>(std::vector<__VA_ARGS__>&);

// ... and on the key and value types of a shuffle.
#define BRASA_COMMON_PAIR(K, V)                                                                                 \
  BRASA_COMMON_RECORD(std::pair<K, V>)                                                                          \
  BRASA_COMMON_TEMPLATE class ShuffledNode<std::pair<K, V>>;                                                    \
  BRASA_COMMON_TEMPLATE class MapOutput<std::pair<K, V>>;                                                       \
  BRASA_COMMON_TEMPLATE class PairShuffleDependency<K, V>;                                                      \
  BRASA_COMMON_TEMPLATE class ExternalHashTable<K, V>;                                                          \
  BRASA_COMMON_TEMPLATE class SortedRunReader<std::pair<uint64_t, std::pair<K, V>>>;                            \
  BRASA_COMMON_TEMPLATE SortedRun write_sorted_run<std::pair<uint64_t, std::pair<K, V>>>(                      \
      SpillFile&, std::span<std::pair<uint64_t, std::pair<K, V>>>);

#define BRASA_COMMON_KEY(K)                                                                 \
  BRASA_COMMON_TEMPLATE int Partitioner::partition_of_other<K>(const K&) const; \
  BRASA_COMMON_TEMPLATE Partitioner Partitioner::read<K>(ByteReader&);

namespace brasa {

BRASA_COMMON_RECORD(int32_t)
BRASA_COMMON_RECORD(int64_t)
BRASA_COMMON_RECORD(double)
BRASA_COMMON_RECORD(std::string)
BRASA_COMMON_RECORD(std::vector<double>)  // points and feature vectors
BRASA_COMMON_PAIR(int32_t, int32_t)
BRASA_COMMON_PAIR(int64_t, int64_t)
BRASA_COMMON_PAIR(int64_t, double)
BRASA_COMMON_PAIR(std::string, int64_t)
BRASA_COMMON_PAIR(std::string, double)
BRASA_COMMON_PAIR(std::string, std::string)
BRASA_COMMON_KEY(int32_t)
BRASA_COMMON_KEY(int64_t)
BRASA_COMMON_KEY(std::string)

}  // namespace brasa

#undef BRASA_COMMON_KEY
#undef BRASA_COMMON_PAIR
#undef BRASA_COMMON_RECORD
#undef BRASA_COMMON_TEMPLATE
