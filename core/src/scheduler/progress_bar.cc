#include "brasa/scheduler/progress_bar.h"

#include <cstdio>

namespace brasa {
namespace {
constexpr int kWidth = 80;
constexpr auto kDelay = std::chrono::milliseconds(500);  // quiet for short stages, like Spark
}  // namespace

void ConsoleProgressBar::on_event(const Event& e) {
  switch (e.type) {
    case Event::Type::kStageSubmitted:
      active_[e.stage_id] = StageProgress{e.num_tasks, 0, 0, std::chrono::steady_clock::now()};
      break;
    case Event::Type::kTaskStart:
      if (auto it = active_.find(e.stage_id); it != active_.end()) ++it->second.running;
      break;
    case Event::Type::kTaskEnd:
      if (auto it = active_.find(e.stage_id); it != active_.end()) {
        --it->second.running;
        it->second.done += e.ok;
      }
      break;
    case Event::Type::kStageCompleted:
      active_.erase(e.stage_id);
      if (active_.empty()) clear();
      break;
    default:
      break;
  }
}

void ConsoleProgressBar::on_tick() {
  auto now = std::chrono::steady_clock::now();
  std::string line;
  for (const auto& [id, s] : active_) {
    if (now - s.start < kDelay) continue;
    std::string head = "[Stage " + std::to_string(id) + ":";
    std::string tail = "(" + std::to_string(s.done) + " + " + std::to_string(s.running) + ") / " +
                       std::to_string(s.total) + "]";
    int width = kWidth / static_cast<int>(active_.size()) - static_cast<int>(head.size() + tail.size());
    std::string bar;
    if (width > 0) {
      int filled = s.total ? width * s.done / s.total : 0;
      bar = std::string(filled, '=') + (filled < width ? ">" : "") +
            std::string(width - filled > 1 ? width - filled - 1 : 0, ' ');
    }
    line += head + bar + tail;
  }
  if (line.empty()) return;
  std::fprintf(stderr, "\r%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void ConsoleProgressBar::clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r%*s\r", kWidth, "");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace brasa
