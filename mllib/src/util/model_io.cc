#include "util/model_io.h"

#include <charconv>
#include <filesystem>
#include <random>
#include <stdexcept>

#include "brasa/util/files.h"
#include "brasa/util/hash.h"
#include "brasa/util/json.h"

namespace brasa::mllib::detail {

namespace fs = std::filesystem;

namespace {

std::string hex(uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

// A reader of one flat JSON object; throws with `where` on anything else.
struct JsonReader {
  const std::string& s;
  const std::string& where;
  size_t pos = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(where + ": " + what + " at byte " + std::to_string(pos));
  }
  void skip() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\t' || s[pos] == '\r')) ++pos;
  }
  void expect(char c) {
    skip();
    if (pos >= s.size() || s[pos] != c) fail(std::string("expected '") + c + "'");
    ++pos;
  }
  std::string string_token() {  // the token's JSON text, quotes and escapes included
    skip();
    size_t begin = pos;
    if (pos >= s.size() || s[pos] != '"') fail("expected a string");
    for (++pos; pos < s.size() && s[pos] != '"'; ++pos)
      if (s[pos] == '\\') ++pos;
    if (pos >= s.size()) fail("unterminated string");
    ++pos;
    return s.substr(begin, pos - begin);
  }
  std::string value_token() {
    skip();
    if (pos < s.size() && s[pos] == '"') return string_token();
    size_t begin = pos;
    while (pos < s.size() && s[pos] != ',' && s[pos] != '}' && s[pos] != ' ' && s[pos] != '\n') ++pos;
    if (begin == pos) fail("expected a value");
    return s.substr(begin, pos - begin);
  }
};

std::string unquote(const std::string& token) {
  std::string out;
  for (size_t i = 1; i + 1 < token.size(); ++i) {
    if (token[i] == '\\' && i + 2 < token.size()) {
      ++i;
      if (token[i] == 'u') {
        out += static_cast<char>(std::stoi(token.substr(i + 1, 4), nullptr, 16));
        i += 4;
        continue;
      }
      out += token[i] == 'n' ? '\n' : token[i] == 't' ? '\t' : token[i];
    } else {
      out += token[i];
    }
  }
  return out;
}

}  // namespace

void Metadata::set(const std::string& key, double value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  std::string text(buf, end);
  // JSON has no NaN or infinity: keep them as strings that number() reads back.
  values_[key] = std::isfinite(value) ? text : json_quote(text);
}
void Metadata::set(const std::string& key, const std::string& value) { values_[key] = json_quote(value); }
void Metadata::set_flag(const std::string& key, bool value) { values_[key] = value ? "true" : "false"; }

double Metadata::number(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::runtime_error(where_ + ": metadata has no \"" + key + "\"");
  std::string text = it->second[0] == '"' ? unquote(it->second) : it->second;
  double out;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || ptr != text.data() + text.size())
    throw std::runtime_error(where_ + ": metadata \"" + key + "\" is not a number: " + it->second);
  return out;
}

std::string Metadata::text(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::runtime_error(where_ + ": metadata has no \"" + key + "\"");
  if (it->second.empty() || it->second[0] != '"')
    throw std::runtime_error(where_ + ": metadata \"" + key + "\" is not a string: " + it->second);
  return unquote(it->second);
}

bool Metadata::flag(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::runtime_error(where_ + ": metadata has no \"" + key + "\"");
  if (it->second != "true" && it->second != "false")
    throw std::runtime_error(where_ + ": metadata \"" + key + "\" is not true or false: " + it->second);
  return it->second == "true";
}

std::string Metadata::to_json() const {
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : values_) {
    out += first ? "\n  " : ",\n  ";
    out += json_quote(key) + ": " + value;
    first = false;
  }
  return out + "\n}\n";
}

Metadata Metadata::parse(const std::string& json, const std::string& where) {
  Metadata m;
  m.where_ = where;
  JsonReader r{json, where};
  r.expect('{');
  r.skip();
  if (r.pos < json.size() && json[r.pos] == '}') return m;
  while (true) {
    std::string key = unquote(r.string_token());
    r.expect(':');
    m.values_[key] = r.value_token();
    r.skip();
    if (r.pos < json.size() && json[r.pos] == ',') {
      ++r.pos;
      continue;
    }
    r.expect('}');
    return m;
  }
}

uint64_t model_data_hash(const std::string& data) {
  using brasa::detail::load4;
  using brasa::detail::load8;
  const char* p = data.data();
  size_t n = data.size();
  uint64_t h = brasa::detail::hash_seed(n);
  uint64_t a = 0, b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = load8(p);
      b = load8(p + n - 8);
    } else if (n >= 4) {
      a = load4(p);
      b = load4(p + n - 4);
    } else if (n > 0) {
      a = (static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
          (static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) | static_cast<unsigned char>(p[n - 1]);
    }
  } else {
    for (; n > 16; p += 16, n -= 16) h = mix64(h ^ load8(p)) + load8(p + 8);
    a = load8(p + n - 16);
    b = load8(p + n - 8);
  }
  return mix64(mix64(h ^ a) ^ b);
}

void save_model(const std::string& path, const std::string& model_class, Metadata metadata, const std::string& data,
                bool overwrite) {
  if (path.empty()) throw std::invalid_argument(model_class + ".save: the path is empty");
  fs::path target = fs::absolute(path);
  if (fs::exists(target) && !overwrite)
    throw std::runtime_error(model_class + ".save: " + path + " already exists (pass overwrite = true to replace it)");
  metadata.set("class", model_class);
  metadata.set("format_version", static_cast<double>(kModelFormatVersion));
  metadata.set("data_bytes", static_cast<double>(data.size()));
  metadata.set("data_hash", hex(model_data_hash(data)));
  fs::create_directories(target.parent_path());
  std::mt19937_64 rng(std::random_device{}());
  fs::path staging = target.string() + ".saving-" + hex(rng());
  try {
    fs::create_directory(staging);
    write_file_atomic(staging / "data.bin", data);
    write_file_atomic(staging / "metadata.json", metadata.to_json());
    if (fs::exists(target)) fs::remove_all(target);
    fs::rename(staging, target);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw std::runtime_error(model_class + ".save: cannot write " + path + ": " + e.what());
  }
}

SavedModel load_model(const std::string& path, const std::string& model_class) {
  const std::string who = model_class + ".load(" + path + ")";
  if (!fs::is_directory(path)) throw std::runtime_error(who + ": no model directory there");
  if (!fs::exists(fs::path(path) / "metadata.json")) throw std::runtime_error(who + ": metadata.json is missing");
  if (!fs::exists(fs::path(path) / "data.bin")) throw std::runtime_error(who + ": data.bin is missing");
  SavedModel m{Metadata::parse(read_file(fs::path(path) / "metadata.json"), who + ": metadata.json"),
               read_file(fs::path(path) / "data.bin")};
  std::string cls = m.metadata.text("class");
  if (cls != model_class) throw std::runtime_error(who + ": the directory holds a " + cls);
  int version = static_cast<int>(m.metadata.number("format_version"));
  if (version != kModelFormatVersion)
    throw std::runtime_error(who + ": format version " + std::to_string(version) + " is not supported (this build reads " +
                             std::to_string(kModelFormatVersion) + ")");
  if (m.metadata.number("data_bytes") != static_cast<double>(m.data.size()) ||
      m.metadata.text("data_hash") != hex(model_data_hash(m.data)))
    throw std::runtime_error(who + ": data.bin is corrupt (its size or hash differs from metadata.json)");
  return m;
}

}  // namespace brasa::mllib::detail
