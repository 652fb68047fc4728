// Term frequencies by the hashing trick, as Spark ML's HashingTF (a
// transformer: nothing to fit):
//
//   auto tf = HashingTF().num_features(1 << 10);
//   Vector v = tf.transform({"a", "b", "a"});       // v[tf.index_of("a")] == 2
//
// A term's index is the non-negative remainder of its hash by num_features
// (default 2^18), the hash being MurmurHash3_x86_32 of the term's UTF-8
// bytes with seed 42 read as a signed 32-bit int: Spark 3's hash (its
// FeatureHasher.murmur3Hash), so indices match Spark's. Terms whose hashes
// share an index add up. The result is sparse, of size num_features, with
// each index's count, or 1 for every term present when binary is true
// (default false). Use a power of two for num_features: with another
// modulus the indices are less even.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "brasa/mllib/linalg/vector.h"
#include "brasa/rdd/rdd.h"

namespace brasa::mllib {

// Austin Appleby's MurmurHash3_x86_32 of the bytes (little-endian blocks, as
// the reference implementation on every platform).
uint32_t murmur3_x86_32(std::string_view bytes, uint32_t seed);

class HashingTF {
 public:
  HashingTF& num_features(int v);  // > 0, default 2^18
  HashingTF& binary(bool v) {      // counts become 1; default false
    binary_ = v;
    return *this;
  }
  int num_features() const { return num_features_; }
  bool binary() const { return binary_; }

  // The index of a term, in [0, num_features).
  int index_of(std::string_view term) const;

  Vector transform(const std::vector<std::string>& terms) const;
  RDD<Vector> transform(const RDD<std::vector<std::string>>& documents) const;

  static constexpr uint32_t kSeed = 42;

 private:
  int num_features_ = 1 << 18;
  bool binary_ = false;
};

}  // namespace brasa::mllib
