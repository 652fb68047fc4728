// Spark's JavaWordCount: the count of every word of a text file, most
// frequent first.
//
//   word_count FILE [MASTER]
#include <cstdio>

#include "brasa/brasa.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);  // first: an executor is this binary started again
  if (argc < 2) {
    std::fprintf(stderr, "usage: word_count FILE [MASTER]\n");
    return 2;
  }
  brasa::Context ctx(brasa::Conf().master(argc > 2 ? argv[2] : "local[2]").app_name("word_count"));
  auto counts = ctx.text_file(argv[1])
                    .flat_map([](const std::string& line) { return brasa::words(line); })
                    .map([](std::string word) {
                      return std::pair{std::move(word), int64_t{1}};
                    })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; });
  auto by_count = [](const std::pair<std::string, int64_t>& a, const std::pair<std::string, int64_t>& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  for (const auto& [word, count] : counts.take_ordered(counts.count(), by_count))
    std::printf("%s: %lld\n", word.c_str(), static_cast<long long>(count));
}
