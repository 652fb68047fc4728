// brasa-history: the history server. Shows the applications whose event
// logs are in a directory (programs run with brasa.eventLog.enabled=true)
// with the live web UI's pages and REST API.
//
//   brasa-history --event-log-dir /tmp/brasa-events [--host 127.0.0.1] [--port 18080]
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>

#include "brasa/ui/web_ui.h"

int main(int argc, char** argv) {
  CLI::App app{"Brasa history server: finished applications from their event logs"};
  std::string dir = "/tmp/brasa-events", host = "127.0.0.1";
  int port = 18080;
  app.add_option("--event-log-dir", dir, "directory of event logs (brasa.eventLog.dir)")->capture_default_str();
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0: any free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Served until SIGINT or SIGTERM.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  try {
    brasa::HistoryServer server(dir, host, port);
    std::printf("brasa-history: http://%s:%d serves %s\n", host.c_str(), server.port(), dir.c_str());
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "brasa-history: %s\n", e.what());
    return 1;
  }
  return 0;
}
