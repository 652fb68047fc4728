// brasa-master: the standalone cluster manager.
//   brasa-master --port 7077                 serve
//   brasa-master --status HOST:7077          print workers and applications
//   brasa-master --recovery-dir DIR          survive a restart (workers, applications)
#include <CLI/CLI.hpp>
#include <cstdio>

#include "brasa/context.h"
#include "brasa/deploy/standalone.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Brasa standalone cluster manager"};
  brasa::deploy::MasterOptions o;
  std::string status;
  app.add_option("--host", o.host, "address to listen on (0.0.0.0: every interface)")->capture_default_str();
  app.add_option("--port", o.port, "port to listen on (0: any)")->check(CLI::Range(0, 65535));
  app.add_option("--auth-secret", o.secret,
                 "shared secret every call must carry; visible to every user in ps: prefer "
                 "$BRASA_AUTH_SECRET_FILE (or $BRASA_AUTH_SECRET)");
  app.add_flag("--insecure", o.insecure,
               "run without a shared secret: anyone who can reach this process can run programs as this user");
  app.add_option("--webui-port", o.webui_port, "port of the status page (0: any free one, -1: none)")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  app.add_option("--recovery-dir", o.recovery_dir,
                 "keep the workers, running applications and next application id here, and take them up "
                 "again when restarted with the same directory");
  int timeout_s = o.worker_timeout_ms / 1000;
  app.add_option("--worker-timeout", timeout_s, "seconds without heartbeats after which a worker or a driver is lost")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--status", status, "print the status of the master at HOST:PORT and exit");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate this process presents (TLS needs all three)");
  app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert");
  app.add_option("--tls-ca", o.tls_ca, "PEM CA certificate that peers' certificates must chain to");
  CLI11_PARSE(app, argc, argv);
  o.worker_timeout_ms = timeout_s * 1000;
  if (!o.secret.empty())
    std::fprintf(stderr, "warning: --auth-secret is visible to every user of this machine (ps); "
                         "use BRASA_AUTH_SECRET_FILE\n");
  if (!status.empty()) {
    try {
      std::fputs(brasa::deploy::master_status(status, o.secret).c_str(), stdout);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  return brasa::deploy::run_master(o, [](int port) { std::printf("brasa-master listening on port %d\n", port); std::fflush(stdout); });
}
