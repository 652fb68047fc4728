// Fuzzes the record decoder (brasa/util/serializer.h), which reads every
// record, shuffle block, broadcast and task result that crosses a process
// boundary. The first byte picks a record type; the rest is decoded as one
// record. Bad bytes must give std::runtime_error, never a crash or an
// allocation the input cannot justify; bytes that decode must round-trip:
// encoding the value and decoding that gives the same encoding.
#include <Eigen/Dense>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "brasa/util/serializer.h"

namespace {

// A user's record with its own serialize method.
struct Rating {
  int32_t user = 0, item = 0;
  float rating = 0;
  std::string comment;
  template <class Ar> void serialize(Ar& ar) { ar(user, item, rating, comment); }
};

template <class T> void check(const char* data, size_t size) {
  T value{};
  try {
    brasa::ByteReader r(data, size);
    r.read(value);
  } catch (const std::runtime_error&) {
    return;  // refused, as it should be
  }
  std::string once;
  brasa::ByteWriter(&once).write(value);
  T again{};
  brasa::ByteReader r(once);
  r.read(again);  // what was written must read back: an exception here is a bug
  if (!r.at_end()) std::abort();
  if constexpr (brasa::detail::IsMap<T>::value) {
    if (again != value) std::abort();  // an unordered map's encoding follows its hash order
  } else {
    std::string twice;
    brasa::ByteWriter(&twice).write(again);
    if (once != twice) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  const char* data = reinterpret_cast<const char*>(bytes) + 1;
  const size_t n = size - 1;
  switch (bytes[0] % 10) {
    case 0: check<std::string>(data, n); break;
    case 1: check<std::vector<int64_t>>(data, n); break;
    case 2: check<std::vector<std::string>>(data, n); break;
    case 3: check<std::pair<std::string, double>>(data, n); break;
    case 4: check<std::map<std::string, std::vector<int32_t>>>(data, n); break;
    case 5: check<std::tuple<int64_t, std::string, std::optional<int32_t>>>(data, n); break;
    case 6: check<std::unordered_map<int64_t, std::string>>(data, n); break;
    case 7: check<Eigen::VectorXd>(data, n); break;
    case 8: check<Eigen::MatrixXf>(data, n); break;
    case 9: check<std::vector<std::pair<Rating, std::vector<std::vector<int8_t>>>>>(data, n); break;
  }
  return 0;
}
