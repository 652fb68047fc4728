// The data path inside a task. A partition flows as a sequence of batches
// pushed from the source node through the narrow operators to the consumer
// (a cache, a shuffle writer, an action). Each hop is one virtual call per
// batch; the user's function runs over the batch inlined.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "brasa/util/size_estimate.h"

namespace brasa {

// Records per batch: big enough to make the per-batch call cost vanish,
// small enough to stay in L2.
inline constexpr size_t kBatchSize = 4096;

// Bytes that can be read from the start of every view of up to 16 bytes
// passed to Sink::push_views: a short word loads as two 8-byte words
// (hash_padded, PaddedView).
inline constexpr size_t kViewPadding = 16;

// Thrown inside a task whose job was cancelled.
class TaskCancelled : public std::runtime_error {
 public:
  TaskCancelled() : std::runtime_error("task cancelled") {}
};
// Throws TaskCancelled when the calling task's job is being cancelled.
// Sources call it between batches, so that a cancelled job stops soon.
void check_cancelled();

// Bytes of cached records that operators copied because they cannot read
// them in place, in this process since it started: what reading cached data
// costs beyond reading it. Benchmarks report it per iteration.
size_t cached_bytes_copied();
void add_cached_bytes_copied(size_t bytes);
// True on a thread while it lends a cached block (RDDNode::iterate).
inline thread_local bool lending_cached_block = false;

template <class T> class Sink {
 public:
  virtual ~Sink() = default;
  // One batch. The producer owns the storage and reuses it after the call
  // returns; the consumer may move elements out of it.
  virtual void push(std::span<T> batch) = 0;
  // A batch lent read-only (a cached block, read in place). By default it
  // is copied and the copy pushed; consumers that only read records
  // override this, so that reading a cached partition copies nothing.
  virtual void push_borrowed(std::span<const T> batch) {
    std::vector<T> copy(batch.begin(), batch.end());
    if (lending_cached_block) {
      size_t bytes = 0;
      for (const T& r : copy) bytes += approx_bytes(r);
      add_cached_bytes_copied(bytes);
    }
    push(copy);
  }
  // True when push_views is cheaper than push for this consumer: a map over
  // words builds its own records from them, and count_by_value looks them
  // up, so no string need be made for the batch (flat_map over
  // brasa::words asks).
  virtual bool takes_views() const { return false; }
  // A batch of std::string records lent as views into text that lives for
  // the call. kViewPadding bytes can be read from the start of each view of
  // up to 16 bytes (what lies past its end is any bytes: mask them). Only
  // called when takes_views(); by default the strings are made and pushed.
  virtual void push_views(std::span<const std::string_view> views) {
    if constexpr (std::is_same_v<T, std::string>) {
      std::vector<std::string> made(views.begin(), views.end());
      push(made);
    } else {
      throw std::logic_error("push_views: a sink of records that are not strings");
    }
  }
  // True once the consumer needs no more records (take, first): producers
  // check it between batches and stop early.
  virtual bool stopped() const { return false; }
};

// A consumer that only reads records: one read(std::span<const T>) serves
// owned and lent batches alike.
template <class T, class Derived> class ReadingSink : public Sink<T> {
 public:
  void push(std::span<T> batch) final { static_cast<Derived*>(this)->read(std::span<const T>(batch)); }
  void push_borrowed(std::span<const T> batch) final { static_cast<Derived*>(this)->read(batch); }
};

// Collects every record into a vector.
template <class T> class VectorSink final : public Sink<T> {
 public:
  explicit VectorSink(std::vector<T>& out) : out_(out) {}
  void push(std::span<T> batch) override {
    out_.insert(out_.end(), std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  }
  void push_borrowed(std::span<const T> batch) override { out_.insert(out_.end(), batch.begin(), batch.end()); }

 private:
  std::vector<T>& out_;
};

// Collects every record into one vector of exactly their number, for a
// cached block. Records gather in chunks first: growing one vector through
// its doublings and then trimming it held up to 2.7 times the partition at
// once. Chunks grow to 64 MB, which the allocator maps and unmaps directly,
// so each one returns to the system as soon as take() has moved it.
template <class T> class ChunkedSink final : public Sink<T> {
 public:
  void push(std::span<T> batch) override { append(batch.begin(), batch.end()); }
  void push_borrowed(std::span<const T> batch) override { append(batch.begin(), batch.end()); }
  std::vector<T> take() {
    std::vector<T> out;
    out.reserve(size_);
    for (auto& chunk : chunks_) {
      out.insert(out.end(), std::make_move_iterator(chunk.begin()), std::make_move_iterator(chunk.end()));
      std::vector<T>().swap(chunk);
    }
    chunks_.clear();
    size_ = 0;
    return out;
  }

 private:
  // Moves records from a mutable batch, copies them from a lent one.
  template <class It> void append(It begin, It end) {
    size_t size = static_cast<size_t>(end - begin);
    size_ += size;
    for (size_t i = 0; i < size;) {
      if (chunks_.empty() || chunks_.back().size() == chunks_.back().capacity()) {
        size_t last = chunks_.empty() ? 0 : chunks_.back().capacity();
        chunks_.emplace_back().reserve(std::max<size_t>(1, std::min(std::max(2 * last, kBatchSize), kMaxChunk)));
      }
      auto& chunk = chunks_.back();
      size_t n = std::min(size - i, chunk.capacity() - chunk.size());
      chunk.insert(chunk.end(), std::make_move_iterator(begin + i), std::make_move_iterator(begin + i + n));
      i += n;
    }
  }

  static constexpr size_t kMaxChunk = (size_t{64} << 20) / sizeof(T);  // records
  std::vector<std::vector<T>> chunks_;
  size_t size_ = 0;
};

// Lends the records of a vector that must stay intact (a cached block, a
// parallelized collection) in batches; consumers read them in place or copy.
template <class T> void push_lent(const std::vector<T>& data, Sink<T>& out) {
  for (size_t i = 0; i < data.size() && !out.stopped(); i += kBatchSize) {
    check_cancelled();
    size_t n = std::min(kBatchSize, data.size() - i);
    out.push_borrowed(std::span<const T>(data.data() + i, n));
  }
}

// Pushes the records of a vector the caller no longer needs.
template <class T> void push_owned(std::vector<T>& data, Sink<T>& out) {
  for (size_t i = 0; i < data.size() && !out.stopped(); i += kBatchSize) {
    check_cancelled();
    size_t n = std::min(kBatchSize, data.size() - i);
    out.push(std::span<T>(data.data() + i, n));
  }
}

// Accumulates records one at a time and pushes them in full batches.
template <class T> class BatchWriter {
 public:
  explicit BatchWriter(Sink<T>& out) : out_(out) { buf_.reserve(kBatchSize); }
  template <class U> void emit(U&& v) {
    buf_.emplace_back(std::forward<U>(v));
    if (buf_.size() == kBatchSize) flush();
  }
  void flush() {
    check_cancelled();
    if (!buf_.empty()) {
      out_.push(buf_);
      buf_.clear();
    }
  }
  bool stopped() const { return out_.stopped(); }

 private:
  Sink<T>& out_;
  std::vector<T> buf_;
};

}  // namespace brasa
