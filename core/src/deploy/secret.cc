#include "secret.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace brasa::deploy {

std::string resolve_secret(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("BRASA_AUTH_SECRET"); env && *env) return env;
  if (const char* file = std::getenv("BRASA_AUTH_SECRET_FILE"); file && *file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error(std::string("cannot read the secret file ") + file);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    return secret;
  }
  return "";
}

}  // namespace brasa::deploy
