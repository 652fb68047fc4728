// The results of brasa-bench-core: rows of (workload, system, configuration,
// time), printed as a table and written as CSV and as an SVG bar chart.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace brasa::bench {

// Runs a shell command and returns its stdout lines; throws, quoting its
// last lines, if it fails. The seconds to the first line starting with
// "ready" go to *ready_after when asked.
std::vector<std::string> run_child(const std::string& cmd, double* ready_after = nullptr);

// The key=value fields of one tab-separated line: how the peers report.
std::map<std::string, std::string> fields(const std::string& line);

// 4.5 us, 40.2 ms, 2.59 s.
std::string human_time(double seconds);

struct Row {
  std::string workload;
  std::string system;
  std::string config;
  double seconds = 0;  // median of the runs
  double records = 0;  // records processed, for records/s (0: not a throughput)
  bool brasa = false;  // a Brasa row, not a reference
  std::string note;    // e.g. "stages 1", "wrong answer"
};

class Report {
 public:
  void add(Row row);
  // Prints a row as soon as it is measured, so long runs show progress.
  void print_header() const;
  void print(const Row& row) const;
  // Ratio of a row's time to the fastest reference row of its workload.
  double ratio(const Row& row) const;
  const Row* find(const std::string& workload, const std::string& system, const std::string& config = "") const;

  // The SVG's heading and colour legend (defaults: brasa-bench-core's).
  void set_title(std::string title, std::string legend) {
    title_ = std::move(title);
    legend_ = std::move(legend);
  }

  void write_csv(const std::string& path) const;
  void write_svg(const std::string& path) const;

 private:
  std::vector<Row> rows_;
  std::string title_ = "brasa-bench-core: time per workload (log scale; shorter is faster)";
  std::string legend_ = "orange: Brasa; grey: hand-written C++ and Unix tools; blue: numpy, pandas, Dask";
};

}  // namespace brasa::bench
