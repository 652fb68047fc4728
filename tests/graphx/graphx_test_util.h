// Helpers shared by the graphx suites.
#pragma once

#include <map>
#include <utility>
#include <vector>

namespace graphx_test {

// (id, value) pairs as an ordered map, for comparing results whatever their order.
template <class K, class V> std::map<K, V> as_map(const std::vector<std::pair<K, V>>& v) {
  return std::map<K, V>(v.begin(), v.end());
}

}  // namespace graphx_test
