#include "event_log.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <climits>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include "brasa/util/files.h"
#include "brasa/util/json.h"

namespace brasa::ui {

namespace {

constexpr int kFormat = 1;

std::string number(double x) {
  if (!std::isfinite(x)) return "null";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

// One line of the log: an object whose values are strings, numbers, true,
// false, null or (for "conf") an object of strings. Anything else, or a line
// cut short, fails.
struct Line {
  std::map<std::string, std::string> strings;
  std::map<std::string, double> numbers;
  std::map<std::string, std::string> conf;
  std::map<std::string, std::vector<int>> lists;

  std::string str(const std::string& key) const {
    auto it = strings.find(key);
    return it == strings.end() ? "" : it->second;
  }
  double num(const std::string& key, double fallback = 0) const {
    auto it = numbers.find(key);
    return it == numbers.end() ? fallback : it->second;
  }
  // An int field; the fallback when absent, null or out of range.
  int integer(const std::string& key, int fallback) const {
    const double x = num(key, fallback);
    return std::isfinite(x) && x >= INT_MIN && x <= INT_MAX ? static_cast<int>(x) : fallback;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  bool object(Line& line, bool nested = false) {
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string key;
      if (!string(key) || !eat(':')) return false;
      skip();
      if (pos_ >= s_.size()) return false;
      const char c = s_[pos_];
      if (c == '"') {
        std::string value;
        if (!string(value)) return false;
        (nested ? line.conf : line.strings)[key] = std::move(value);
      } else if (c == '{' && !nested && key == "conf") {
        if (!object(line, true)) return false;
      } else if (c == '[' && !nested) {
        if (!integers(line.lists[key])) return false;
      } else if (!nested && s_.substr(pos_, 4) == "true") {
        line.numbers[key] = 1, pos_ += 4;
      } else if (!nested && s_.substr(pos_, 5) == "false") {
        line.numbers[key] = 0, pos_ += 5;
      } else if (!nested && s_.substr(pos_, 4) == "null") {
        line.numbers[key] = NAN, pos_ += 4;
      } else if (!nested) {
        double x = 0;
        auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), x);
        if (ec != std::errc()) return false;
        pos_ = static_cast<size_t>(end - s_.data());
        line.numbers[key] = x;
      } else {
        return false;
      }
    } while (eat(','));
    return eat('}');
  }

  bool integers(std::vector<int>& out) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    do {
      skip();
      int x = 0;
      auto [end, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), x);
      if (ec != std::errc()) return false;
      pos_ = static_cast<size_t>(end - s_.data());
      out.push_back(x);
    } while (eat(','));
    return eat(']');
  }

  bool at_end() {
    skip();
    return pos_ == s_.size();
  }

 private:
  void skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool eat(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool string(std::string& out) {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      c = s_[pos_++];
      if (c == 'u') {  // json_quote writes only control characters this way
        unsigned code = 0;
        if (pos_ + 4 > s_.size() || std::from_chars(s_.data() + pos_, s_.data() + pos_ + 4, code, 16).ec != std::errc())
          return false;
        pos_ += 4;
        out += static_cast<char>(code);
      } else if (c == 'n') {
        out += '\n';
      } else if (c == 't') {
        out += '\t';
      } else {
        out += c;
      }
    }
    return false;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Ids become file names and URL paths: letters, digits, '.', '_' and '-'.
bool valid_app_id(const std::string& id) {
  if (id.empty() || id.size() > 128 || id[0] == '.') return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

const std::map<std::string, Event::Type>& event_types() {
  static const auto* types = [] {
    auto* m = new std::map<std::string, Event::Type>;
    for (auto t : {Event::Type::kJobStart, Event::Type::kJobEnd, Event::Type::kStageSubmitted,
                   Event::Type::kStageCompleted, Event::Type::kTaskStart, Event::Type::kTaskEnd, Event::Type::kTaskPlaced,
                   Event::Type::kExecutorAdded, Event::Type::kExecutorLost, Event::Type::kIterationEnd,
                   Event::Type::kRddPersisted, Event::Type::kBlockUpdated, Event::Type::kRddUnpersisted})
      (*m)[event_type_name(t)] = t;
    return m;
  }();
  return *types;
}

}  // namespace

// Bytes to the log file, as they are or through one zstd stream. A flush
// ends a zstd block, so what was flushed decodes even if the frame never
// ends (a crash).
class EventLogWriter::Sink {
 public:
  Sink(std::FILE* file, bool compress) : file_(file) {
    if (!compress) return;
    zstd_ = ZSTD_createCCtx();
    if (!zstd_) throw std::runtime_error("brasa.eventLog.compress: cannot start a zstd stream");
    ZSTD_CCtx_setParameter(zstd_, ZSTD_c_compressionLevel, 3);
    out_.resize(ZSTD_CStreamOutSize());
  }
  ~Sink() { ZSTD_freeCCtx(zstd_); }

  void write(const char* data, size_t size) {
    unflushed_ = true;
    if (!zstd_) {
      std::fwrite(data, 1, size, file_);
      return;
    }
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size && compress(in, ZSTD_e_continue)) {
    }
  }
  void flush() {
    if (!unflushed_) return;  // every 100 ms: no empty zstd blocks
    unflushed_ = false;
    finish(ZSTD_e_flush);
    std::fflush(file_);
  }
  bool close() {
    finish(ZSTD_e_end);
    return std::fclose(file_) == 0;
  }

 private:
  void finish(ZSTD_EndDirective mode) {
    ZSTD_inBuffer none{nullptr, 0, 0};
    while (zstd_ && compress(none, mode) && pending_ != 0) {
    }
  }
  // One step of the stream; false when zstd failed (then the log ends here).
  bool compress(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.data(), out_.size(), 0};
    pending_ = ZSTD_compressStream2(zstd_, &out, &in, mode);
    if (ZSTD_isError(pending_)) {
      spdlog::warn("event log: zstd failed ({}); the log stops here", ZSTD_getErrorName(pending_));
      ZSTD_freeCCtx(zstd_);
      zstd_ = nullptr;
      return false;
    }
    std::fwrite(out_.data(), 1, out.pos, file_);
    return true;
  }

  std::FILE* file_;
  ZSTD_CCtx* zstd_ = nullptr;
  std::vector<char> out_;
  size_t pending_ = 0;  // bytes zstd still holds after a flush or end step
  bool unflushed_ = false;
};

EventLogWriter::EventLogWriter(const std::string& dir, const AppInfo& info, bool compress) {
  // Only its owner reads a log: it names the program, its settings and its
  // data. A new directory is made private; the file is new (not a link).
  if (!std::filesystem::exists(dir) && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("brasa.eventLog.dir: cannot create " + dir + ": " + std::strerror(errno));
  final_path_ = (std::filesystem::path(dir) / info.id).string() + (compress ? ".zst" : "");
  path_ = final_path_ + ".inprogress";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  std::FILE* file = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
  if (!file)
    throw std::runtime_error("brasa.eventLog.dir: cannot write the event log " + path_ + ": " + std::strerror(errno));
  sink_ = std::make_unique<Sink>(file, compress);
  std::string conf;
  for (const auto& [k, v] : info.conf)
    conf += (conf.empty() ? "" : ",") + json_quote(k) + ":" + json_quote(shown_value(k, v));
  write_line("{\"event\":\"LogStart\",\"format\":" + std::to_string(kFormat) +
             ",\"brasaVersion\":" + json_quote(BRASA_VERSION) + ",\"appId\":" + json_quote(info.id) +
             ",\"appName\":" + json_quote(info.name) + ",\"master\":" + json_quote(info.master) +
             ",\"user\":" + json_quote(info.user) + ",\"binary\":" + json_quote(info.binary) +
             ",\"cores\":" + std::to_string(info.cores) + ",\"startTime\":" + number(info.start_time) +
             ",\"conf\":{" + conf + "}}");
  sink_->flush();
}

EventLogWriter::~EventLogWriter() {
  write_line("{\"event\":\"ApplicationEnd\",\"time\":" + number(epoch_seconds()) + "}");
  const bool ok = sink_->close();
  std::error_code ec;
  if (ok) std::filesystem::rename(path_, final_path_, ec);
  if (!ok || ec) spdlog::warn("event log {} was not closed cleanly", path_);
}

void EventLogWriter::write_line(const std::string& line) {
  sink_->write(line.data(), line.size());
  sink_->write("\n", 1);
}

// Fields at their defaults are left out (the reader puts them back), so a
// task's line is short: these are most of the log.
void EventLogWriter::on_event(const Event& e) {
  fmt::memory_buffer& b = buffer_;
  b.clear();
  fmt::format_to(std::back_inserter(b), "{{\"event\":\"{}\",\"time\":{}", event_type_name(e.type), number(e.time));
  if (e.job_id >= 0) fmt::format_to(std::back_inserter(b), ",\"job\":{}", e.job_id);
  if (e.stage_id >= 0) fmt::format_to(std::back_inserter(b), ",\"stage\":{}", e.stage_id);
  if (e.partition >= 0) fmt::format_to(std::back_inserter(b), ",\"partition\":{}", e.partition);
  if (e.num_tasks != 0) fmt::format_to(std::back_inserter(b), ",\"tasks\":{}", e.num_tasks);
  if (!e.ok) fmt::format_to(std::back_inserter(b), ",\"ok\":false");
  if (e.seconds != 0) fmt::format_to(std::back_inserter(b), ",\"seconds\":{}", number(e.seconds));
  if (!e.name.empty()) {
    fmt::format_to(std::back_inserter(b), ",\"name\":");
    json_quote_to(b, e.name);
  }
  if (!e.error.empty()) {
    fmt::format_to(std::back_inserter(b), ",\"error\":");
    json_quote_to(b, e.error);
  }
  if (e.executor_id >= 0) fmt::format_to(std::back_inserter(b), ",\"executor\":{}", e.executor_id);
  if (e.iteration >= 0) fmt::format_to(std::back_inserter(b), ",\"iteration\":{},\"value\":{}", e.iteration,
                                       number(e.value));
  if (e.type == Event::Type::kStageSubmitted) fmt::format_to(std::back_inserter(b), ",\"parents\":[{}]",
                                                             fmt::join(e.parents, ","));
  if (e.rdd_id >= 0) fmt::format_to(std::back_inserter(b), ",\"rdd\":{}", e.rdd_id);
  if (e.memory_bytes != 0) fmt::format_to(std::back_inserter(b), ",\"memory\":{}", e.memory_bytes);
  if (e.disk_bytes != 0) fmt::format_to(std::back_inserter(b), ",\"disk\":{}", e.disk_bytes);
  if (!e.storage_level.empty()) {
    fmt::format_to(std::back_inserter(b), ",\"level\":");
    json_quote_to(b, e.storage_level);
  }
  if (e.type == Event::Type::kTaskEnd) {  // its metrics, those not zero, as "metrics.NAME"
    TaskMetrics m = e.metrics;
    m.for_each([&](const char* name, int64_t v) {
      if (v != 0) fmt::format_to(std::back_inserter(b), ",\"metrics.{}\":{}", name, v);
    });
  }
  b.append(std::string_view("}\n"));
  sink_->write(b.data(), b.size());
  if (e.type == Event::Type::kJobEnd) sink_->flush();
}

void EventLogWriter::on_tick() { sink_->flush(); }

namespace {

// The log's text: the file as it is, or decoded when it starts with zstd's
// magic number. A frame cut short (a crash) gives what decoded before the cut.
std::optional<std::string> read_log_text(const std::string& path) {
  std::string raw;
  try {
    raw = read_file(path);
  } catch (const std::runtime_error&) {
    return std::nullopt;  // gone or unreadable: not shown
  }
  static constexpr unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
  if (raw.size() < 4 || std::memcmp(raw.data(), kZstdMagic, 4) != 0) return raw;
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> zstd(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::string text;
  std::vector<char> out(ZSTD_DStreamOutSize());
  ZSTD_inBuffer in{raw.data(), raw.size(), 0};
  while (zstd) {
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    const size_t r = ZSTD_decompressStream(zstd.get(), &o, &in);
    if (ZSTD_isError(r)) {
      spdlog::warn("{}: zstd stops decoding ({}); read up to there", path, ZSTD_getErrorName(r));
      break;
    }
    text.append(out.data(), o.pos);
    if (in.pos == in.size && o.pos < o.size) break;  // all input used, nothing held back
  }
  return text;
}

}  // namespace

std::unique_ptr<AppStatus> replay_event_log(const std::string& path) {
  const std::optional<std::string> all = read_log_text(path);
  if (!all) return nullptr;
  std::unique_ptr<AppStatus> app;
  double end_time = 0;
  bool ended = false;
  int64_t line_number = 0;
  for (size_t start = 0, end; start < all->size(); start = end + 1) {
    end = std::min(all->find('\n', start), all->size());
    const std::string_view text(all->data() + start, end - start);
    ++line_number;
    Line line;
    Parser parser(text);
    if (!parser.object(line) || !parser.at_end()) {
      if (!app) return nullptr;  // not an event log
      // A crash can cut the last line short; anything else is worth a word.
      if (end + 1 < all->size()) spdlog::warn("{}:{}: not an event log line; skipped", path, line_number);
      continue;
    }
    const std::string kind = line.str("event");
    if (!app) {
      if (kind != "LogStart" || !valid_app_id(line.str("appId"))) return nullptr;
      if (line.num("format") > kFormat)
        spdlog::warn("{}: event log format {} is newer than this reader's ({})", path, line.num("format"), kFormat);
      AppInfo info{line.str("appId"),  line.str("appName"), line.str("master"),
                   line.str("user"),   line.str("binary"),  line.integer("cores", 0),
                   line.num("startTime"), line.conf};
      app = std::make_unique<AppStatus>(std::move(info));
      continue;
    }
    if (kind == "ApplicationEnd") {
      ended = true;
      end_time = line.num("time");
      continue;
    }
    auto type = event_types().find(kind);
    if (type == event_types().end()) continue;  // a newer writer's event
    Event e;
    e.type = type->second;
    e.time = line.num("time");
    e.job_id = line.integer("job", -1);
    e.stage_id = line.integer("stage", -1);
    e.partition = line.integer("partition", -1);
    e.num_tasks = line.integer("tasks", 0);
    e.ok = line.num("ok", 1) != 0;
    e.seconds = line.num("seconds");
    e.name = line.str("name");
    e.error = line.str("error");
    e.executor_id = line.integer("executor", -1);
    e.iteration = line.integer("iteration", -1);
    e.value = line.num("value");
    if (auto it = line.lists.find("parents"); it != line.lists.end()) e.parents = it->second;
    e.rdd_id = line.integer("rdd", -1);
    auto bytes = [&](const char* key) {
      const double x = line.num(key);
      return std::isfinite(x) && x >= 0 && x < 9e18 ? static_cast<int64_t>(x) : int64_t{0};
    };
    e.memory_bytes = bytes("memory");
    e.disk_bytes = bytes("disk");
    e.storage_level = line.str("level");
    e.metrics.for_each([&](const char* name, int64_t& v) {
      const double x = line.num(std::string("metrics.") + name);
      v = std::isfinite(x) && std::abs(x) < 9e18 ? static_cast<int64_t>(x) : 0;
    });
    app->on_event(e);
  }
  if (app && ended) app->finish(end_time);
  return app;
}

}  // namespace brasa::ui
