#include "brasa/shuffle/shuffle_manager.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>

#include "positional_io.h"

namespace brasa {

namespace {

// A host-local file holds an output's buckets, encoded as encode_bucket
// gives them, after a header: the output's key (shuffle id << 32 | map id),
// the number of buckets n, then n + 1 offsets (bucket r is bytes
// [offset r, offset r + 1) of the file).
//
// The files of removed shuffles are kept for reuse: writing into a file's
// pages costs a seventh of allocating fresh ones (23 us against 156 us for
// 456 KB, the size of a PageRank iteration's outputs). A reader that opened
// a file before it was reused finds its key zeroed or changed, and reads
// nothing from it.
constexpr size_t kPooledFiles = 32;
constexpr off_t kPooledFileBytes = off_t{8} << 20;

uint64_t output_key(int shuffle_id, int map_id) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(shuffle_id)) << 32 | static_cast<uint32_t>(map_id)) + 1;
}

class FilePool {
 public:
  // A pooled file in `dir`, renamed to `to` (false: none).
  bool take(const std::string& dir, const std::string& to) {
    std::lock_guard lock(mu_);
    for (size_t i = files_.size(); i-- > 0;)
      if (files_[i].rfind(dir + "/", 0) == 0) {
        std::string from = std::move(files_[i]);
        files_.erase(files_.begin() + static_cast<std::ptrdiff_t>(i));
        if (::rename(from.c_str(), to.c_str()) == 0) return true;
      }
    return false;
  }
  // Keeps the file at `path` for reuse, or deletes it.
  void give(const std::string& dir, const std::string& path) {
    struct stat st {};
    std::lock_guard lock(mu_);
    if (files_.size() < kPooledFiles && ::stat(path.c_str(), &st) == 0 && st.st_size <= kPooledFileBytes) {
      std::string to = dir + "/pooled_" + std::to_string(next_++);
      if (::rename(path.c_str(), to.c_str()) == 0) {
        files_.push_back(std::move(to));
        return;
      }
    }
    ::unlink(path.c_str());
  }

 private:
  std::mutex mu_;
  std::vector<std::string> files_;
  uint64_t next_ = 0;
};

FilePool& file_pool() {
  static FilePool pool;
  return pool;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Writes the file whole or not at all: a reducer must never see half of one.
// Each write has a temporary file of its own (two jobs may compute the same
// map output at once).
void write_host_local_file(const MapOutputBase& output, const std::string& dir, const std::string& path,
                           uint64_t key) {
  static std::atomic<uint64_t> writes{0};
  const std::string tmp = path + ".tmp" + std::to_string(writes++);
  const uint64_t zero = 0;
  Fd f{-1};
  if (file_pool().take(dir, tmp)) {
    f.fd = ::open(tmp.c_str(), O_WRONLY | O_CLOEXEC);
    if (f.fd >= 0 && !pwrite_all(f.fd, reinterpret_cast<const char*>(&zero), sizeof zero, 0)) {
      ::close(f.fd);
      f.fd = -1;
    }
  }
  if (f.fd < 0) f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (f.fd < 0) {
    spdlog::debug("cannot write {}: {}", tmp, std::strerror(errno));
    return;
  }
  bool ok = true;
  try {
    const uint64_t n = output.num_buckets();
    std::vector<uint64_t> header(n + 3);
    header[0] = key;
    header[1] = n;
    off_t at = static_cast<off_t>(header.size() * sizeof(uint64_t));
    for (uint64_t r = 0; r < n && ok; ++r) {
      header[r + 2] = static_cast<uint64_t>(at);
      std::string bucket = output.encode_bucket(r);
      ok = pwrite_all(f.fd, bucket.data(), bucket.size(), at);
      at += static_cast<off_t>(bucket.size());
    }
    header[n + 2] = static_cast<uint64_t>(at);
    ok = ok && ::ftruncate(f.fd, at) == 0 &&
         pwrite_all(f.fd, reinterpret_cast<const char*>(header.data()), header.size() * sizeof(uint64_t), 0);
  } catch (const std::exception& e) {  // reading a spilled bucket back failed: reducers will fetch it
    spdlog::debug("cannot write {}: {}", path, e.what());
    ok = false;
  }
  ok = ::close(f.fd) == 0 && ok;
  f.fd = -1;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    spdlog::debug("cannot write {}: {}; reducers will fetch the output", path, std::strerror(errno));
    ::unlink(tmp.c_str());
  }
}

// Bucket r of a host-local file, if the file is there, whole and still the
// output's.
bool read_host_local_bucket(const std::string& path, uint64_t key, size_t r, std::string& out) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st {};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0) return false;
  const auto size = static_cast<uint64_t>(st.st_size);
  uint64_t head[2] = {0, 0}, range[2] = {0, 0}, key_after = 0;
  if (!pread_all(f.fd, reinterpret_cast<char*>(head), sizeof head, 0) || head[0] != key || r >= head[1] ||
      (r + 4) * sizeof(uint64_t) > size ||
      !pread_all(f.fd, reinterpret_cast<char*>(range), sizeof range, static_cast<off_t>((r + 2) * sizeof(uint64_t))) ||
      range[0] > range[1] || range[1] > size)
    return false;
  out.resize(range[1] - range[0]);
  return pread_all(f.fd, out.data(), out.size(), static_cast<off_t>(range[0])) &&
         pread_all(f.fd, reinterpret_cast<char*>(&key_after), sizeof key_after, 0) && key_after == key;
}

}  // namespace

std::string ShuffleManager::host_local_file(const std::string& dir, int shuffle_id, int map_id) {
  return dir + "/shuffle_" + std::to_string(shuffle_id) + "_" + std::to_string(map_id) + ".data";
}

FetchFailed::FetchFailed(int shuffle_id, int map_id, int executor, const std::string& why)
    : std::runtime_error("fetch of shuffle " + std::to_string(shuffle_id) + " map " + std::to_string(map_id) +
                         " from executor " + std::to_string(executor) + " failed: " + why),
      shuffle_id(shuffle_id),
      map_id(map_id),
      executor(executor) {}

void ShuffleManager::register_shuffle(int shuffle_id, int num_maps) {
  std::lock_guard lock(mu_);
  auto& maps = outputs_[shuffle_id];
  if (maps.empty()) maps.resize(static_cast<size_t>(num_maps));
}

void ShuffleManager::put(Runtime& runtime, int shuffle_id, int map_id, std::shared_ptr<MapOutputBase> output) {
  bool spill;
  {
    std::lock_guard lock(mu_);
    spill = used_ + output->memory_bytes > budget_;
    if (!spill) used_ += output->memory_bytes;  // reserve before the lock is dropped
  }
  if (spill && output->memory_bytes > 0) {
    spdlog::debug("shuffle {} map {}: {} bytes over the shuffle memory budget; spilling", shuffle_id, map_id,
                  output->memory_bytes);
    output->spill(runtime);
  }
  if (TaskMetrics* m = current_task_metrics()) {
    m->shuffle_records_written += output->records();
    m->shuffle_bytes_written += static_cast<int64_t>(output->memory_bytes + output->spilled_bytes);
  }
  const std::string file = host_local_dir_.empty() ? "" : host_local_file(host_local_dir_, shuffle_id, map_id);
  if (!file.empty()) write_host_local_file(*output, host_local_dir_, file, output_key(shuffle_id, map_id));
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  auto* slot = it == outputs_.end() ? nullptr : &it->second.at(static_cast<size_t>(map_id));
  if (!slot) {  // dropped meanwhile
    used_ -= output->memory_bytes;
    if (!file.empty()) ::unlink(file.c_str());
    return;
  }
  if (*slot && !dynamic_cast<RemoteMapOutput*>(slot->get())) {
    used_ -= output->memory_bytes;  // computed twice: release the reservation
    return;
  }
  *slot = std::move(output);  // a local output replaces a stale remote location
}

std::vector<std::string> ShuffleManager::fetch(const RemoteMapOutput& where, int shuffle_id,
                                               const std::vector<int>& map_ids, int reduce_id) const {
  std::vector<std::string> files(map_ids.size());
  {
    std::lock_guard lock(mu_);
    if (auto it = outputs_.find(shuffle_id); it != outputs_.end())
      for (size_t i = 0; i < map_ids.size(); ++i)
        if (auto* o = dynamic_cast<const RemoteMapOutput*>(it->second.at(static_cast<size_t>(map_ids[i])).get()))
          files[i] = o->file;
  }
  std::vector<std::string> buckets(map_ids.size());
  std::vector<int> fetch_maps;
  std::vector<size_t> fetch_slots;
  int64_t host_local_bytes = 0;
  for (size_t i = 0; i < map_ids.size(); ++i) {
    if (!files[i].empty() && read_host_local_bucket(files[i], output_key(shuffle_id, map_ids[i]),
                                                    static_cast<size_t>(reduce_id), buckets[i])) {
      host_local_bytes += static_cast<int64_t>(buckets[i].size());
      continue;
    }
    fetch_maps.push_back(map_ids[i]);
    fetch_slots.push_back(i);
  }
  TaskMetrics* m = current_task_metrics();
  if (m) m->shuffle_local_bytes_read += host_local_bytes;
  if (fetch_maps.empty()) return buckets;
  if (!fetcher_) throw std::logic_error("remote map output in a process without a shuffle fetcher");
  auto start = std::chrono::steady_clock::now();
  auto fetched = fetcher_->fetch(where, shuffle_id, fetch_maps, reduce_id);
  for (size_t k = 0; k < fetch_slots.size() && k < fetched.size(); ++k) buckets[fetch_slots[k]] = std::move(fetched[k]);
  if (m) {
    m->shuffle_fetch_wait_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
    for (size_t k : fetch_slots) m->shuffle_remote_bytes_read += static_cast<int64_t>(buckets[k].size());
  }
  return buckets;
}

std::shared_ptr<const MapOutputBase> ShuffleManager::get(int shuffle_id, int map_id) const {
  std::lock_guard lock(mu_);
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end() || !it->second.at(static_cast<size_t>(map_id)))
    throw std::runtime_error("missing output of map task " + std::to_string(map_id) + " of shuffle " +
                             std::to_string(shuffle_id));
  return it->second[static_cast<size_t>(map_id)];
}

std::vector<int> ShuffleManager::missing_maps(int shuffle_id) const {
  std::lock_guard lock(mu_);
  std::vector<int> missing;
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return missing;
  for (size_t i = 0; i < it->second.size(); ++i)
    if (!it->second[i]) missing.push_back(static_cast<int>(i));
  return missing;
}

void ShuffleManager::remove(int shuffle_id) {
  std::function<void(int)> hook;
  std::vector<std::string> files;  // this executor's, given to the pool once the lock is released
  {
    std::lock_guard lock(mu_);
    auto it = outputs_.find(shuffle_id);
    if (it == outputs_.end()) return;
    for (size_t m = 0; m < it->second.size(); ++m) {
      auto& o = it->second[m];
      if (!o) continue;
      used_ -= o->memory_bytes;
      if (!host_local_dir_.empty() && !dynamic_cast<RemoteMapOutput*>(o.get()))
        files.push_back(host_local_file(host_local_dir_, shuffle_id, static_cast<int>(m)));
    }
    outputs_.erase(it);
    hook = on_remove_;
  }
  for (const auto& f : files) file_pool().give(host_local_dir_, f);
  if (hook) hook(shuffle_id);
}

std::vector<std::shared_ptr<const RemoteMapOutput>> ShuffleManager::remote_locations(int shuffle_id) const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const RemoteMapOutput>> out;
  auto it = outputs_.find(shuffle_id);
  if (it == outputs_.end()) return out;
  for (const auto& o : it->second) out.push_back(std::dynamic_pointer_cast<const RemoteMapOutput>(o));
  return out;
}

void ShuffleManager::add_remote(int shuffle_id, int num_maps, int map_id, int executor, const std::string& address,
                                const std::string& file) {
  std::lock_guard lock(mu_);
  auto& maps = outputs_[shuffle_id];
  if (maps.empty()) maps.resize(static_cast<size_t>(num_maps));
  auto& slot = maps.at(static_cast<size_t>(map_id));
  if (!slot || dynamic_cast<RemoteMapOutput*>(slot.get())) slot = std::make_shared<RemoteMapOutput>(executor, address, file);
}

int ShuffleManager::remove_executor(int executor) {
  std::lock_guard lock(mu_);
  int removed = 0;
  for (auto& [id, maps] : outputs_)
    for (auto& o : maps)
      if (auto* remote = dynamic_cast<RemoteMapOutput*>(o.get()); remote && remote->executor == executor) {
        o.reset();
        ++removed;
      }
  return removed;
}

size_t ShuffleManager::num_shuffles() const {
  std::lock_guard lock(mu_);
  return outputs_.size();
}

size_t ShuffleManager::memory_used() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace brasa
