// Keeps persisted partitions under a memory budget. Blocks live as objects
// (deserialized levels) or encoded bytes in memory, or as files in the local
// directory. When memory runs out, the least recently used blocks are
// evicted: to disk if their level allows it, dropped otherwise (and later
// recomputed from lineage, as Spark does). Files are written without the
// lock held, so that other tasks' reads and puts do not wait for the disk;
// a block being written stays readable from memory until it is on disk.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "brasa/storage/storage_level.h"

namespace brasa {

struct BlockId {
  int rdd_id;
  int partition;
  auto operator<=>(const BlockId&) const = default;
  std::string name() const;  // "rdd_3_7"
};

// A task's plan was cut at a cached RDD (its lineage left out, see
// PlanWriter::cut_at) and this process does not hold the block: the
// scheduler runs the job again with the lineage.
class BlockMissing : public std::runtime_error {
 public:
  explicit BlockMissing(BlockId id);  // out of line: thrown from templates in every program
  BlockId id;
};

class BlockManager {
 public:
  // Writes a block's objects to a file (atomically, as write_file_atomic),
  // for eviction to disk.
  using FileWriter = std::function<void(const void* objects, const std::filesystem::path& file)>;

  struct Found {
    std::shared_ptr<const void> objects;     // a const std::vector<T>, or
    std::shared_ptr<const std::string> bytes;  // the encoded records, or
    std::filesystem::path file;              // a file of encoded records (on disk)
  };

  BlockManager(size_t memory_budget, std::filesystem::path local_dir);
  ~BlockManager();

  void put_objects(BlockId id, StorageLevel level, std::shared_ptr<const void> objects, size_t bytes,
                   FileWriter write);
  void put_bytes(BlockId id, StorageLevel level, std::string bytes);
  std::optional<Found> get(BlockId id);

  void remove(BlockId id);
  // Forgets a block whose file could not be read (logged); it is recomputed.
  void lost(BlockId id, const std::string& why);
  void remove_rdd(int rdd_id);
  bool contains(BlockId id) const;
  // Called with each RDD removed by remove_rdd (the driver tells executors).
  void set_on_remove_rdd(std::function<void(int)> hook);
  // Called (outside the lock, on the thread that changed it) whenever a
  // block is stored, moves to disk or goes: its bytes in memory and on disk,
  // both 0 once gone. The web UI's storage page is built from these.
  using UpdateHook = std::function<void(BlockId, size_t memory, size_t disk)>;
  void set_on_update(UpdateHook hook);

  size_t memory_used() const;
  size_t memory_budget() const { return budget_; }
  const std::filesystem::path& local_dir() const { return dir_; }

 private:
  struct Entry {
    StorageLevel level;
    std::shared_ptr<const void> objects;
    std::shared_ptr<const std::string> bytes;
    FileWriter write;
    size_t memory = 0;  // bytes counted against the budget; 0 when on disk
    bool on_disk = false;
    bool writing = false;  // in memory, being written to `file` (not in lru_)
    std::filesystem::path file;  // when on disk or writing
    std::list<BlockId>::iterator lru;
  };
  // A block to write to disk once the lock is released.
  struct Write {
    BlockId id;
    std::filesystem::path file;
    std::shared_ptr<const void> objects;
    std::shared_ptr<const std::string> bytes;
    FileWriter write;
  };

  // Inserts under the lock, then writes what has to go to disk.
  void put(BlockId id, Entry e);
  void insert_locked(BlockId id, Entry e, std::vector<Write>& writes);
  void make_room_locked(size_t need, BlockId keep, std::vector<Write>& writes);
  // Marks a block in memory for writing to disk; the write happens in
  // write_out(), outside the lock, and the memory is released after it.
  Write start_write_locked(BlockId id, Entry& e);
  void write_out(std::vector<Write>& writes);
  void erase_locked(std::map<BlockId, Entry>::iterator it);
  std::filesystem::path new_file_of(BlockId id);  // unique per write

  const size_t budget_;
  const std::filesystem::path dir_;
  mutable std::mutex mu_;
  std::map<BlockId, Entry> blocks_;
  std::list<BlockId> lru_;  // front = most recently used, among blocks in memory
  size_t used_ = 0;     // includes blocks being written out
  size_t writing_ = 0;  // of which being written out (freed once on disk)
  uint64_t next_file_ = 0;
  std::function<void(int)> on_remove_rdd_;
  // Changes made under the lock, for the update hook once it is released.
  struct Update {
    BlockId id;
    size_t memory, disk;
  };
  std::vector<Update> updates_;
  UpdateHook on_update_;
  void note_locked(BlockId id, size_t memory, size_t disk);
  void deliver_updates();  // without the lock
};

}  // namespace brasa
