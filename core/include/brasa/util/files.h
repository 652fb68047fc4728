// Small file helpers with error messages that name the file.
#pragma once

#include <filesystem>
#include <string>

namespace brasa {

// Reads a whole file; throws std::runtime_error naming the path on failure.
std::string read_file(const std::filesystem::path& path);

// Writes a whole file via a temporary name and a rename, so readers never
// see a partial file.
void write_file_atomic(const std::filesystem::path& path, const std::string& bytes);

}  // namespace brasa
