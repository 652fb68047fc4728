#include "brasa/mllib/feature/hashing_tf.h"

#include <algorithm>

#include "util/checks.h"

namespace brasa::mllib {

// Named, not anonymous: functors shipped to executors are keyed by their
// type's name, which must differ from every other file's.
namespace hashing_tf_impl {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t mix_k1(uint32_t k1) { return rotl(k1 * kC1, 15) * kC2; }

uint32_t mix_h1(uint32_t h1, uint32_t k1) { return rotl(h1 ^ k1, 13) * 5 + 0xe6546b64; }

uint32_t fmix(uint32_t h1, uint32_t length) {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6b;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35;
  h1 ^= h1 >> 16;
  return h1;
}

// Spark's Utils.nonNegativeMod.
int non_negative_mod(int32_t x, int mod) {
  const int raw = x % mod;
  return raw < 0 ? raw + mod : raw;
}

int index_in(std::string_view term, int num_features) {
  return non_negative_mod(static_cast<int32_t>(murmur3_x86_32(term, HashingTF::kSeed)), num_features);
}

// The sparse term-frequency vector of a document.
Vector frequencies(const std::vector<std::string>& terms, int num_features, bool binary) {
  std::vector<int32_t> hashed;
  hashed.reserve(terms.size());
  for (const auto& t : terms) hashed.push_back(index_in(t, num_features));
  std::sort(hashed.begin(), hashed.end());
  std::vector<int32_t> indices;
  std::vector<double> values;
  for (int32_t i : hashed) {
    if (!indices.empty() && indices.back() == i) {
      if (!binary) values.back() += 1.0;
    } else {
      indices.push_back(i);
      values.push_back(1.0);
    }
  }
  return Vector::sparse(num_features, std::move(indices), std::move(values));
}

struct TermFrequencies {
  int num_features = 0;
  bool binary = false;
  Vector operator()(const std::vector<std::string>& terms) const { return frequencies(terms, num_features, binary); }
};

}  // namespace hashing_tf_impl
using namespace hashing_tf_impl;

uint32_t murmur3_x86_32(std::string_view bytes, uint32_t seed) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t length = bytes.size();
  const size_t aligned = length - length % 4;
  uint32_t h1 = seed;
  for (size_t i = 0; i < aligned; i += 4) {
    const uint32_t k1 = uint32_t{data[i]} | uint32_t{data[i + 1]} << 8 | uint32_t{data[i + 2]} << 16 |
                        uint32_t{data[i + 3]} << 24;  // little-endian whatever the platform
    h1 = mix_h1(h1, mix_k1(k1));
  }
  uint32_t k1 = 0;
  for (size_t i = aligned, shift = 0; i < length; ++i, shift += 8) k1 ^= uint32_t{data[i]} << shift;
  h1 ^= mix_k1(k1);  // 0 without a tail
  return fmix(h1, static_cast<uint32_t>(length));
}

HashingTF& HashingTF::num_features(int v) {
  detail::check_param(v > 0, "HashingTF", "num_features", "positive", v);
  num_features_ = v;
  return *this;
}

int HashingTF::index_of(std::string_view term) const { return index_in(term, num_features_); }

Vector HashingTF::transform(const std::vector<std::string>& terms) const {
  return frequencies(terms, num_features_, binary_);
}

RDD<Vector> HashingTF::transform(const RDD<std::vector<std::string>>& documents) const {
  return documents.map(TermFrequencies{num_features_, binary_});
}

}  // namespace brasa::mllib
