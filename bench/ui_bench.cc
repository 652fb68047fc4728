// brasa-bench-ui: what watching costs. Jobs of many tiny tasks (the
// scheduler's worst case for listeners: two events per task) on a Context
// with the web UI and the event log off, and on one with both on; runs
// alternate between the two, and the medians and their ratio are printed.
//
//   brasa-bench-ui [--tasks 10000] [--runs 15] [--master local[2]] [--watch ui|log|both]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "brasa/brasa.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/ui/web_ui.h"
#include "report.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Brasa: the cost of the web UI and the event log for jobs of tiny tasks"};
  int tasks = 10000, runs = 15;
  std::string master = "local[2]", watch = "both";
  app.add_option("--tasks", tasks, "tasks per job")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--runs", runs, "timed jobs per configuration")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--master", master, "master of both contexts")->capture_default_str();
  app.add_option("--watch", watch, "what the watched context turns on: ui, log or both")
      ->check(CLI::IsMember({"ui", "log", "both"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const auto log_dir = std::filesystem::temp_directory_path() / ("brasa-bench-ui-" + std::to_string(::getpid()));
  brasa::Conf off;
  off.master(master).app_name("ui-off").set("brasa.ui.show_progress", "false").set("brasa.ui.enabled", "false");
  brasa::Conf on = off;
  on.app_name("ui-on")
      .set("brasa.ui.enabled", watch != "log" ? "true" : "false")
      .set("brasa.ui.port", "0")
      .set("brasa.eventLog.enabled", watch != "ui" ? "true" : "false")
      .set("brasa.eventLog.dir", log_dir.string());
  double seconds[2], drained[2];
  uint64_t dropped = 0;
  {
    brasa::Context quiet(off), watched(on);
    std::printf("web UI of the watched context: %s; event log in %s\n", brasa::web_ui_url(watched).c_str(),
                log_dir.c_str());
    std::vector<double> times[2], drained_times[2];  // to the job's end; to the listeners' end
    brasa::Context* contexts[2] = {&quiet, &watched};
    for (int run = -1; run < runs; ++run)  // run -1 warms both up
      for (int c = 0; c < 2; ++c) {
        const auto start = std::chrono::steady_clock::now();
        const int64_t n = contexts[c]->range(0, tasks, 1, tasks).count();
        const auto ended = std::chrono::steady_clock::now();
        // Then until the listeners have seen the job too.
        contexts[c]->runtime().events().flush();
        const auto drained = std::chrono::steady_clock::now();
        if (n != tasks) {
          std::fprintf(stderr, "wrong count %lld\n", static_cast<long long>(n));
          return 1;
        }
        if (run >= 0) {
          times[c].push_back(std::chrono::duration<double>(ended - start).count());
          drained_times[c].push_back(std::chrono::duration<double>(drained - start).count());
        }
      }
    for (int c = 0; c < 2; ++c) seconds[c] = median(times[c]), drained[c] = median(drained_times[c]);
    dropped = watched.runtime().events().dropped();
  }
  std::error_code ec;
  std::filesystem::remove_all(log_dir, ec);
  const std::string watched = watch == "both" ? "UI and event log" : watch == "ui" ? "UI" : "event log";
  std::printf("job of %d tasks on %s, median of %d runs: the job as the program sees it / until every "
              "listener has seen it too\n",
              tasks, master.c_str(), runs);
  for (int c = 0; c < 2; ++c)
    std::printf("  %s %s: %s (%.2f us/task) / %s\n", watched.c_str(), c ? "on " : "off",
                brasa::bench::human_time(seconds[c]).c_str(), seconds[c] / tasks * 1e6,
                brasa::bench::human_time(drained[c]).c_str());
  std::printf("  overhead: %+.1f%% / %+.1f%% (events dropped: %llu)\n", 100.0 * (seconds[1] / seconds[0] - 1.0),
              100.0 * (drained[1] / drained[0] - 1.0), static_cast<unsigned long long>(dropped));
  return 0;
}
