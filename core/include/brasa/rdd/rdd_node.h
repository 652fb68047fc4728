// The typed node of the lineage graph. A node computes one partition by
// pushing batches of records into a Sink; iterate() wraps compute() with the
// persistence and checkpoint logic, as Spark's RDD.iterator does.
//
// Writing your own operator (how graphx and mllib add theirs): derive from
// RDDNode<T>, or from UnaryNode<In, T> when partition p is computed from
// partition p of one parent, and give it
//
//   void compute(int p, Sink<T>& out) override;  // push batches into out;
//        // read a parent with parent->iterate(p, sink) (batches, cached ones
//        // lent in place) or parent->read_partition(p) (the whole partition)
//   std::vector<Dependency> lineage() const override;  // {parent, nullptr} per
//        // narrow parent (UnaryNode has these two already)
//   void drop_parents() override;                // forget parents (checkpoint)
//   void write_plan(PlanWriter& w) const override {
//     w.begin<MyNode>();        // the type key, registered by this call
//     w.node(*parent_);         // each parent, then fields and closures:
//     w(k_); w.closure(f_);
//   }
//   static std::shared_ptr<RDDBase> rebuild(PlanReader& r);  // reads them back,
//        // in the same order, in an executor: r.node<In>(), r.read<int>(), ...
//
// and wrap it: RDD<T>(std::make_shared<MyNode>(...)). Executors run the same
// binary, so every node type the driver builds can be rebuilt there; fields
// must be serializable (util/serializer.h) and closures shippable
// (util/closure.h). tests/core/custom_node_test.cc is a complete example.
#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/invoke.h"
#include "brasa/rdd/plan.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/util/sink.h"
#include "brasa/runtime.h"
#include "brasa/storage/block_manager.h"
#include "brasa/util/files.h"
#include "brasa/util/serializer.h"
#include "brasa/util/size_estimate.h"

namespace brasa {

// dir/part-NNNNN: where partition p of a checkpoint (or saved file) is.
std::string checkpoint_file(const std::string& dir, int partition);

// A whole partition held for reading: the task's own vector, or a cached
// block lent in place (kept alive while held, even if evicted meanwhile).
template <class T> class Partition {
 public:
  explicit Partition(std::vector<T> owned) : owned_(std::move(owned)), data_(&owned_) {}
  explicit Partition(std::shared_ptr<const std::vector<T>> lent) : lent_(std::move(lent)), data_(lent_.get()) {}
  Partition(Partition&& o) noexcept
      : owned_(std::move(o.owned_)), lent_(std::move(o.lent_)), data_(lent_ ? lent_.get() : &owned_) {}
  Partition& operator=(Partition&&) = delete;

  bool is_lent() const { return lent_ != nullptr; }
  const std::vector<T>& get() const { return *data_; }
  // The records to keep: moved out when owned, copied when lent.
  std::vector<T> take() { return lent_ ? *lent_ : std::move(owned_); }

 private:
  std::vector<T> owned_;
  std::shared_ptr<const std::vector<T>> lent_;
  const std::vector<T>* data_;
};

// Calls f(args..., partition): by const reference when the partition is
// lent and f can read it so (a `const std::vector<T>&` or
// `std::span<const T>` parameter), moved otherwise (a copy when lent).
template <class F, class T, class... Args> decltype(auto) call_on_partition(F& f, Partition<T>& part, Args&&... args) {
  if constexpr (kSafelyCallable<F, Args..., const std::vector<T>&>) {
    if (part.is_lent()) return f(std::forward<Args>(args)..., part.get());
  }
  return f(std::forward<Args>(args)..., part.take());
}

template <class T> class RDDNode : public RDDBase {
 public:
  using RDDBase::RDDBase;
  using value_type = T;

  // Produces partition `p` into `out`, from the cache or checkpoint if
  // possible, computing (and caching) it otherwise.
  void iterate(int p, Sink<T>& out);

  // Produces partition `p` from the parents.
  virtual void compute(int p, Sink<T>& out) = 0;

  // Materialises partition p as a vector (for actions and wide operations).
  std::vector<T> materialize(int p) {
    std::vector<T> data;
    VectorSink<T> sink(data);
    iterate(p, sink);
    return data;
  }

  // Partition p whole, for operators that need all of it at once: the
  // cached block itself when p is cached as objects in memory (no copy),
  // computed (and cached) otherwise.
  Partition<T> read_partition(int p);

  void write_checkpointed_plan(PlanWriter& w) const override;
  void write_cached_plan(PlanWriter& w) const override;

 private:
  // Partition p of a persisted RDD from the block manager, computing and
  // caching it when missing. Returns the block to lend when it is kept as
  // objects in memory (or when `out` is null); otherwise pushes the records
  // into `out` and returns null.
  std::shared_ptr<const std::vector<T>> cached(int p, Sink<T>* out);

  static std::string encode(const std::vector<T>& data) {
    ByteWriter w;
    write_records(w, data);
    return std::move(w.bytes());
  }
  // Writes records as encode() does, without a copy of bitwise records.
  static void write_file(const std::vector<T>& data, const std::filesystem::path& file) {
    if constexpr (kBitwise<T>) {
      ByteWriter header;
      header.write_size(data.size());
      std::string_view pieces[] = {header.bytes(),
                                   {reinterpret_cast<const char*>(data.data()), data.size() * sizeof(T)}};
      write_file_atomic(file, pieces);
    } else {
      write_file_atomic(file, encode(data));
    }
  }
  std::vector<T> read_checkpoint(int p) const { return decode(read_file(checkpoint_file(checkpoint_dir(), p))); }
  static std::vector<T> decode(const std::string& bytes) {
    ByteReader r(bytes);
    return read_records<T>(r);
  }
  // The records of a block on disk. Bitwise records are read a batch at a
  // time straight into the batch (no buffer of the whole block); others are
  // decoded from the whole file.
  static void push_file(SequentialFile& file, Sink<T>& out) {
    if constexpr (kBitwise<T> && std::is_default_constructible_v<T>) {
      uint64_t n = 0;  // the record count, LEB128 as ByteWriter::write_size writes it
      for (int shift = 0;; shift += 7) {
        uint8_t b;
        if (shift >= 64 || file.read(&b, 1) != 1) throw std::runtime_error("corrupt block file " + file.path().string());
        n |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
      }
      std::vector<T> batch(std::min<uint64_t>(n, kBatchSize));
      for (uint64_t done = 0; done < n && !out.stopped();) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(n - done, kBatchSize));
        if (file.read(batch.data(), want * sizeof(T)) != want * sizeof(T))
          throw std::runtime_error("block file " + file.path().string() + " ends early");
        out.push(std::span<T>(batch.data(), want));
        done += want;
      }
    } else {
      auto data = decode(file.read_rest());
      push_owned(data, out);
    }
  }
};

template <class T> using NodePtr = std::shared_ptr<RDDNode<T>>;

// A sink that forwards "stopped" from the sink downstream of it.
template <class In, class Out> class ForwardingSink : public Sink<In> {
 public:
  explicit ForwardingSink(Sink<Out>& out) : out_(out) {}
  bool stopped() const override { return out_.stopped(); }

 protected:
  Sink<Out>& out_;
};

// A node with one parent whose partition p it computes from partition p of
// the parent (the common shape of narrow operators).
template <class In, class Out> class UnaryNode : public RDDNode<Out> {
 public:
  UnaryNode(NodePtr<In> parent, std::string op, const CallSite& site, bool keeps_partitioner)
      : RDDNode<Out>(parent->runtime_ptr(), parent->num_partitions(), std::move(op), site),
        parent_(std::move(parent)) {
    if (keeps_partitioner) this->set_partitioner(parent_->partitioner());
  }

 protected:
  std::vector<Dependency> lineage() const override { return {{parent_, nullptr}}; }
  void drop_parents() override { parent_.reset(); }

  NodePtr<In> parent_;
};

// A checkpointed RDD as rebuilt in an executor: iterate() reads the files.
template <class T> class CheckpointedNode final : public RDDNode<T> {
 public:
  CheckpointedNode(std::shared_ptr<Runtime> rt, int n) : RDDNode<T>(std::move(rt), n, "checkpoint", CallSite{}) {}
  void compute(int p, Sink<T>&) override {
    throw std::logic_error("checkpointed partition " + std::to_string(p) + " was not read from its file");
  }
  static void write_plan_of(PlanWriter& w, int num_partitions) {
    w.begin<CheckpointedNode>();
    w(num_partitions);
  }
  void write_plan(PlanWriter& w) const override { write_plan_of(w, this->num_partitions()); }
  void write_checkpointed_plan(PlanWriter& w) const override { write_plan(w); }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return std::make_shared<CheckpointedNode>(r.runtime(), r.read<int>());
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}
};

// A persisted RDD as rebuilt from a plan cut at its cache: iterate() reads
// its blocks; a block that is not here cannot be computed (BlockMissing).
template <class T> class CachedBlockNode final : public RDDNode<T> {
 public:
  CachedBlockNode(std::shared_ptr<Runtime> rt, int n) : RDDNode<T>(std::move(rt), n, "cached", CallSite{}) {}
  void compute(int p, Sink<T>&) override { throw BlockMissing(BlockId{this->id(), p}); }
  static void write_plan_of(PlanWriter& w, int num_partitions) {
    w.begin<CachedBlockNode>();
    w(num_partitions);
  }
  void write_plan(PlanWriter& w) const override { write_plan_of(w, this->num_partitions()); }
  void write_checkpointed_plan(PlanWriter& w) const override { write_plan(w); }
  void write_cached_plan(PlanWriter& w) const override { write_plan(w); }
  static std::shared_ptr<RDDBase> rebuild(PlanReader& r) {
    return std::make_shared<CachedBlockNode>(r.runtime(), r.read<int>());
  }

 protected:
  std::vector<Dependency> lineage() const override { return {}; }
  void drop_parents() override {}
};

template <class T> void RDDNode<T>::write_checkpointed_plan(PlanWriter& w) const {
  CheckpointedNode<T>::write_plan_of(w, this->num_partitions());
}

template <class T> void RDDNode<T>::write_cached_plan(PlanWriter& w) const {
  CachedBlockNode<T>::write_plan_of(w, this->num_partitions());
}

// A persisted RDD reads its cache first, then (when also checkpointed) its
// checkpoint file, and computes the partition only when it has neither.
template <class T> void RDDNode<T>::iterate(int p, Sink<T>& out) {
  if (storage_level().is_valid()) {
    if (auto lent = cached(p, &out)) {
      struct Lending {  // restores the flag on exceptions too
        bool was = std::exchange(lending_cached_block, true);
        ~Lending() { lending_cached_block = was; }
      } lending;
      push_lent(*lent, out);
    }
  } else if (is_checkpointed()) {
    auto data = read_checkpoint(p);
    push_owned(data, out);
  } else {
    compute(p, out);
  }
}

template <class T> Partition<T> RDDNode<T>::read_partition(int p) {
  if (storage_level().is_valid())
    if (auto lent = cached(p, nullptr)) return Partition<T>(std::move(lent));
  return Partition<T>(materialize(p));
}

template <class T>
std::shared_ptr<const std::vector<T>> RDDNode<T>::cached(int p, Sink<T>* out) {
  StorageLevel level = storage_level();
  BlockManager& bm = runtime().block_manager();
  BlockId block{id(), p};
  // Records decoded from bytes or a file: lent when asked for the block,
  // pushed otherwise.
  auto deliver = [out](std::vector<T> data) -> std::shared_ptr<const std::vector<T>> {
    if (!out) return std::make_shared<const std::vector<T>>(std::move(data));
    push_owned(data, *out);
    return nullptr;
  };
  if (auto found = bm.get(block)) {
    if (found->objects) return std::static_pointer_cast<const std::vector<T>>(found->objects);
    if (found->bytes) return deliver(decode(*found->bytes));
    std::optional<SequentialFile> file;
    try {
      file.emplace(found->file);
    } catch (const std::exception& ex) {
      bm.lost(block, ex.what());  // recomputed below
    }
    if (file && !out) return deliver(decode(file->read_rest()));
    if (file) {
      push_file(*file, *out);
      return nullptr;
    }
  }
  if (is_local_checkpointed())
    throw std::runtime_error("block " + block.name() + " of " + name() +
                             " is lost, and a local checkpoint cannot be recomputed (its executor died or the block "
                             "was removed); use checkpoint(dir) for data that must survive the loss of an executor");
  std::vector<T> data;
  if (is_checkpointed()) {
    data = read_checkpoint(p);
  } else {
    ChunkedSink<T> collect;
    compute(p, collect);
    data = collect.take();
  }
  if (level.deserialized) {
    auto shared = std::make_shared<const std::vector<T>>(std::move(data));
    bm.put_objects(block, level, shared, approx_bytes(*shared), [](const void* v, const std::filesystem::path& file) {
      write_file(*static_cast<const std::vector<T>*>(v), file);
    });
    return shared;
  }
  bm.put_bytes(block, level, encode(data));
  return deliver(std::move(data));
}

}  // namespace brasa
