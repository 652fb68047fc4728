// For tests that build a project against Brasa installed into the build
// tree, as a user builds theirs (tests/examples, tests/fuzz): shell commands
// and the install, configure and build steps.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace brasa_test {

struct ShellResult {
  int code = -1;    // exit status, -1 when killed
  std::string out;  // stdout and stderr
};

inline ShellResult sh(const std::string& cmd) {
  ShellResult r;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  while (f && std::fgets(buf, sizeof buf, f)) r.out += buf;
  const int status = f ? pclose(f) : -1;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Installs the build tree into dir/prefix and builds the project in
// `source` (relative to the repository) into dir/build, with `cmake_args`.
// Returns "" or the failed step and its output. ctest runs each test in a
// process of its own: the prefix and build directory are brought up to
// date, not rebuilt, by each.
inline std::string build_against_install(const std::filesystem::path& dir, const std::string& source,
                                         const std::string& cmake_args = "") {
  const std::string prefix = (dir / "prefix").string(), build = (dir / "build").string();
  for (const std::string& step :
       {"cmake --install " + std::string(BRASA_BUILD_DIR) + " --prefix " + prefix,
        "cmake -S " + std::string(BRASA_SOURCE_DIR) + "/" + source + " -B " + build + " -G Ninja -DCMAKE_PREFIX_PATH=" +
            prefix + " -DCMAKE_CXX_COMPILER_LAUNCHER=" + BRASA_CCACHE + " " + cmake_args,
        "cmake --build " + build + " -j 2"}) {
    const ShellResult r = sh(step);
    if (r.code != 0) return step + " failed:\n" + r.out;
  }
  return "";
}

}  // namespace brasa_test
