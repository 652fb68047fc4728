// SharedArray<T>: an immutable array that the records holding it share.
// Copying such a record is a reference count, not a copy of the array:
// the core copies records when a task reads a shuffle output held in
// memory or a partition is derived from another, and graphx's records
// (a vertex partition's ids, the blocks of attributes and messages that
// travel between vertex and edge partitions) are whole arrays. A slice
// shares its array's memory too: a scan's messages leave as slices of
// one array, one per vertex partition. Encoded, it is its elements, like
// a std::vector.
#pragma once

#include <algorithm>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/util/serializer.h"
#include "brasa/util/size_estimate.h"

namespace brasa::graphx {

template <class T> class SharedArray {
 public:
  SharedArray() = default;
  SharedArray(const SharedArray&) = default;
  SharedArray& operator=(const SharedArray&) = default;
  // A moved-from array is empty, as a moved-from vector is.
  SharedArray(SharedArray&& o) noexcept : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)) {}
  SharedArray& operator=(SharedArray&& o) noexcept {
    data_ = std::move(o.data_);
    size_ = std::exchange(o.size_, 0);
    return *this;
  }
  explicit SharedArray(std::vector<T> v) {
    auto owner = std::make_shared<const std::vector<T>>(std::move(v));
    size_ = owner->size();
    data_ = std::shared_ptr<const T>(owner, owner->data());
  }

  // n default-initialized elements, to be written through *out before the
  // array is shared: trivial ones start indeterminate, without a pass
  // that zeroes them.
  static SharedArray for_overwrite(size_t n, T** out) requires std::is_default_constructible_v<T> {
    std::shared_ptr<T[]> buffer = std::make_shared_for_overwrite<T[]>(n);
    *out = buffer.get();
    SharedArray a;
    a.data_ = std::shared_ptr<const T>(buffer, buffer.get());
    a.size_ = n;
    return a;
  }

  // Elements [begin, begin + n), sharing this array's memory.
  SharedArray slice(size_t begin, size_t n) const {
    SharedArray a;
    a.data_ = std::shared_ptr<const T>(data_, data_.get() + begin);
    a.size_ = n;
    return a;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data_.get()[i]; }
  const T* data() const { return data_.get(); }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  // The same elements in memory, not only equal ones.
  bool same(const SharedArray& other) const { return data_ == other.data_ && size_ == other.size_; }
  friend bool operator==(const SharedArray& a, const SharedArray& b) {
    return a.same(b) || (a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin()));
  }

  // A slice counts its own elements: the slices of one array add up to it.
  size_t heap_bytes() const {
    size_t bytes = size_ * sizeof(T);
    if constexpr (!kBitwise<T>)
      for (const T& x : *this) bytes += brasa::detail::approx_extra(x);
    return bytes;
  }
  template <class Ar> void serialize(Ar& ar) {
    if constexpr (std::is_same_v<Ar, ByteReader>) {
      if constexpr (kBitwise<T>) {  // read straight into the array
        const uint64_t n = ar.read_size();
        if (n > ar.remaining() / std::max<size_t>(sizeof(T), 1))
          throw std::runtime_error("corrupt record encoding: array larger than data");
        T* out = nullptr;
        *this = for_overwrite(static_cast<size_t>(n), &out);
        ar.read_bytes(out, static_cast<size_t>(n) * sizeof(T));
      } else {
        std::vector<T> v;
        ar(v);
        *this = SharedArray(std::move(v));
      }
    } else {
      ar.write_size(size_);
      if constexpr (kBitwise<T>)
        ar.write_bytes(data(), size_ * sizeof(T));
      else
        for (const T& x : *this) ar(x);
    }
  }

 private:
  std::shared_ptr<const T> data_;  // may point into a larger array, which it keeps alive
  size_t size_ = 0;
};

}  // namespace brasa::graphx
