// Binary encoding of records, for everything that leaves a typed vector:
// cached blocks at MEMORY_ONLY_SER or on disk, spills, object files,
// checkpoints and (later) records that cross processes.
//
// Trivially copyable types are copied byte for byte (a vector of them as one
// memcpy); strings, standard containers, pairs, tuples and optionals are
// encoded element by element; a user type takes part by providing
//     template <class Archive> void serialize(Archive& ar) { ar(a, b, c); }
// in the style of cereal, or a type it cannot change (a third party's) by
// a free function found by argument-dependent lookup:
//     template <class Archive> void serialize(Archive& ar, Point& p) { ar(p.x, p.y); }
// A type without a default constructor adds
//     static Point deserialize(ByteReader& r) { auto x = r.read<double>(); return Point(x, r.read<double>()); }
// to build a value from its encoding (its serialize still writes it).
// Eigen's dense matrices and arrays (fixed and dynamic size) work as they
// are, without this header including Eigen. The format is for one binary
// talking to itself: no versioning, native byte order.
#pragma once

#include <array>
#include <bit>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace brasa {

class ByteWriter;
class ByteReader;

namespace detail {
template <class T> struct IsVector : std::false_type {};
template <class T, class A> struct IsVector<std::vector<T, A>> : std::true_type {};
template <class T> struct IsPair : std::false_type {};
template <class A, class B> struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T> struct IsTuple : std::false_type {};
template <class... Ts> struct IsTuple<std::tuple<Ts...>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsMap : std::false_type {};
template <class K, class V, class C, class A> struct IsMap<std::map<K, V, C, A>> : std::true_type {};
template <class K, class V, class H, class E, class A>
struct IsMap<std::unordered_map<K, V, H, E, A>> : std::true_type {};
}  // namespace detail

// Eigen's plain dense objects (Matrix, Array), recognised by shape so that
// this header needs no Eigen include.
template <class T>
concept EigenDense = requires(T& m, const T& c) {
  typename T::Scalar;
  typename T::PlainObject;
  T::RowsAtCompileTime;
  T::ColsAtCompileTime;
  c.rows();
  c.cols();
  c.data();
  m.resize(c.rows(), c.cols());
} && std::is_same_v<T, typename T::PlainObject> && std::is_trivially_copyable_v<typename T::Scalar>;

namespace detail {
template <class T> constexpr bool fixed_eigen() {
  if constexpr (EigenDense<T>) {
    if constexpr (T::RowsAtCompileTime > 0 && T::ColsAtCompileTime > 0)
      return sizeof(T) == sizeof(typename T::Scalar) * T::RowsAtCompileTime * T::ColsAtCompileTime;
  }
  return false;
}
}  // namespace detail

// Plain structs (aggregates) of serializable fields need no serialize
// method: their fields, up to 16, are found by brace-initialising the struct
// with placeholders, then written and read in order. (A field whose type
// accepts anything, such as std::optional or std::any, hides the ones after
// it: such a struct needs its own serialize.)
namespace detail {
struct AnyField {
  template <class U> operator U() const;  // only in unevaluated initialisers
};
template <class T, class... A> constexpr int aggregate_fields() {
  if constexpr (sizeof...(A) > 16) {
    return -1;
  } else if constexpr (requires { T{std::declval<A>()..., AnyField{}}; }) {
    return aggregate_fields<T, A..., AnyField>();
  } else {
    return static_cast<int>(sizeof...(A));
  }
}
template <class T>
concept PlainStruct = std::is_class_v<T> && std::is_aggregate_v<T> && (aggregate_fields<T>() > 0);
template <class T, class F> void for_each_field(T& v, F&& f) {
  constexpr int n = aggregate_fields<std::remove_const_t<T>>();
  if constexpr (n == 1) {
    auto& [a] = v;
    f(a);
  } else if constexpr (n == 2) {
    auto& [a, b] = v;
    f(a); f(b);
  } else if constexpr (n == 3) {
    auto& [a, b, c] = v;
    f(a); f(b); f(c);
  } else if constexpr (n == 4) {
    auto& [a, b, c, d] = v;
    f(a); f(b); f(c); f(d);
  } else if constexpr (n == 5) {
    auto& [a, b, c, d, e] = v;
    f(a); f(b); f(c); f(d); f(e);
  } else if constexpr (n == 6) {
    auto& [a, b, c, d, e, f] = v;
    f(a); f(b); f(c); f(d); f(e); f(f);
  } else if constexpr (n == 7) {
    auto& [a, b, c, d, e, f, g] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g);
  } else if constexpr (n == 8) {
    auto& [a, b, c, d, e, f, g, h] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h);
  } else if constexpr (n == 9) {
    auto& [a, b, c, d, e, f, g, h, i] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i);
  } else if constexpr (n == 10) {
    auto& [a, b, c, d, e, f, g, h, i, j] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j);
  } else if constexpr (n == 11) {
    auto& [a, b, c, d, e, f, g, h, i, j, k] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k);
  } else if constexpr (n == 12) {
    auto& [a, b, c, d, e, f, g, h, i, j, k, l] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k); f(l);
  } else if constexpr (n == 13) {
    auto& [a, b, c, d, e, f, g, h, i, j, k, l, m] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k); f(l); f(m);
  } else if constexpr (n == 14) {
    auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k); f(l); f(m); f(n);
  } else if constexpr (n == 15) {
    auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k); f(l); f(m); f(n); f(o);
  } else if constexpr (n == 16) {
    auto& [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = v;
    f(a); f(b); f(c); f(d); f(e); f(f); f(g); f(h); f(i); f(j); f(k); f(l); f(m); f(n); f(o); f(p);
  }
}
}  // namespace detail

// True for types with a cereal-style member `serialize(Archive&)`.
template <class T>
concept HasSerializeMethod = requires(T& t, ByteWriter& w) { t.serialize(w); };
// True for types with a free `serialize(Archive&, T&)` found by ADL.
template <class T>
concept HasSerializeFunction = requires(T& t, ByteWriter& w) { serialize(w, t); };
template <class T>
concept HasSerialize = HasSerializeMethod<T> || HasSerializeFunction<T>;
// True for types that build themselves from their encoding (those without a
// default constructor need this).
template <class T>
concept HasDeserialize = requires(ByteReader& r) { { T::deserialize(r) } -> std::same_as<T>; };

// Types whose bytes are their value: trivially copyable types, pairs of
// them (std::pair is not trivially copyable only because of its assignment
// operator) and fixed-size Eigen objects, unless they serialize themselves.
// Vectors of these are encoded with one memcpy.
template <class T>
constexpr bool kBitwise = (std::is_trivially_copyable_v<T> || detail::fixed_eigen<T>()) && !HasSerialize<T>;
template <class A, class B>
constexpr bool kBitwise<std::pair<A, B>> = kBitwise<A> && kBitwise<B>;

// True for every type this encoding can write and read back.
template <class T>
concept Serializable =
    std::is_trivially_copyable_v<T> || std::is_same_v<T, std::string> || detail::IsVector<T>::value ||
    detail::IsPair<T>::value || detail::IsTuple<T>::value || detail::IsOptional<T>::value ||
    detail::IsMap<T>::value || HasSerialize<T> || EigenDense<T> || detail::PlainStruct<T>;

namespace detail {
// Serializable all the way down: the elements of containers, pairs, tuples
// and optionals too (Serializable looks at the outer type only).
template <class T> struct Encodable : std::bool_constant<Serializable<T>> {};
template <class E, class A> struct Encodable<std::vector<E, A>> : Encodable<E> {};
template <class T> struct Encodable<std::optional<T>> : Encodable<T> {};
template <class A, class B>
struct Encodable<std::pair<A, B>> : std::bool_constant<Encodable<A>::value && Encodable<B>::value> {};
template <class... Ts> struct Encodable<std::tuple<Ts...>> : std::bool_constant<(Encodable<Ts>::value && ...)> {};
template <class K, class V, class C, class A>
struct Encodable<std::map<K, V, C, A>> : std::bool_constant<Encodable<K>::value && Encodable<V>::value> {};
template <class K, class V, class H, class E, class A>
struct Encodable<std::unordered_map<K, V, H, E, A>> : std::bool_constant<Encodable<K>::value && Encodable<V>::value> {};
}  // namespace detail

// True for the types an RDD may hold: RDD<T> checks it where the RDD is
// made (the user's line), and the record codecs below then stay quiet, so
// a type without a serializer is reported once.
template <class T>
concept Record = detail::Encodable<T>::value;

// Appends encoded values to a byte string it owns (or borrows).
class ByteWriter {
 public:
  ByteWriter() : out_(&own_) {}
  explicit ByteWriter(std::string* out) : out_(out) {}

  void write_bytes(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }
  void write_size(uint64_t n) {  // LEB128: small sizes cost one byte
    while (n >= 0x80) {
      out_->push_back(static_cast<char>(n | 0x80));
      n >>= 7;
    }
    out_->push_back(static_cast<char>(n));
  }

  template <class T> void write(const T& v);
  template <class... Ts> void operator()(const Ts&... vs) { (write(vs), ...); }

  std::string& bytes() { return *out_; }

 private:
  std::string own_;
  std::string* out_;
};

// Reads values back from a byte range; throws std::runtime_error on truncation.
class ByteReader {
 public:
  ByteReader(const char* data, size_t size) : p_(data), end_(data + size) {}
  explicit ByteReader(const std::string& s) : ByteReader(s.data(), s.size()) {}

  void read_bytes(void* dst, size_t n) {
    need(n);
    if (n != 0) std::memcpy(dst, p_, n);  // dst may be null then (an empty vector's data())
    p_ += n;
  }
  uint64_t read_size() {
    uint64_t n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      auto b = static_cast<uint8_t>(*p_++);
      n |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return n;
    }
    throw std::runtime_error("corrupt record encoding: size field too long");
  }
  bool at_end() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  template <class T> void read(T& v);
  // A new value; T need not be default-constructible (see HasDeserialize).
  template <class T> T read();
  template <class... Ts> void operator()(Ts&... vs) { (read(vs), ...); }

 private:
  void need(size_t n) const {
    if (static_cast<size_t>(end_ - p_) < n) throw std::runtime_error("corrupt record encoding: truncated data");
  }
  const char* p_;
  const char* end_;
};

template <class T> void ByteWriter::write(const T& v) {
  if constexpr (HasSerializeMethod<T>) {
    const_cast<T&>(v).serialize(*this);
  } else if constexpr (HasSerializeFunction<T>) {
    serialize(*this, const_cast<T&>(v));
  } else if constexpr (kBitwise<T>) {
    write_bytes(&v, sizeof(T));
  } else if constexpr (EigenDense<T>) {
    if constexpr (T::RowsAtCompileTime < 0) write_size(static_cast<uint64_t>(v.rows()));
    if constexpr (T::ColsAtCompileTime < 0) write_size(static_cast<uint64_t>(v.cols()));
    write_bytes(v.data(), static_cast<size_t>(v.rows() * v.cols()) * sizeof(typename T::Scalar));
  } else if constexpr (std::is_same_v<T, std::string>) {
    write_size(v.size());
    write_bytes(v.data(), v.size());
  } else if constexpr (detail::IsVector<T>::value) {
    write_size(v.size());
    using E = typename T::value_type;
    if constexpr (kBitwise<E>) {
      write_bytes(v.data(), v.size() * sizeof(E));
    } else {
      for (const auto& e : v) write(e);
    }
  } else if constexpr (detail::IsPair<T>::value) {
    write(v.first);
    write(v.second);
  } else if constexpr (detail::IsTuple<T>::value) {
    std::apply([this](const auto&... es) { (write(es), ...); }, v);
  } else if constexpr (detail::IsOptional<T>::value) {
    write(static_cast<uint8_t>(v.has_value()));
    if (v) write(*v);
  } else if constexpr (detail::IsMap<T>::value) {
    write_size(v.size());
    for (const auto& [k, x] : v) {
      write(k);
      write(x);
    }
  } else if constexpr (detail::PlainStruct<T>) {
    detail::for_each_field(v, [this](const auto& field) { write(field); });
  } else {
    static_assert(Serializable<T>,
                  "brasa: this record type cannot be serialized. Use trivially copyable types, std::string, "
                  "standard containers, pairs/tuples, plain structs of these, or give the type a member "
                  "`template <class Ar> void serialize(Ar& ar) { ar(field1, field2); }`.");
  }
}

template <class T> void ByteReader::read(T& v) {
  if constexpr (std::is_same_v<T, bool>) {  // any byte but 0 is true: a bool holding another is undefined
    unsigned char b;
    read_bytes(&b, 1);
    v = b != 0;
  } else if constexpr (HasSerializeMethod<T>) {
    v.serialize(*this);
  } else if constexpr (HasSerializeFunction<T>) {
    serialize(*this, v);
  } else if constexpr (kBitwise<T>) {
    read_bytes(&v, sizeof(T));
  } else if constexpr (EigenDense<T>) {
    using S = typename T::Scalar;
    uint64_t rows = T::RowsAtCompileTime < 0 ? read_size() : static_cast<uint64_t>(T::RowsAtCompileTime);
    uint64_t cols = T::ColsAtCompileTime < 0 ? read_size() : static_cast<uint64_t>(T::ColsAtCompileTime);
    if (cols != 0 && rows > remaining() / sizeof(S) / cols)
      throw std::runtime_error("corrupt record encoding: matrix larger than data");
    v.resize(static_cast<decltype(v.rows())>(rows), static_cast<decltype(v.cols())>(cols));
    read_bytes(v.data(), rows * cols * sizeof(S));
  } else if constexpr (std::is_same_v<T, std::string>) {
    auto n = read_size();
    if (n > remaining()) throw std::runtime_error("corrupt record encoding: string longer than data");
    v.assign(p_, n);
    p_ += n;
  } else if constexpr (detail::IsVector<T>::value) {
    auto n = read_size();
    using E = typename T::value_type;
    if constexpr (kBitwise<E> && std::is_default_constructible_v<E>) {
      if (n > remaining() / (sizeof(E) ? sizeof(E) : 1))
        throw std::runtime_error("corrupt record encoding: vector longer than data");
      v.resize(n);
      read_bytes(v.data(), n * sizeof(E));
    } else {
      if (n > remaining()) throw std::runtime_error("corrupt record encoding: vector longer than data");
      v.clear();
      v.reserve(n);
      for (uint64_t i = 0; i < n; ++i) v.push_back(read<E>());
    }
  } else if constexpr (detail::IsPair<T>::value) {
    read(v.first);
    read(v.second);
  } else if constexpr (detail::IsTuple<T>::value) {
    std::apply([this](auto&... es) { (read(es), ...); }, v);
  } else if constexpr (detail::IsOptional<T>::value) {
    if (read<uint8_t>()) {
      v.emplace(read<typename T::value_type>());
    } else {
      v.reset();
    }
  } else if constexpr (detail::IsMap<T>::value) {
    auto n = read_size();
    v.clear();
    for (uint64_t i = 0; i < n; ++i) {
      auto k = read<typename T::key_type>();
      v.emplace(std::move(k), read<typename T::mapped_type>());
    }
  } else if constexpr (detail::PlainStruct<T>) {
    detail::for_each_field(v, [this](auto& field) { read(field); });
  } else {
    static_assert(Serializable<T>, "brasa: this record type cannot be deserialized (see ByteWriter::write).");
  }
}

template <class T> T ByteReader::read() {
  if constexpr (HasDeserialize<T>) {
    return T::deserialize(*this);
  } else if constexpr (std::is_default_constructible_v<T>) {
    T v{};
    read(v);
    return v;
  } else if constexpr (kBitwise<T>) {
    alignas(T) unsigned char bytes[sizeof(T)];
    read_bytes(bytes, sizeof(T));
    return std::bit_cast<T>(bytes);
  } else if constexpr (detail::IsPair<T>::value) {
    auto first = read<typename T::first_type>();
    return T(std::move(first), read<typename T::second_type>());
  } else if constexpr (detail::IsTuple<T>::value) {
    return [this]<size_t... I>(std::index_sequence<I...>) {
      return T{read<std::tuple_element_t<I, T>>()...};  // braced: left to right
    }(std::make_index_sequence<std::tuple_size_v<T>>{});
  } else {
    static_assert(HasDeserialize<T>,
                  "brasa: a record type without a default constructor needs "
                  "`static T deserialize(ByteReader& r)` to be read back.");
  }
}

// Encodes a whole partition: record count, then the records.
template <class T> void write_records(ByteWriter& w, const std::vector<T>& records) {
  if constexpr (Record<T>) w.write(records);  // else RDD<T> has said why
}
template <class T> std::vector<T> read_records(ByteReader& r) {
  if constexpr (Record<T>) return r.read<std::vector<T>>();
  return {};
}

}  // namespace brasa
