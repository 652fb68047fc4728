// Whether brasa::init ran in this process. Cluster backends start executors
// by running this binary again, which only works if main() called init
// first; they check, so that a forgotten init is a clear error rather than
// executors that fail to start.
#pragma once

namespace brasa::detail {

void note_init();
bool init_was_called();

}  // namespace brasa::detail
