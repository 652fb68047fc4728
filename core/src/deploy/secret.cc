#include "secret.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <spdlog/spdlog.h>

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

bool secret_or_insecure(const char* daemon, const std::string& secret, bool insecure) {
  if (!secret.empty()) return true;
  if (!insecure) {
    spdlog::error(
        "{}: refusing to start without a shared secret: anyone who could reach it could run programs as this user. "
        "Put one in a file readable only by you and set BRASA_AUTH_SECRET_FILE to it (on the master, the workers "
        "and the drivers), or pass --insecure to run without one",
        daemon);
    return false;
  }
  spdlog::warn("{}: --insecure: no shared secret; anyone who can reach this process can register workers, submit "
               "applications and run programs as this user",
               daemon);
  return true;
}

}  // namespace brasa::deploy
