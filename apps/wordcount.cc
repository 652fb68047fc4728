// brasa-wordcount: counts the words of text files and prints the most
// frequent ones; optionally saves all counts as text.
//
//   brasa-wordcount datasets/text --master local[2] --top 10 --output out/counts
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <cstdio>

#include "brasa/brasa.h"

namespace {

// Lower-cased runs of letters, digits and apostrophes.
std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string w;
  for (char c : line) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!w.empty()) {
      words.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) words.push_back(std::move(w));
  return words;
}

}  // namespace

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Counts words in text files with Brasa"};
  std::string input, output, master = "local[*]", executor_memory = "2g";
  int executor_cores = 1;
  int partitions = 0, top = 10;
  bool overwrite = false;
  app.add_option("input", input, "text file, directory or glob")->required();
  app.add_option("--master", master, "local, local[N], local[*], local-cluster[E,C], brasa://HOST:PORT or slurm");
  app.add_option("--executor-cores", executor_cores, "cores per executor on a cluster")->check(CLI::PositiveNumber);
  app.add_option("--executor-memory", executor_memory, "storage memory per executor on a cluster, e.g. 2g");
  app.add_option("--partitions", partitions, "minimum input partitions (default: threads)")->check(CLI::NonNegativeNumber);
  app.add_option("--top", top, "how many of the most frequent words to print")->check(CLI::NonNegativeNumber);
  app.add_option("--output", output, "directory to save every (word,count) as text");
  app.add_flag("--overwrite", overwrite, "replace --output if it exists");
  CLI11_PARSE(app, argc, argv);

  try {
    auto start = std::chrono::steady_clock::now();
    brasa::Context ctx(brasa::Conf()
                           .master(master)
                           .app_name("wordcount")
                           .set("brasa.executor.cores", std::to_string(executor_cores))
                           .set("brasa.executor.memory", executor_memory));
    auto counts = ctx.text_file(input, partitions)
                      .flat_map([](const std::string& line) { return split_words(line); })
                      .map([](std::string w) { return std::pair{std::move(w), int64_t{1}}; })
                      .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                      .cache();
    auto by_count = [](const std::pair<std::string, int64_t>& a, const std::pair<std::string, int64_t>& b) {
      return a.second != b.second ? a.second < b.second : a.first > b.first;
    };
    auto best = counts.top(top, by_count);
    int64_t distinct = counts.count();
    int64_t total = counts.values().reduce([](int64_t a, int64_t b) { return a + b; });
    if (!output.empty()) counts.save_as_text_file(output, overwrite);
    for (const auto& [word, n] : best) std::printf("%-20s %lld\n", word.c_str(), static_cast<long long>(n));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wordcount: %lld words, %lld distinct, in %.3f s on %s\n", static_cast<long long>(total),
                static_cast<long long>(distinct), secs, master.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-wordcount: %s\n", e.what());
    return 1;
  }
  return 0;
}
