// HTTP for the web UI: one application's pages and API (the live UI) or
// every application of an event log directory (the history server).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app_status.h"

namespace brasa {
class Runtime;
}

namespace brasa::ui {

// A response of a daemon's own pages.
struct Page {
  std::string content_type;
  std::string body;
};

class WebServer {
 public:
  using Apps = std::function<std::vector<std::shared_ptr<const AppStatus>>()>;
  // GET path -> the page, nullopt for 404 (a daemon's status pages).
  using Pages = std::function<std::optional<Page>(const std::string& path)>;
  // Live (history = false): the only application's pages at /jobs/, ...
  // History: an index at / and each application's pages under
  // /history/{id}/. Tries ports port .. port + retries (port 0: any free
  // one); throws std::runtime_error when none is free. With a secret, every
  // request must carry it as the password of HTTP basic authentication (any
  // user name): browsers ask for it, curl takes -u :SECRET.
  WebServer(Apps apps, bool history, const std::string& host, int port, int retries, const std::string& secret);
  // Every GET answered by `pages` (brasa-master's status page).
  WebServer(Pages pages, const std::string& host, int port, const std::string& secret);
  ~WebServer();

  int port() const;
  std::string url() const;
  void stop();

 private:
  struct Impl;
  void start(const std::string& host, int port, int retries, const std::string& secret);
  std::unique_ptr<Impl> impl_;
};

// A driver's event log and live UI, as its Conf asks (brasa/ui/web_ui.h):
// listeners on the runtime's event bus, registered before its backend starts.
void start_monitoring(Runtime& runtime);

}  // namespace brasa::ui
