// What every command-line app shares: the common flags (--master, --input,
// --output, --mode, --metrics, ...), exit codes, per-iteration progress and
// timing, the metrics JSON and output directories written atomically.
//
//   brasa::apps::App app("brasa-pagerank", "PageRank of a graph's vertices");
//   app.cli().add_option("--iterations", iterations, "...");
//   if (int code = app.parse(argc, argv); code >= 0) return code;
//   return app.run([&](brasa::Context& ctx, brasa::apps::Report& report) { ...
//   });
//
// Exit codes: 0 success, 1 bad input or a failed job (the message names the
// file and line or the stage), 2 bad arguments (the message names the flag).
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "brasa/brasa.h"

namespace brasa::apps {

struct CommonFlags {
  std::string input;
  std::string output;
  bool overwrite = false;
  std::string master = "local[*]";
  int partitions = 0;  // 0: the master's default parallelism
  std::string mode = "memory";
  std::string metrics;
  int executor_cores = 1;
  std::string executor_memory = "2g";
  std::vector<std::string> conf;  // --conf KEY=VALUE: any Conf setting (brasa.eventLog.enabled=true, ...)

  bool disk_mode() const { return mode == "disk"; }
};

// Figures of one run: load time, iterations, the app's quality figures. Ends
// as the metrics JSON (--metrics) and the one-line summary.
class Report {
 public:
  // The input is loaded (and, in memory mode, cached): load_seconds.
  void loaded();
  // Caches `input` and reads it once, then loaded(); returns its size.
  template <class T>
  int64_t load(const RDD<T>& input) {
    input.cache();
    const int64_t n = input.count();
    loaded();
    return n;
  }
  void set(const std::string& key, double value);
  void set(const std::string& key, const std::string& value);
  void set(const std::string& key, const std::vector<double>& values);
  // A phrase for the summary line, e.g. "1,024 vertices".
  void summary(std::string phrase) { phrases_.push_back(std::move(phrase)); }

 private:
  friend class App;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double load_seconds_ = 0;
  std::vector<double> iteration_seconds_;                    // as the algorithms reported them (Event::kIterationEnd)
  std::vector<std::pair<std::string, std::string>> fields_;  // key, JSON value
  std::vector<std::string> phrases_;
};

class App {
 public:
  App(std::string name, std::string description);

  CLI::App& cli() { return cli_; }
  const CommonFlags& flags() const { return flags_; }

  // Parses the command line. Returns -1 to go on, or the exit code to return
  // now: 0 after --help, 2 (with a one-line error) for bad arguments,
  // including an existing --output without --overwrite.
  int parse(int argc, char** argv, bool output_required = false);

  // Creates the context and runs body; returns the exit code. Writes the
  // metrics and prints the summary when body succeeds; on an exception
  // prints "name: error" and returns 1.
  int run(const std::function<void(Context&, Report&)>& body);

  const std::string& name() const { return name_; }

 private:
  std::string name_;
  CLI::App cli_;
  CommonFlags flags_;
};

// An output directory that appears whole or not at all: the app writes
// into staging(), a sibling directory, and commit() renames it over the
// final path (replacing it when overwrite). Without commit the staging
// directory is removed.
class OutputDir {
 public:
  OutputDir(std::string path, bool overwrite);
  ~OutputDir();
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;

  // Where to write (does not exist until something writes there, as
  // save_as_text_file wants it).
  const std::string& staging() const { return staging_; }
  // A path inside staging() for a file or subdirectory.
  std::string operator/(const std::string& name) const;
  void commit();

 private:
  std::string path_;
  std::string staging_;
  bool overwrite_;
  bool committed_ = false;
};

// A scratch directory for disk mode's per-iteration state, removed at the end.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs `pass` (disk mode's first pass over the input). If it throws, scans
// the input files on the driver with `check_line` (which throws for a bad
// line) and rethrows naming the first bad line's file and number.
void with_bad_line_located(const std::string& input, const std::function<void(const std::string&)>& check_line,
                           const std::function<void()>& pass);

}  // namespace brasa::apps
