// SharedArray<T>: an immutable array that the records holding it share.
// Copying such a record is a reference count, not a copy of the array:
// the core copies records when a task reads a shuffle output held in
// memory or a partition is derived from another, and graphx's records
// (a vertex partition's ids, the blocks of attributes and messages that
// travel between vertex and edge partitions) are whole arrays. Encoded,
// it is its elements, like a std::vector.
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/util/size_estimate.h"

namespace brasa::graphx {

template <class T> class SharedArray {
 public:
  SharedArray() = default;
  explicit SharedArray(std::vector<T> v) : v_(std::make_shared<const std::vector<T>>(std::move(v))) {}

  size_t size() const { return v_ ? v_->size() : 0; }
  bool empty() const { return size() == 0; }
  const T& operator[](size_t i) const { return (*v_)[i]; }
  const T* data() const { return v_ ? v_->data() : nullptr; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  // The same array, not only equal elements.
  bool same(const SharedArray& other) const { return v_ == other.v_; }
  friend bool operator==(const SharedArray& a, const SharedArray& b) {
    return a.same(b) || (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()));
  }

  size_t heap_bytes() const { return v_ ? approx_bytes(*v_) : 0; }
  template <class Ar> void serialize(Ar& ar) {
    if constexpr (std::is_same_v<Ar, ByteReader>) {
      std::vector<T> v;
      ar(v);
      *this = SharedArray(std::move(v));
    } else {
      static const std::vector<T> kNone;
      ar(v_ ? *v_ : kNone);
    }
  }

 private:
  std::shared_ptr<const std::vector<T>> v_;
};

}  // namespace brasa::graphx
