#include "brasa/storage/block_manager.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "brasa/util/files.h"

namespace brasa {

BlockMissing::BlockMissing(BlockId id)
    : std::runtime_error("cached block " + id.name() + " is not here and its lineage was not shipped"), id(id) {}

std::string BlockId::name() const { return "rdd_" + std::to_string(rdd_id) + "_" + std::to_string(partition); }

BlockManager::BlockManager(size_t memory_budget, std::filesystem::path local_dir)
    : budget_(memory_budget), dir_(std::move(local_dir) / "blocks") {
  std::filesystem::create_directories(dir_);
}

BlockManager::~BlockManager() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::filesystem::path BlockManager::new_file_of(BlockId id) {
  return dir_ / (id.name() + "." + std::to_string(next_file_++));
}

void BlockManager::put_objects(BlockId id, StorageLevel level, std::shared_ptr<const void> objects, size_t bytes,
                               FileWriter write) {
  Entry e;
  e.level = level;
  e.objects = std::move(objects);
  e.write = std::move(write);
  e.memory = bytes;
  put(id, std::move(e));
}

void BlockManager::put_bytes(BlockId id, StorageLevel level, std::string bytes) {
  Entry e;
  e.level = level;
  e.memory = bytes.size();
  e.bytes = std::make_shared<const std::string>(std::move(bytes));
  put(id, std::move(e));
}

void BlockManager::put(BlockId id, Entry e) {
  std::vector<Write> writes;
  {
    std::lock_guard lock(mu_);
    insert_locked(id, std::move(e), writes);
  }
  write_out(writes);
  deliver_updates();
}

void BlockManager::note_locked(BlockId id, size_t memory, size_t disk) {
  if (on_update_) updates_.push_back({id, memory, disk});
}

void BlockManager::deliver_updates() {
  std::vector<Update> updates;
  UpdateHook hook;
  {
    std::lock_guard lock(mu_);
    if (updates_.empty()) return;
    updates.swap(updates_);
    hook = on_update_;
  }
  for (const Update& u : updates) hook(u.id, u.memory, u.disk);
}

void BlockManager::set_on_update(UpdateHook hook) {
  std::lock_guard lock(mu_);
  on_update_ = std::move(hook);
}

void BlockManager::insert_locked(BlockId id, Entry e, std::vector<Write>& writes) {
  if (auto it = blocks_.find(id); it != blocks_.end()) erase_locked(it);
  // Never evict for a block that cannot fit or is not to stay in memory.
  if (e.level.use_memory && e.memory <= budget_) make_room_locked(e.memory, id, writes);
  if (!e.level.use_memory || used_ - writing_ + e.memory > budget_) {
    if (!e.level.use_disk) {
      spdlog::warn("not enough storage memory to cache {} ({} bytes, budget {}); it will be recomputed",
                   id.name(), e.memory, budget_);
      return;
    }
    if (e.level.use_memory)
      spdlog::debug("block {} ({} bytes) does not fit in memory; writing it to disk", id.name(), e.memory);
    used_ += e.memory;  // until it is written
    auto& placed = blocks_.emplace(id, std::move(e)).first->second;
    writes.push_back(start_write_locked(id, placed));
    return;
  }
  used_ += e.memory;
  lru_.push_front(id);
  e.lru = lru_.begin();
  note_locked(id, e.memory, 0);
  blocks_.emplace(id, std::move(e));
}

void BlockManager::make_room_locked(size_t need, BlockId keep, std::vector<Write>& writes) {
  while (used_ - writing_ + need > budget_ && !lru_.empty()) {
    BlockId victim = lru_.back();
    if (victim == keep) break;
    auto it = blocks_.find(victim);
    Entry& e = it->second;
    if (e.level.use_disk) {
      lru_.pop_back();
      writes.push_back(start_write_locked(victim, e));
      continue;
    }
    spdlog::debug("evicting {} from memory (dropped; recomputed from lineage when needed)", victim.name());
    erase_locked(it);
  }
}

BlockManager::Write BlockManager::start_write_locked(BlockId id, Entry& e) {
  e.writing = true;
  writing_ += e.memory;
  e.file = new_file_of(id);
  e.lru = lru_.end();
  return Write{id, e.file, e.objects, e.bytes, e.write};
}

// Writes each block's file, then moves the block to disk, unless it was
// removed or replaced meanwhile (then the file goes). A block that cannot be
// written is dropped from the cache (recomputed when needed).
void BlockManager::write_out(std::vector<Write>& writes) {
  for (auto& w : writes) {
    std::string error;
    try {
      if (w.bytes)
        write_file_atomic(w.file, *w.bytes);
      else
        w.write(w.objects.get(), w.file);
    } catch (const std::exception& ex) {
      error = ex.what();
    }
    std::lock_guard lock(mu_);
    auto it = blocks_.find(w.id);
    bool current = it != blocks_.end() && it->second.writing && it->second.file == w.file;
    if (!current) {
      std::error_code ec;
      std::filesystem::remove(w.file, ec);
      continue;
    }
    Entry& e = it->second;
    used_ -= e.memory;
    writing_ -= e.memory;
    e.memory = 0;
    e.writing = false;
    e.objects.reset();
    e.bytes.reset();
    if (error.empty()) {
      e.on_disk = true;
      std::error_code ec;
      const auto size = std::filesystem::file_size(w.file, ec);
      note_locked(w.id, 0, ec ? 0 : static_cast<size_t>(size));
    } else {
      spdlog::warn("cannot write {} to disk ({}); dropping it from the cache", w.id.name(), error);
      note_locked(w.id, 0, 0);
      blocks_.erase(it);
    }
  }
}

std::optional<BlockManager::Found> BlockManager::get(BlockId id) {
  std::unique_lock lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return std::nullopt;
  Entry& e = it->second;
  if (e.on_disk) return Found{nullptr, nullptr, e.file};
  if (!e.writing) lru_.splice(lru_.begin(), lru_, e.lru);
  return Found{e.objects, e.bytes, {}};
}

void BlockManager::erase_locked(std::map<BlockId, Entry>::iterator it) {
  Entry& e = it->second;
  note_locked(it->first, 0, 0);
  if (e.on_disk) {
    std::error_code ec;
    std::filesystem::remove(e.file, ec);
  } else {
    used_ -= e.memory;
    if (e.writing)
      writing_ -= e.memory;  // write_out() removes its file
    else
      lru_.erase(e.lru);
  }
  blocks_.erase(it);
}

void BlockManager::lost(BlockId id, const std::string& why) {
  spdlog::warn("lost disk block {}: {}; recomputing it", id.name(), why);
  remove(id);
}

void BlockManager::remove(BlockId id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = blocks_.find(id); it != blocks_.end()) erase_locked(it);
  }
  deliver_updates();
}

void BlockManager::remove_rdd(int rdd_id) {
  std::function<void(int)> hook;
  {
    std::lock_guard lock(mu_);
    auto it = blocks_.lower_bound(BlockId{rdd_id, 0});
    while (it != blocks_.end() && it->first.rdd_id == rdd_id) erase_locked(it++);
    hook = on_remove_rdd_;
  }
  deliver_updates();
  if (hook) hook(rdd_id);
}

void BlockManager::set_on_remove_rdd(std::function<void(int)> hook) {
  std::lock_guard lock(mu_);
  on_remove_rdd_ = std::move(hook);
}

bool BlockManager::contains(BlockId id) const {
  std::lock_guard lock(mu_);
  return blocks_.count(id) != 0;
}

size_t BlockManager::memory_used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace brasa
