// The untyped part of an RDD node: identity, partition count, dependencies,
// partitioner, persistence and checkpoint state. The scheduler works only
// with this interface; the typed data path is in rdd_node.h.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "brasa/rdd/partitioner.h"
#include "brasa/storage/storage_level.h"

namespace brasa {

class Runtime;
class RDDBase;
class ShuffleDependencyBase;
class PlanWriter;
class ByteWriter;

// Where in the user's program an RDD or action was created ("wordcount.cc:42"):
// std::source_location's file and line, from the builtins GCC and Clang share
// (Clang 14 has no std::source_location with Debian 12's libstdc++).
class CallSite {
 public:
  constexpr CallSite() = default;
  static constexpr CallSite current(const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    CallSite site;
    site.file_ = file;
    site.line_ = line;
    return site;
  }
  constexpr const char* file_name() const { return file_; }
  constexpr int line() const { return line_; }

 private:
  const char* file_ = "";
  int line_ = 0;
};
std::string describe(const CallSite& site);

// An edge of the lineage graph. Narrow: each partition of the child needs a
// bounded set of parent partitions, computed in the same task. Shuffle: a
// child partition may need every parent partition; a stage boundary.
struct Dependency {
  std::shared_ptr<RDDBase> rdd;                     // the parent
  std::shared_ptr<ShuffleDependencyBase> shuffle;  // set for a shuffle dependency
  bool is_shuffle() const { return shuffle != nullptr; }
};

class RDDBase : public std::enable_shared_from_this<RDDBase> {
 public:
  RDDBase(std::shared_ptr<Runtime> runtime, int num_partitions, std::string op, const CallSite& site);
  virtual ~RDDBase();
  RDDBase(const RDDBase&) = delete;
  RDDBase& operator=(const RDDBase&) = delete;

  int id() const { return id_; }
  int num_partitions() const { return num_partitions_; }
  Runtime& runtime() const { return *runtime_; }
  const std::shared_ptr<Runtime>& runtime_ptr() const { return runtime_; }

  // "reduce_by_key at wordcount.cc:42", after the name given by set_name.
  std::string name() const;
  const std::string& op() const { return op_; }
  // A name for progress lines, debug strings and the UI (Spark's setName).
  void set_name(std::string name) { user_name_ = std::move(name); }
  const std::string& user_name() const { return user_name_; }

  // The lineage; empty once the RDD is checkpointed.
  std::vector<Dependency> dependencies() const;

  // "reduce at app.cc:20: the RDD (map at app.cc:12) is empty; it reads
  // text_file at app.cc:11": what an action that needs a record says.
  std::string empty_error(const char* action, const CallSite& site) const;

  const std::optional<Partitioner>& partitioner() const { return partitioner_; }
  void set_partitioner(std::optional<Partitioner> p) { partitioner_ = std::move(p); }

  StorageLevel storage_level() const { return storage_level_; }
  void set_storage_level(StorageLevel level);
  void unpersist();
  // Persisted, and every partition is in a block manager.
  bool is_fully_cached() const;

  const std::string& checkpoint_dir() const { return checkpoint_dir_; }
  bool is_checkpointed() const { return !checkpoint_dir_.empty(); }
  // From now on partitions are read from `dir`; the parents (and the shuffle
  // outputs only they kept alive) are released.
  void mark_checkpointed(std::string dir) {
    checkpoint_dir_ = std::move(dir);
    drop_parents();
  }

  // From now on partitions are read only from the block managers, which
  // hold all of them (local_checkpoint); the parents are released. A lost
  // block cannot be recomputed.
  void mark_local_checkpointed() {
    local_checkpointed_ = true;
    drop_parents();
  }
  bool is_local_checkpointed() const { return local_checkpointed_; }

  // Spark-style lineage listing with stage boundaries indented.
  std::string to_debug_string() const;

  // Writes this node's type key, parameters, closures and parents (see
  // plan.h); PlanWriter::node writes the identity fields before it.
  virtual void write_plan(PlanWriter& w) const = 0;
  // The plan of this node once checkpointed: a reader of its files.
  virtual void write_checkpointed_plan(PlanWriter& w) const = 0;
  // The plan of this node cut at its cache: a reader of its blocks.
  virtual void write_cached_plan(PlanWriter& w) const = 0;
  // Gives a node rebuilt from a plan the identity of the driver's node. A
  // rebuilt node does not own the cached blocks it shares with the driver's.
  void restore(int id, std::string op, std::string site, StorageLevel level, std::string checkpoint_dir);
  const std::string& site() const { return site_; }

 protected:
  // The lineage; only called while the RDD is not checkpointed.
  virtual std::vector<Dependency> lineage() const = 0;
  // Releases the references to parents (after a checkpoint).
  virtual void drop_parents() = 0;

 private:
  void debug_string(std::string& out, int depth, bool shuffle_edge, std::vector<int>& seen) const;
  // Post kRddPersisted / kRddUnpersisted (scheduler/event_bus.h).
  void note_persisted() const;
  void note_unpersisted() const;

  std::shared_ptr<Runtime> runtime_;
  int id_;
  int num_partitions_;
  std::string op_;
  std::string site_;
  std::string user_name_;
  std::optional<Partitioner> partitioner_;
  StorageLevel storage_level_;
  std::string checkpoint_dir_;
  bool local_checkpointed_ = false;
  bool rebuilt_ = false;
};

// The work of one task on one partition, as shipped to executors: a map
// task of a shuffle, or the per-partition part of an action. run() writes
// the task's result (if any) in the serializer's encoding.
class TaskBody {
 public:
  virtual ~TaskBody() = default;
  virtual void run(int partition, ByteWriter& result) = 0;
  // Partitions run() accepts: 0 .. num_partitions() - 1.
  virtual int num_partitions() const = 0;
  // Writes the type key, then everything rebuild needs (see plan.h).
  virtual void write_plan(PlanWriter& w) const = 0;
};

// The map side of a shuffle: runs one map task (computing one partition of
// the parent and writing it into per-reducer buckets). Its id names the
// shuffle's outputs in the ShuffleManager, which frees them when the
// dependency (and so every RDD that reads it) is gone.
class ShuffleDependencyBase : public TaskBody {
 public:
  ShuffleDependencyBase(std::shared_ptr<RDDBase> parent, Partitioner partitioner);
  // Rebuilt from a plan in an executor: takes the driver's shuffle id and
  // leaves the outputs in place when destroyed.
  ShuffleDependencyBase(std::shared_ptr<RDDBase> parent, Partitioner partitioner, int shuffle_id);
  ~ShuffleDependencyBase() override;

  int shuffle_id() const { return shuffle_id_; }
  const std::shared_ptr<RDDBase>& parent() const { return parent_; }
  const Partitioner& partitioner() const { return partitioner_; }
  int num_map_partitions() const { return parent_->num_partitions(); }

  virtual void run_map_task(int map_partition) = 0;
  void run(int partition, ByteWriter&) override { run_map_task(partition); }
  int num_partitions() const override { return num_map_partitions(); }

 private:
  std::shared_ptr<RDDBase> parent_;
  Partitioner partitioner_;
  int shuffle_id_;
  bool owner_ = true;
};

}  // namespace brasa
