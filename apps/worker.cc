// brasa-worker: runs executors for applications on this machine.
//   brasa-worker --master HOST:7077 --cores 2 --memory 4g --work-dir /tmp/brasa-work
#include <CLI/CLI.hpp>
#include <cstdio>

#include "brasa/conf.h"
#include "brasa/context.h"
#include "brasa/deploy/standalone.h"

int main(int argc, char** argv) {
  brasa::init(argc, argv);
  CLI::App app{"Brasa standalone worker"};
  brasa::deploy::WorkerOptions o;
  std::string memory = "4g";
  app.add_option("--master", o.master, "the master's HOST:PORT")->required();
  app.add_option("--host", o.host, "this machine's address, as the driver and other executors reach it");
  app.add_option("--port", o.port, "port of the worker's service (0: any)")->check(CLI::Range(0, 65535));
  app.add_option("--cores", o.cores, "cores to offer (default: all)")->check(CLI::NonNegativeNumber);
  app.add_option("--memory", memory, "memory to offer, e.g. 4g");
  app.add_option("--work-dir", o.work_dir, "where binaries and executor logs go")->capture_default_str();
  app.add_option("--max-binaries", o.max_binaries, "shipped application binaries kept (least recently used go)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--app-retention-hours", o.app_retention_hours,
                 "hours an ended application's directory (its executors' logs) is kept (0: for ever)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--auth-secret", o.secret,
                 "shared secret every call must carry; visible to every user in ps: prefer "
                 "$BRASA_AUTH_SECRET_FILE (or $BRASA_AUTH_SECRET)");
  app.add_flag("--insecure", o.insecure,
               "run without a shared secret: anyone who can reach this process can run programs as this user");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate this process presents (TLS needs all three)");
  app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert");
  app.add_option("--tls-ca", o.tls_ca, "PEM CA certificate that peers' certificates must chain to");
  CLI11_PARSE(app, argc, argv);
  if (!o.secret.empty())
    std::fprintf(stderr, "warning: --auth-secret is visible to every user of this machine (ps); "
                         "use BRASA_AUTH_SECRET_FILE\n");
  try {
    o.memory_bytes = brasa::parse_bytes(memory);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "--memory: %s\n", e.what());
    return 2;
  }
  return brasa::deploy::run_worker(o);
}
