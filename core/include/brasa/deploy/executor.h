// Executor mode. An executor is the application's own binary started again
// by the driver (local-cluster) or by a worker, with BRASA_EXECUTOR_* set in
// its environment. brasa::init notices this before any driver code runs and
// calls run_executor(), which registers with the driver, runs the tasks it
// is sent, serves its shuffle outputs to other executors, and exits when
// told to stop or when the driver is gone.
#pragma once

namespace brasa::deploy {

// Set (to the driver's host:port) in the environment of an executor process.
inline constexpr const char* kDriverEnv = "BRASA_EXECUTOR_DRIVER";

// Exit codes of an executor process.
inline constexpr int kExitStopped = 0;      // told to stop by its driver
inline constexpr int kExitFailed = 2;       // could not start or register
inline constexpr int kExitDriverGone = 4;   // its driver stopped answering
inline constexpr int kExitOrphaned = 3;     // its launcher was already gone

bool launched_as_executor();

// Serves tasks until stopped, then ends the process.
[[noreturn]] void run_executor();

}  // namespace brasa::deploy
