// Stage plans: the bytes that describe the operator nodes of one stage, so
// that an executor process (running the same binary) can rebuild and run it.
//
// Every node type writes a stable type key, then its parameters and closures;
// the executor looks the key up in a registry that each node template fills
// in when it is instantiated (NodeType<Node>::key is odr-used by
// write_plan, so the registration exists in every process of the binary).
// Keys are hashes of the mangled type name, never addresses.
//
// A plan stops at shuffle boundaries: a shuffled node writes its shuffle id,
// not its parent; its records are fetched from the map outputs.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <set>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>

#include "brasa/util/closure.h"
#include "brasa/util/serializer.h"

namespace brasa {

class RDDBase;
class Runtime;
class TaskBody;
template <class T> class RDDNode;
class PlanReader;

// ---- Closures -------------------------------------------------------------------

// Functions given to operations are trivially copyable (copied byte for
// byte), have a serialize method (and a default constructor), or are the
// program's own functions passed by name (see closure.h).
template <class F> void write_closure(ByteWriter& w, const F& f) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    w.write(detail::function_offset(reinterpret_cast<const void*>(f)));
  } else if constexpr (HasSerializeMethod<F>) {
    w.write(f);
  } else {
    static_assert(std::is_trivially_copyable_v<F>, "brasa: closures must be trivially copyable or serializable");
    w.write_bytes(&f, sizeof(F));
  }
}

template <class F> F read_closure(ByteReader& r) {
  if constexpr (std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>) {
    return reinterpret_cast<F>(const_cast<void*>(detail::function_at(r.read<uint64_t>())));
  } else if constexpr (HasSerializeMethod<F>) {
    F f{};
    f.serialize(r);
    return f;
  } else {
    // Lambdas have no default constructor; their bytes are their value.
    alignas(F) unsigned char storage[sizeof(F)];
    r.read_bytes(storage, sizeof(F));
    return *std::launder(reinterpret_cast<F*>(storage));
  }
}

// ---- Registry of operator types -----------------------------------------------

uint64_t type_key(const char* mangled_name);

// Nodes of the lineage graph, and the task bodies at the top of a plan
// (shuffle map tasks and the per-partition parts of actions).
using NodeFactory = std::shared_ptr<RDDBase> (*)(PlanReader&);
using TaskFactory = std::unique_ptr<TaskBody> (*)(PlanReader&);
uint64_t register_plan_type(const char* name, NodeFactory factory);
uint64_t register_plan_type(const char* name, TaskFactory factory);
// These throw std::runtime_error for an unknown key (a plan from another binary).
NodeFactory find_node_type(uint64_t key);
TaskFactory find_task_type(uint64_t key);

// PlanType<X>::key registers X::rebuild under X's type key.
template <class X> struct PlanType {
  static inline const uint64_t key = register_plan_type(typeid(X).name(), &X::rebuild);
};

// ---- Writing and reading plans -----------------------------------------------------

class PlanWriter {
 public:
  PlanWriter() : w_(&bytes_) {}

  // Starts the fields of a node or task body of type X (first in write_plan).
  template <class X> void begin() { w_.write(PlanType<X>::key); }
  // Plain fields, in the serializer's encoding.
  template <class... Ts> void operator()(const Ts&... vs) { (w_.write(vs), ...); }
  template <class F> void closure(const F& f) { write_closure(w_, f); }
  // A parent node: written once per plan, later occurrences by reference.
  void node(const RDDBase& rdd);
  // Persisted RDDs for which cut(rdd) is true are written as readers of
  // their cached blocks, without their lineage: the driver knows every
  // partition is cached, so plans stay small however long the lineage.
  void cut_at(std::function<bool(const RDDBase&)> cut) { cut_ = std::move(cut); }

  ByteWriter& writer() { return w_; }
  std::string& bytes() { return bytes_; }

 private:
  std::string bytes_;
  ByteWriter w_;
  std::set<int> written_;
  std::function<bool(const RDDBase&)> cut_;
};

class PlanReader {
 public:
  // Reads `bytes` in place: they must outlive the reader.
  PlanReader(std::shared_ptr<Runtime> runtime, const std::string& bytes)
      : runtime_(std::move(runtime)), r_(bytes) {}
  PlanReader(std::shared_ptr<Runtime> runtime, std::string&& bytes) = delete;

  template <class... Ts> void operator()(Ts&... vs) { (r_.read(vs), ...); }
  template <class T> T read() { return r_.read<T>(); }
  template <class F> F closure() { return read_closure<F>(r_); }

  // The next node of the plan, which must produce records of type T.
  template <class T> std::shared_ptr<RDDNode<T>> node() {
    auto base = any_node();
    auto typed = std::dynamic_pointer_cast<RDDNode<T>>(base);
    if (!typed) throw std::runtime_error("corrupt stage plan: node of an unexpected record type");
    return typed;
  }
  std::shared_ptr<RDDBase> any_node();
  // The task body a whole plan describes (reads to the end).
  std::unique_ptr<TaskBody> task();

  const std::shared_ptr<Runtime>& runtime() const { return runtime_; }
  ByteReader& reader() { return r_; }

 private:
  std::shared_ptr<Runtime> runtime_;
  ByteReader r_;
  std::unordered_map<int, std::shared_ptr<RDDBase>> built_;
};

}  // namespace brasa
