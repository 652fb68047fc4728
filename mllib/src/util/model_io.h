// Model directories: metadata.json (class, format version, parameters, and
// the size and hash of the data) beside data.bin (the model's numbers in
// the core's binary encoding). Saving is atomic: the directory appears
// whole or not at all. Loading checks the class, version, size and hash,
// and names the directory and what is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace brasa::mllib::detail {

// A flat JSON object of scalar values: numbers are kept as their text.
class Metadata {
 public:
  void set(const std::string& key, double value);
  void set(const std::string& key, const std::string& value);
  void set(const std::string& key, bool value) = delete;
  void set_flag(const std::string& key, bool value);

  // Throw std::runtime_error naming `where` and the key when missing or of another type.
  double number(const std::string& key) const;
  std::string text(const std::string& key) const;
  bool flag(const std::string& key) const;

  std::string to_json() const;
  static Metadata parse(const std::string& json, const std::string& where);

 private:
  std::map<std::string, std::string> values_;  // JSON text of each value
  std::string where_;
};

inline constexpr int kModelFormatVersion = 1;

// The data_hash of a model's data.bin: a frozen copy of the core's byte
// hash as it was when the format was made, so that the core may change its
// own (as it did in December 2026) without making saved models unreadable.
uint64_t model_data_hash(const std::string& data);

// Writes `path` (refused if it exists unless overwrite) with `metadata`
// plus class, format_version, data_bytes and data_hash, and `data`.
void save_model(const std::string& path, const std::string& model_class, Metadata metadata, const std::string& data,
                bool overwrite);

struct SavedModel {
  Metadata metadata;
  std::string data;
};
SavedModel load_model(const std::string& path, const std::string& model_class);

}  // namespace brasa::mllib::detail
