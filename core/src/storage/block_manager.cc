#include "brasa/storage/block_manager.h"

#include <spdlog/spdlog.h>

#include <system_error>

#include "brasa/util/files.h"

namespace brasa {

std::string BlockId::name() const { return "rdd_" + std::to_string(rdd_id) + "_" + std::to_string(partition); }

BlockManager::BlockManager(size_t memory_budget, std::filesystem::path local_dir)
    : budget_(memory_budget), dir_(std::move(local_dir) / "blocks") {
  std::filesystem::create_directories(dir_);
}

BlockManager::~BlockManager() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::filesystem::path BlockManager::file_of(BlockId id) const { return dir_ / id.name(); }

void BlockManager::put_objects(BlockId id, StorageLevel level, std::shared_ptr<const void> objects, size_t bytes,
                               FileWriter write) {
  Entry e;
  e.level = level;
  e.objects = std::move(objects);
  e.write = std::move(write);
  e.memory = bytes;
  std::lock_guard lock(mu_);
  insert_locked(id, std::move(e));
}

void BlockManager::put_bytes(BlockId id, StorageLevel level, std::string bytes) {
  Entry e;
  e.level = level;
  e.memory = bytes.size();
  e.bytes = std::make_shared<const std::string>(std::move(bytes));
  std::lock_guard lock(mu_);
  insert_locked(id, std::move(e));
}

void BlockManager::insert_locked(BlockId id, Entry e) {
  if (auto it = blocks_.find(id); it != blocks_.end()) erase_locked(it);
  if (!e.level.use_memory) {  // DISK_ONLY: straight to a file
    write_file_atomic(file_of(id), *e.bytes);
    e.bytes.reset();
    e.memory = 0;
    e.on_disk = true;
    e.lru = lru_.end();
    blocks_.emplace(id, std::move(e));
    return;
  }
  if (e.memory <= budget_) make_room_locked(e.memory, id);  // never evict for a block that cannot fit
  if (used_ + e.memory > budget_) {
    if (e.level.use_disk) {
      spdlog::debug("block {} ({} bytes) does not fit in memory; writing it to disk", id.name(), e.memory);
      evict_locked(id, e);
      e.lru = lru_.end();
      blocks_.emplace(id, std::move(e));
    } else {
      spdlog::warn("not enough storage memory to cache {} ({} bytes, budget {}); it will be recomputed",
                   id.name(), e.memory, budget_);
    }
    return;
  }
  used_ += e.memory;
  lru_.push_front(id);
  e.lru = lru_.begin();
  blocks_.emplace(id, std::move(e));
}

void BlockManager::make_room_locked(size_t need, BlockId keep) {
  while (used_ + need > budget_ && !lru_.empty()) {
    BlockId victim = lru_.back();
    if (victim == keep) break;
    auto it = blocks_.find(victim);
    Entry& e = it->second;
    if (e.level.use_disk) {
      try {
        size_t freed = e.memory;
        evict_locked(victim, e);  // writes the file first; state changes only on success
        lru_.pop_back();
        used_ -= freed;
        e.lru = lru_.end();
        continue;
      } catch (const std::exception& ex) {
        spdlog::warn("cannot spill {} to disk ({}); dropping it from the cache", victim.name(), ex.what());
      }
    } else {
      spdlog::debug("evicting {} from memory (dropped; recomputed from lineage when needed)", victim.name());
    }
    erase_locked(it);
  }
}

// Moves a block's data to its file and releases the memory.
void BlockManager::evict_locked(BlockId id, Entry& e) {
  if (e.bytes)
    write_file_atomic(file_of(id), *e.bytes);
  else
    e.write(e.objects.get(), file_of(id));
  e.objects.reset();
  e.bytes.reset();
  e.memory = 0;
  e.on_disk = true;
}

std::optional<BlockManager::Found> BlockManager::get(BlockId id) {
  std::unique_lock lock(mu_);
  auto it = blocks_.find(id);
  if (it == blocks_.end()) return std::nullopt;
  Entry& e = it->second;
  if (!e.on_disk) {
    lru_.splice(lru_.begin(), lru_, e.lru);
    return Found{e.objects, e.bytes, {}};
  }
  return Found{nullptr, nullptr, file_of(id)};
}

void BlockManager::erase_locked(std::map<BlockId, Entry>::iterator it) {
  if (it->second.on_disk) {
    std::error_code ec;
    std::filesystem::remove(file_of(it->first), ec);
  } else {
    used_ -= it->second.memory;
    lru_.erase(it->second.lru);
  }
  blocks_.erase(it);
}

void BlockManager::lost(BlockId id, const std::string& why) {
  spdlog::warn("lost disk block {}: {}; recomputing it", id.name(), why);
  remove(id);
}

void BlockManager::remove(BlockId id) {
  std::lock_guard lock(mu_);
  if (auto it = blocks_.find(id); it != blocks_.end()) erase_locked(it);
}

void BlockManager::remove_rdd(int rdd_id) {
  std::function<void(int)> hook;
  {
    std::lock_guard lock(mu_);
    auto it = blocks_.lower_bound(BlockId{rdd_id, 0});
    while (it != blocks_.end() && it->first.rdd_id == rdd_id) erase_locked(it++);
    hook = on_remove_rdd_;
  }
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
