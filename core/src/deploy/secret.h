// The shared secret of a cluster (and of the web UI), wherever it is given.
#pragma once

#include <string>

namespace brasa::deploy {

// `configured` if set, else $BRASA_AUTH_SECRET, else the contents of
// $BRASA_AUTH_SECRET_FILE (trailing newline dropped), else "". Throws
// std::runtime_error naming the file when it cannot be read.
std::string resolve_secret(const std::string& configured);

// A daemon (brasa-master, brasa-worker) runs without a secret only when told
// to: false, after logging why and what to do, when `secret` is empty and
// not `insecure`; a warning when it runs without one.
bool secret_or_insecure(const char* daemon, const std::string& secret, bool insecure);

}  // namespace brasa::deploy
