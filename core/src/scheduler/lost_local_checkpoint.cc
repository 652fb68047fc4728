#include "brasa/scheduler/lost_local_checkpoint.h"

#include <spdlog/spdlog.h>

namespace brasa::detail {

void log_restart(const std::string& algorithm, const std::string& why, int restart, int max_restarts) {
  spdlog::warn("{}: {}; starting it again from its input (restart {} of at most {})", algorithm, why, restart,
               max_restarts);
}

}  // namespace brasa::detail
