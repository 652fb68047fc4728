#include "report.h"

#include <algorithm>
#include <chrono>
#include <sstream>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>

namespace brasa::bench {

std::vector<std::string> run_child(const std::string& cmd, double* ready_after) {
  const auto start = std::chrono::steady_clock::now();
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) throw std::runtime_error("cannot run " + cmd);
  std::vector<std::string> lines;
  char buf[8192];
  while (std::fgets(buf, sizeof buf, f)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (ready_after && line.rfind("ready", 0) == 0 && lines.empty())
      *ready_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    lines.push_back(line);
  }
  int status = pclose(f);
  if (status != 0) {
    std::string tail;
    for (size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) tail += "\n    " + lines[i];
    throw std::runtime_error("'" + cmd + "' failed with status " + std::to_string(status) + tail);
  }
  return lines;
}

std::map<std::string, std::string> fields(const std::string& line) {
  std::map<std::string, std::string> out;
  std::istringstream in(line);
  std::string f;
  while (std::getline(in, f, '\t'))
    if (auto eq = f.find('='); eq != std::string::npos) out[f.substr(0, eq)] = f.substr(eq + 1);
  return out;
}

void Report::add(Row row) {
  print(row);
  rows_.push_back(std::move(row));
}

void Report::print_header() const {
  std::printf("%-22s %-28s %-36s %11s %14s %9s\n", "workload", "system", "configuration", "time", "records/s",
              "vs best ref");
  std::fflush(stdout);
}

std::string human_time(double s) {
  char buf[32];
  if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.1f us", s * 1e6);
  else if (s < 1) std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  else std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}
}  // namespace

void Report::print(const Row& r) const {
  double ratio = this->ratio(r);
  char rate[32] = "";
  if (r.records > 0 && r.seconds > 0) std::snprintf(rate, sizeof rate, "%.3g", r.records / r.seconds);
  char vs[32] = "";
  if (ratio > 0) std::snprintf(vs, sizeof vs, "%.2fx", ratio);
  std::printf("%-22s %-28s %-36s %11s %14s %9s  %s\n", r.workload.c_str(), r.system.c_str(), r.config.c_str(),
              human_time(r.seconds).c_str(), rate, vs, r.note.c_str());
  std::fflush(stdout);
}

double Report::ratio(const Row& row) const {
  double best = 0;
  for (auto& r : rows_)
    if (r.workload == row.workload && !r.brasa && r.seconds > 0 && (best == 0 || r.seconds < best)) best = r.seconds;
  return best > 0 ? row.seconds / best : 0;
}

const Row* Report::find(const std::string& workload, const std::string& system, const std::string& config) const {
  for (auto& r : rows_)
    if (r.workload == workload && r.system == system && (config.empty() || r.config == config)) return &r;
  return nullptr;
}

void Report::write_csv(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << "workload,system,configuration,seconds,records_per_second,ratio_to_best_reference,note\n";
  for (auto& r : rows_) {
    out << csv_field(r.workload) << ',' << csv_field(r.system) << ',' << csv_field(r.config) << ',' << r.seconds << ','
        << (r.records > 0 && r.seconds > 0 ? r.records / r.seconds : 0) << ',' << ratio(r) << ',' << csv_field(r.note)
        << '\n';
  }
}

// One horizontal bar per row, grouped by workload, on a shared log time
// axis: the workloads' times span seven decades.
void Report::write_svg(const std::string& path) const {
  std::vector<std::string> order;
  for (auto& r : rows_)
    if (r.seconds > 0 && std::find(order.begin(), order.end(), r.workload) == order.end()) order.push_back(r.workload);
  double lo = 1e300, hi = 0;
  for (auto& r : rows_)
    if (r.seconds > 0) lo = std::min(lo, r.seconds), hi = std::max(hi, r.seconds);
  if (order.empty()) return;
  int first_decade = static_cast<int>(std::floor(std::log10(lo)));
  int last_decade = static_cast<int>(std::ceil(std::log10(hi)));
  if (last_decade == first_decade) ++last_decade;

  const int label_w = 420, plot_w = 520, bar_h = 16, gap = 4, title_h = 22, top = 40;
  int height = top + 20;
  for (auto& w : order) {
    height += title_h;
    for (auto& r : rows_)
      if (r.workload == w && r.seconds > 0) height += bar_h + gap;
  }
  auto x_of = [&](double s) {
    return label_w + plot_w * (std::log10(s) - first_decade) / (last_decade - first_decade);
  };

  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  int width = label_w + plot_w + 90;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" << xml(title_) << "</text>\n"
      << "<text x=\"10\" y=\"33\" fill=\"#555\">" << xml(legend_) << "</text>\n";
  for (int d = first_decade; d <= last_decade; ++d) {
    double x = x_of(std::pow(10.0, d));
    out << "<line x1=\"" << x << "\" y1=\"" << top << "\" x2=\"" << x << "\" y2=\"" << height - 18
        << "\" stroke=\"#ddd\"/>\n<text x=\"" << x << "\" y=\"" << height - 5 << "\" text-anchor=\"middle\" fill=\"#555\">"
        << human_time(std::pow(10.0, d)) << "</text>\n";
  }
  int y = top;
  for (auto& w : order) {
    out << "<text x=\"10\" y=\"" << y + 15 << "\" font-weight=\"bold\">" << xml(w) << "</text>\n";
    y += title_h;
    for (auto& r : rows_) {
      if (r.workload != w || r.seconds <= 0) continue;
      bool python = r.system.find("dask") != std::string::npos || r.system.find("numpy") != std::string::npos ||
                    r.system.find("pandas") != std::string::npos || r.system.find("scikit-learn") != std::string::npos;
      const char* colour = r.brasa ? "#e8710a" : python ? "#4a78c2" : "#999";
      double x1 = x_of(r.seconds);
      out << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 12 << "\" text-anchor=\"end\">" << xml(r.system + " " + r.config)
          << "</text>\n<rect x=\"" << label_w << "\" y=\"" << y << "\" width=\"" << std::max(1.0, x1 - label_w)
          << "\" height=\"" << bar_h << "\" fill=\"" << colour << "\"/>\n<text x=\"" << std::max(1.0, x1 - label_w) + label_w + 4
          << "\" y=\"" << y + 12 << "\">" << human_time(r.seconds) << "</text>\n";
      y += bar_h + gap;
    }
  }
  out << "</svg>\n";
}

}  // namespace brasa::bench
