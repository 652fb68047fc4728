// Saved models: data_hash is computed as when the format was made, so a
// model saved by an older build still loads after the core's hash changes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "util/model_io.h"

namespace model_io_test {

using brasa::mllib::detail::model_data_hash;

TEST(ModelFiles, DataHashIsTheFormatsOwn) {
  // Values of the byte hash the format was made with (the core's
  // hash_bytes before December 2026).
  EXPECT_EQ(model_data_hash(std::string(1000, 'x')), 0x11b09de7b4510048ULL);
  EXPECT_EQ(model_data_hash("abc"), 0xe81651df639efab5ULL);
  EXPECT_EQ(model_data_hash("0123456789abcdefXYZ"), 0x843b7d7bd098cd3bULL);
}

TEST(ModelFiles, SavedDataLoadsAndChangedDataDoesNot) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("brasa-model-io-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  brasa::mllib::detail::Metadata metadata;
  metadata.set("note", std::string("test"));
  const std::string data(4096, '\x7f');
  brasa::mllib::detail::save_model(dir.string(), "Test", metadata, data, false);
  EXPECT_EQ(brasa::mllib::detail::load_model(dir.string(), "Test").data, data);
  {
    std::string other = data;
    other[100] = 0;
    std::FILE* f = std::fopen((dir / "data.bin").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(other.data(), 1, other.size(), f);
    std::fclose(f);
  }
  EXPECT_THROW(brasa::mllib::detail::load_model(dir.string(), "Test"), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace model_io_test
