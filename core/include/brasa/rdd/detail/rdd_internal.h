// Definitions of RDD<T>::set_name and of the private helpers shared by the operations (run_job, concat, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "brasa/rdd/detail/actions.h"
#include "brasa/rdd/detail/narrow_nodes.h"
#include "brasa/rdd/detail/result_task.h"
#include "brasa/rdd/rdd.h"
#include "brasa/rdd/rdd_base.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/dag_scheduler.h"

namespace brasa {

template <class T>
const RDD<T>& RDD<T>::set_name(std::string name) const {
  node_->set_name(std::move(name));
  return *this;
}

template <class T>
template <class F>
auto RDD<T>::map_partitions_impl(F f, const char* op, bool keeps_partitioner, const CallSite& site) const {
  using Result = decltype(f(0, std::declval<std::vector<T>&&>()));
  using U = std::decay_t<decltype(*std::begin(std::declval<Result&>()))>;
  return RDD<U>(std::make_shared<MapPartitionsNode<T, U, F>>(node_, std::move(f), op, site, keeps_partitioner));
}

template <class T>
template <class F, class... Us>
auto RDD<T>::zip_partitions_impl(F f, bool keeps_partitioner, const CallSite& site,
                                 const RDD<Us>&... others) const {
  using Result = decltype(f(0, std::declval<std::vector<T>&&>(), std::declval<std::vector<Us>&&>()...));
  using Out = std::decay_t<decltype(*std::begin(std::declval<Result&>()))>;
  return RDD<Out>(std::make_shared<ZipPartitionsNode<Out, F, T, Us...>>(
      std::tuple{node_, others.node()...}, std::move(f), "zip_partitions", site, keeps_partitioner));
}

template <class T>
std::vector<T> RDD<T>::collect_named(const char* action, const CallSite& site) const {
  std::vector<std::vector<T>> parts(static_cast<size_t>(num_partitions()));
  run_job(act::Collect{}, [&](int p, std::vector<T>&& part) { parts[static_cast<size_t>(p)] = std::move(part); },
          action, site);
  return concat(parts);
}

template <class T>
template <class F, class Handler>
void RDD<T>::run_job(F f, Handler handler, const char* action, const CallSite& site) const {
  std::vector<int> all(static_cast<size_t>(num_partitions()));
  for (int i = 0; i < num_partitions(); ++i) all[static_cast<size_t>(i)] = i;
  run_job_on(all, std::move(f), std::move(handler), action, site);
}

template <class T>
template <class F, class Handler>
void RDD<T>::run_job_on(const std::vector<int>& parts, F f, Handler handler, const char* action,
                        const CallSite& site) const {
  TypedJobAction<T, F, Handler> job(node_, std::move(f), handler);
  node_->runtime().scheduler().run_job(node_, parts, job, std::string(action) + " at " + describe(site));
}

template <class T>
std::vector<int64_t> RDD<T>::partition_counts(const char* action, const CallSite& site) const {
  std::vector<int64_t> counts(static_cast<size_t>(num_partitions()), 0);
  run_job(act::Count{}, [&](int p, int64_t c) { counts[static_cast<size_t>(p)] = c; }, action, site);
  return counts;
}

template <class T>
template <class U>
std::vector<U> RDD<T>::concat(std::vector<std::vector<U>>& parts) {
  size_t n = 0;
  for (auto& p : parts) n += p.size();
  std::vector<U> out;
  out.reserve(n);
  for (auto& p : parts) out.insert(out.end(), std::make_move_iterator(p.begin()), std::make_move_iterator(p.end()));
  return out;
}

template <class T>
int RDD<T>::check_partitions(int n, const char* op) {
  if (n < 1) throw std::invalid_argument(std::string(op) + ": number of partitions must be at least 1, got " +
                                         std::to_string(n));
  return n;
}

}  // namespace brasa
