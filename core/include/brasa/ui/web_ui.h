// Watching applications: the live web UI every driver serves, and the
// history server (brasa-history) for the event logs they write.
//
// While a program runs, http://127.0.0.1:4040 (or the next free port up to
// 4056; the driver logs the address) shows its jobs, stages with their tasks,
// executors and configuration, and /api/v1/applications/... serves the same
// as JSON shaped like Spark's monitoring API. Conf keys:
//
//   brasa.ui.enabled       serve the live UI                      (default true)
//   brasa.ui.host          address it listens on                  (default 127.0.0.1)
//   brasa.ui.port          first port tried; 0 picks a free one   (default 4040)
//   brasa.eventLog.enabled write the event log                    (default false)
//   brasa.eventLog.dir     where                                  (default /tmp/brasa-events)
//   brasa.eventLog.compress through zstd, as <appId>.zst          (default false)
//
// When the application has a secret (brasa.auth.secret, $BRASA_AUTH_SECRET
// or $BRASA_AUTH_SECRET_FILE), the UI asks for it: HTTP basic
// authentication with the secret as the password and any user name.
#pragma once

#include <memory>
#include <string>

namespace brasa {

class Context;

// The live web UI's address, "http://HOST:PORT", or "" when it is off.
std::string web_ui_url(Context& ctx);

// Serves the event logs in a directory (finished, crashed and running
// applications) with the live UI's pages and API, re-reading a log when it
// changes.
class HistoryServer {
 public:
  // Port 0 picks a free port. The secret (or when empty $BRASA_AUTH_SECRET
  // or $BRASA_AUTH_SECRET_FILE) is asked for as the live UI asks for it. Throws std::runtime_error when it cannot listen or the
  // directory does not exist.
  HistoryServer(const std::string& event_log_dir, const std::string& host, int port, const std::string& secret = "");
  ~HistoryServer();
  HistoryServer(const HistoryServer&) = delete;
  HistoryServer& operator=(const HistoryServer&) = delete;

  int port() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brasa
