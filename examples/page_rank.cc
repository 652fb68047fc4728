// Spark's SparkPageRank: ranks of the URLs of "url neighbour" lines, 10
// iterations of rank = 0.15 + 0.85 * sum of contributions (a page without
// links gives nothing; a page nobody links to drops out, as in Spark's).
//
//   page_rank FILE [ITERATIONS] [MASTER]
#include <cstdio>
#include <cstdlib>

#include "brasa/brasa.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: page_rank FILE [ITERATIONS] [MASTER]\n");
    return 2;
  }
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 10;
  brasa::Context ctx(brasa::Conf().master(argc > 3 ? argv[3] : "local[2]").app_name("page_rank"));
  auto links = ctx.text_file(argv[1])
                   .map([](const std::string& line) {
                     auto field = brasa::words(line).begin();
                     std::string url(*field);
                     return std::pair{url, std::string(*++field)};
                   })
                   .distinct()
                   .group_by_key()
                   .cache();
  auto ranks = links.map_values([](const std::vector<std::string>&) { return 1.0; });
  for (int i = 0; i < iterations; ++i) {
    auto contributions =
        links.join(ranks).values().flat_map([](const std::pair<std::vector<std::string>, double>& page) {
          std::vector<std::pair<std::string, double>> out;
          for (const auto& url : page.first) out.emplace_back(url, page.second / page.first.size());
          return out;
        });
    ranks = contributions.reduce_by_key([](double a, double b) { return a + b; }).map_values([](double sum) {
      return 0.15 + 0.85 * sum;
    });
  }
  for (const auto& [url, rank] : ranks.sort_by_key().collect()) std::printf("%s has rank: %.12f.\n", url.c_str(), rank);
}
