#include "brasa/shuffle/external_hash_table.h"

#include <algorithm>
#include <utility>

namespace brasa {

std::vector<size_t> order_by_hash(const std::vector<uint64_t>& hashes) {
  std::vector<std::pair<uint64_t, size_t>> keyed(hashes.size());
  for (size_t i = 0; i < hashes.size(); ++i) keyed[i] = {hashes[i], i};
  std::sort(keyed.begin(), keyed.end());  // the index breaks ties: stable
  std::vector<size_t> order(keyed.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

}  // namespace brasa
