#include "common/app.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <system_error>

#include "brasa/rdd/text_input.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/util/files.h"
#include "brasa/util/json.h"
#include "common/text_state.h"

namespace brasa::apps {

namespace fs = std::filesystem;

namespace {

std::string json_number(double x) { return std::isfinite(x) ? format_double(x) : "null"; }

std::string json_numbers(const std::vector<double>& xs) {
  std::string out = "[";
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + json_number(xs[i]);
  return out + "]";
}

// Records the iterations that algorithms report and, on a terminal, prints a
// line for each.
class IterationRecorder : public Listener {
 public:
  explicit IterationRecorder(std::string app) : app_(std::move(app)), terminal_(isatty(STDERR_FILENO)) {}

  void on_event(const Event& e) override {
    if (e.type != Event::Type::kIterationEnd) return;
    std::lock_guard lock(mu_);
    seconds_.push_back(e.seconds);
    if (!terminal_) return;
    if (std::isnan(e.value))
      std::fprintf(stderr, "%s: %s iteration %d in %.3f s\n", app_.c_str(), e.name.c_str(), e.iteration, e.seconds);
    else
      std::fprintf(stderr, "%s: %s iteration %d in %.3f s (%.6g)\n", app_.c_str(), e.name.c_str(), e.iteration,
                   e.seconds, e.value);
  }

  std::vector<double> take() {
    std::lock_guard lock(mu_);
    return std::move(seconds_);
  }

 private:
  std::string app_;
  bool terminal_;
  std::mutex mu_;
  std::vector<double> seconds_;
};

std::string unique_suffix() {
  std::random_device rd;
  return std::to_string(getpid()) + "-" + std::to_string(rd() % 1000000);
}

}  // namespace

std::string format_double(double x) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, end);
}

void Report::loaded() {
  load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Report::set(const std::string& key, double value) { fields_.emplace_back(key, json_number(value)); }
void Report::set(const std::string& key, const std::string& value) { fields_.emplace_back(key, json_quote(value)); }
void Report::set(const std::string& key, const std::vector<double>& values) {
  fields_.emplace_back(key, json_numbers(values));
}

App::App(std::string name, std::string description) : name_(std::move(name)), cli_(std::move(description), name_) {
  cli_.add_option("--input", flags_.input, "input file, directory or glob")->required();
  cli_.add_option("--master", flags_.master,
                  "where to run: local, local[N], local[*], local-cluster[E,C], "
                  "brasa://HOST:PORT or slurm (inside salloc or sbatch)")
      ->capture_default_str();
  cli_.add_option("--partitions", flags_.partitions, "input partitions (0: the master's default parallelism)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cli_.add_option("--mode", flags_.mode,
                  "memory: cache the input and keep iteration state in RAM; "
                  "disk: every iteration re-reads the "
                  "input and the last state from files and writes its own, as "
                  "a chain of MapReduce jobs")
      ->check(CLI::IsMember({"memory", "disk"}))
      ->capture_default_str();
  cli_.add_option("--metrics", flags_.metrics,
                  "write a JSON object with times per iteration and quality "
                  "figures to this file");
  cli_.add_option("--executor-cores", flags_.executor_cores, "cores per executor on a cluster")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli_.add_option("--executor-memory", flags_.executor_memory, "storage memory per executor on a cluster, e.g. 2g")
      ->capture_default_str();
  cli_.add_flag("--overwrite", flags_.overwrite, "replace --output if it exists");
  cli_.add_option("--conf", flags_.conf,
                  "KEY=VALUE: any Brasa setting, e.g. brasa.eventLog.enabled=true or brasa.ui.port=4050 (repeatable)")
      ->check([](const std::string& kv) {
        return kv.find('=') == std::string::npos || kv.front() == '=' ? "expected KEY=VALUE, got " + kv
                                                                      : std::string();
      });
}

namespace {

// Why `output` could not be created ("" if it could): its nearest existing
// ancestor must be a directory this process may write in (the missing ones
// between are created).
std::string unwritable_parent(const std::string& output) {
  std::error_code ec;
  fs::path dir = fs::absolute(output, ec).lexically_normal().parent_path();
  while (!dir.empty() && !fs::exists(dir, ec) && dir != dir.parent_path()) dir = dir.parent_path();
  if (!fs::is_directory(dir, ec)) return dir.string() + " is not a directory";
  if (::access(dir.c_str(), W_OK | X_OK) != 0) return "cannot write in " + dir.string() + ": " + std::strerror(errno);
  return "";
}

}  // namespace

int App::parse(int argc, char** argv, bool output_required) {
  auto* output = cli_.add_option("--output", flags_.output,
                                 "directory for the results (refused if it "
                                 "exists, unless --overwrite; written "
                                 "whole or not at all)");
  if (output_required) output->required();
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli_.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s (see --help)\n", name_.c_str(), e.what());
    return 2;
  }
  if (!flags_.output.empty() && fs::exists(flags_.output) && !flags_.overwrite) {
    std::fprintf(stderr, "%s: --output %s exists; pass --overwrite to replace it\n", name_.c_str(),
                 flags_.output.c_str());
    return 2;
  }
  if (!flags_.output.empty()) {  // as Spark checks output specs: before any job, not after the last
    if (std::string why = unwritable_parent(flags_.output); !why.empty()) {
      std::fprintf(stderr, "%s: --output %s: %s\n", name_.c_str(), flags_.output.c_str(), why.c_str());
      return 2;
    }
  }
  return -1;
}

int App::run(const std::function<void(Context&, Report&)>& body) {
  try {
    Conf conf;
    conf.master(flags_.master)
        .app_name(name_)
        .set("brasa.executor.cores", std::to_string(flags_.executor_cores))
        .set("brasa.executor.memory", flags_.executor_memory);
    for (const std::string& kv : flags_.conf) conf.set(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    Context ctx(conf);
    auto recorder = std::make_shared<IterationRecorder>(name_);
    ctx.runtime().events().add_listener(recorder);
    Report report;
    body(ctx, report);
    ctx.runtime().events().flush();
    report.iteration_seconds_ = recorder->take();
    ctx.runtime().events().remove_listener(recorder);
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - report.start_).count();

    const std::vector<double>& seconds = report.iteration_seconds_;
    if (!flags_.metrics.empty()) {
      std::string json = "{\n  \"app\": " + json_quote(name_) + ",\n  \"mode\": " + json_quote(flags_.mode) +
                         ",\n  \"master\": " + json_quote(flags_.master) +
                         ",\n  \"partitions\": " + std::to_string(flags_.partitions) +
                         ",\n  \"iterations\": " + std::to_string(seconds.size()) +
                         ",\n  \"iteration_seconds\": " + json_numbers(seconds) +
                         ",\n  \"load_seconds\": " + json_number(report.load_seconds_) +
                         ",\n  \"total_seconds\": " + json_number(total);
      for (const auto& [key, value] : report.fields_) json += ",\n  " + json_quote(key) + ": " + value;
      json += "\n}\n";
      write_file_atomic(flags_.metrics, json);
    }
    std::string line = name_ + ":";
    for (const auto& p : report.phrases_) line += " " + p + ",";
    char buf[160];
    std::snprintf(buf, sizeof buf, " %zu iterations in %.3f s (load %.3f s) on %s, %s mode", seconds.size(), total,
                  report.load_seconds_, flags_.master.c_str(), flags_.mode.c_str());
    std::printf("%s%s\n", line.c_str(), buf);
    return 0;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s\n", name_.c_str(), e.what());
    return 1;
  }
}

void with_bad_line_located(const std::string& input, const std::function<void(const std::string&)>& check_line,
                           const std::function<void()>& pass) {
  try {
    pass();
  } catch (const std::exception& e) {
    for (const auto& file : list_input_files(input)) {
      std::ifstream in(file);
      std::string line;
      for (int64_t number = 1; std::getline(in, line); ++number) {
        try {
          check_line(line);
        } catch (const std::exception& bad) {
          throw std::runtime_error(file + ":" + std::to_string(number) + ": " + bad.what());
        }
      }
    }
    throw;
  }
}

OutputDir::OutputDir(std::string path, bool overwrite) : path_(std::move(path)), overwrite_(overwrite) {
  while (!path_.empty() && path_.size() > 1 && path_.back() == '/') path_.pop_back();
  staging_ = path_ + ".staging-" + unique_suffix();
}

OutputDir::~OutputDir() {
  std::error_code ec;
  if (!committed_) fs::remove_all(staging_, ec);
}

std::string OutputDir::operator/(const std::string& name) const {
  fs::create_directories(staging_);
  return staging_ + "/" + name;
}

void OutputDir::commit() {
  fs::create_directories(staging_);
  if (fs::exists(path_)) {
    if (!overwrite_) throw std::runtime_error("output " + path_ + " appeared while the job ran; not replacing it");
    fs::remove_all(path_);
  }
  fs::rename(staging_, path_);
  committed_ = true;
}

ScratchDir::ScratchDir() {
  std::string pattern = (fs::temp_directory_path() / "brasa-disk-mode-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a scratch directory under /tmp");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace brasa::apps
