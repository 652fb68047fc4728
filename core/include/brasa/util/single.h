// single(x): a vector holding only x, moved in. Functions that turn a
// partition into one record (a block, an index, a partial sum) return
// this; the braced `return {std::move(x)};` copies x instead, since the
// elements of an initializer_list are const.
#pragma once

#include <utility>
#include <vector>

namespace brasa {

template <class T> std::vector<std::decay_t<T>> single(T&& x) {
  std::vector<std::decay_t<T>> v;
  v.reserve(1);
  v.push_back(std::forward<T>(x));
  return v;
}

}  // namespace brasa
