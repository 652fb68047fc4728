#include "event_log.h"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

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

EventLogWriter::EventLogWriter(const std::string& dir, const AppInfo& info) {
  // Only its owner reads a log: it names the program, its settings and its
  // data. A new directory is made private; the file is new (not a link).
  if (!std::filesystem::exists(dir) && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("brasa.eventLog.dir: cannot create " + dir + ": " + std::strerror(errno));
  final_path_ = (std::filesystem::path(dir) / info.id).string();
  path_ = final_path_ + ".inprogress";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  file_ = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
  if (!file_)
    throw std::runtime_error("brasa.eventLog.dir: cannot write the event log " + path_ + ": " + std::strerror(errno));
  std::string conf;
  for (const auto& [k, v] : info.conf)
    conf += (conf.empty() ? "" : ",") + json_quote(k) + ":" + json_quote(shown_value(k, v));
  write_line("{\"event\":\"LogStart\",\"format\":" + std::to_string(kFormat) +
             ",\"brasaVersion\":" + json_quote(BRASA_VERSION) + ",\"appId\":" + json_quote(info.id) +
             ",\"appName\":" + json_quote(info.name) + ",\"master\":" + json_quote(info.master) +
             ",\"user\":" + json_quote(info.user) + ",\"binary\":" + json_quote(info.binary) +
             ",\"cores\":" + std::to_string(info.cores) + ",\"startTime\":" + number(info.start_time) +
             ",\"conf\":{" + conf + "}}");
  std::fflush(file_);
}

EventLogWriter::~EventLogWriter() {
  write_line("{\"event\":\"ApplicationEnd\",\"time\":" + number(epoch_seconds()) + "}");
  const bool ok = std::fclose(file_) == 0;
  std::error_code ec;
  if (ok) std::filesystem::rename(path_, final_path_, ec);
  if (!ok || ec) spdlog::warn("event log {} was not closed cleanly", path_);
}

void EventLogWriter::write_line(const std::string& line) {
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
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
  std::fwrite(b.data(), 1, b.size(), file_);
  if (e.type == Event::Type::kJobEnd) std::fflush(file_);
}

void EventLogWriter::on_tick() { std::fflush(file_); }

std::unique_ptr<AppStatus> replay_event_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::string text;
  std::unique_ptr<AppStatus> app;
  double end_time = 0;
  bool ended = false;
  int64_t line_number = 0;
  while (std::getline(in, text)) {
    ++line_number;
    Line line;
    Parser parser(text);
    if (!parser.object(line) || !parser.at_end()) {
      if (!app) return nullptr;  // not an event log
      // A crash can cut the last line short; anything else is worth a word.
      if (in.peek() != EOF) spdlog::warn("{}:{}: not an event log line; skipped", path, line_number);
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
