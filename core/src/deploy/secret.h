// The shared secret of a cluster (and of the web UI), wherever it is given.
#pragma once

#include <string>

namespace brasa::deploy {

// `configured` if set, else $BRASA_AUTH_SECRET, else the contents of
// $BRASA_AUTH_SECRET_FILE (trailing newline dropped), else "". Throws
// std::runtime_error naming the file when it cannot be read.
std::string resolve_secret(const std::string& configured);

}  // namespace brasa::deploy
