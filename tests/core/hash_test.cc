// Hashing and comparing string keys: a std::string hashes like its bytes
// as a view at every length, whatever its buffer holds past its size, and
// a FlatHashMap tells apart keys that differ in any one byte.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "brasa/util/flat_hash_map.h"
#include "brasa/util/hash.h"

namespace {

std::string random_bytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());  // zero bytes included
  return s;
}

TEST(HashOf, AStringHashesLikeItsViewAtEveryLength) {
  std::mt19937_64 rng(11);
  for (size_t n = 0; n <= 40; ++n) {
    for (int rep = 0; rep < 20; ++rep) {
      std::string s = random_bytes(rng, n);
      uint64_t h = brasa::hash_bytes(s.data(), s.size());
      EXPECT_EQ(brasa::hash_of(s), h) << "length " << n;
      EXPECT_EQ(brasa::hash_of(std::string_view(s)), h) << "length " << n;
      // The same bytes in a heap buffer, and in a buffer that held longer text.
      std::string heap;
      heap.reserve(64);
      heap = s;
      EXPECT_EQ(brasa::hash_of(heap), h) << "length " << n;
      std::string shrunk = s + random_bytes(rng, 16);
      shrunk.resize(n);
      EXPECT_EQ(brasa::hash_of(shrunk), h) << "length " << n;
    }
  }
}

TEST(HashOf, LengthAndEveryByteCount) {
  // Trailing zero bytes change the length, so the hash.
  EXPECT_NE(brasa::hash_of(std::string("a")), brasa::hash_of(std::string("a\0", 2)));
  EXPECT_NE(brasa::hash_of(std::string()), brasa::hash_of(std::string(1, '\0')));
  std::mt19937_64 rng(5);
  for (size_t n = 1; n <= 24; ++n) {
    std::string s = random_bytes(rng, n);
    for (size_t i = 0; i < n; ++i) {
      std::string t = s;
      t[i] = static_cast<char>(t[i] ^ 0x01);
      EXPECT_NE(brasa::hash_of(s), brasa::hash_of(t)) << "length " << n << ", byte " << i;
    }
  }
}

TEST(FlatHashMap, StringKeysDifferingInOneByteOrInLengthAreDistinct) {
  std::mt19937_64 rng(7);
  brasa::FlatHashMap<std::string, int> map;
  std::vector<std::string> keys;
  for (size_t n = 0; n <= 20; ++n) {
    std::string s = random_bytes(rng, n);
    keys.push_back(s);
    for (size_t i = 0; i < n; ++i) {
      std::string t = s;
      t[i] = static_cast<char>(t[i] ^ 0x80);
      keys.push_back(t);
    }
  }
  bool inserted;
  for (size_t i = 0; i < keys.size(); ++i) {
    // Keys whose buffers hold other bytes past their size.
    std::string key = keys[i] + "tail-of-garbage!";
    key.resize(keys[i].size());
    map.find_or_insert(std::move(key), brasa::hash_of(keys[i]), [&] { return static_cast<int>(i); }, inserted);
    EXPECT_TRUE(inserted) << "key " << i << " of length " << keys[i].size();
  }
  EXPECT_EQ(map.size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string key = keys[i];
    int* v = map.find(key);
    ASSERT_NE(v, nullptr) << "key " << i;
    EXPECT_EQ(*v, static_cast<int>(i));
    EXPECT_EQ(&map.find_or_insert(std::string_view(key), brasa::hash_of(key), [] { return -1; }, inserted), v);
    EXPECT_FALSE(inserted);
  }
}

}  // namespace
