#include "web_server.h"

#include <httplib.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "brasa/context.h"
#include "brasa/runtime.h"
#include "brasa/scheduler/event_bus.h"
#include "brasa/ui/web_ui.h"
#include "brasa/util/json.h"
#include "../deploy/secret.h"
#include "event_log.h"

namespace fs = std::filesystem;

namespace brasa::ui {

namespace {

void not_found(httplib::Response& res, const std::string& what) {
  res.status = 404;
  res.set_content("{\"error\":" + json_quote("no " + what) + "}", "application/json");
}

std::string index_page(const std::vector<std::shared_ptr<const AppStatus>>& apps) {
  std::string rows;
  for (const auto& app : apps) {
    const AppInfo& info = app->info();
    const double end = app->end_time();
    rows += "<tr><td><a href=\"/history/" + html_escape(info.id) + "/jobs/\">" + html_escape(info.id) +
            "</a></td><td>" + html_escape(info.name) + "</td><td>" + display_time(info.start_time) + "</td><td>" +
            (end > 0 ? display_time(end) : "incomplete") + "</td><td>" + html_escape(info.user) + "</td></tr>";
  }
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Brasa history</title><style>"
         "body{font-family:system-ui,sans-serif;margin:16px}table{border-collapse:collapse}"
         "th,td{border:1px solid #ddd;padding:4px 8px}</style></head><body><h2>Brasa history</h2><table "
         "id=\"applications\"><tr><th>App Id</th><th>Name</th><th>Started</th><th>Completed</th><th>User</th></tr>" +
         rows + "</table></body></html>";
}

std::string base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, buffer = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) break;  // '=' padding or garbage ends it
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

// Compares in a time that does not depend on where the strings differ.
bool same_secret(const std::string& given, const std::string& secret) {
  if (given.size() != secret.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ secret[i]);
  return diff == 0;
}

bool authorized(const httplib::Request& req, const std::string& secret) {
  const std::string header = req.get_header_value("Authorization");
  if (header.rfind("Basic ", 0) != 0) return false;
  const std::string credentials = base64_decode(std::string_view(header).substr(6));
  const size_t colon = credentials.find(':');
  return colon != std::string::npos && same_secret(credentials.substr(colon + 1), secret);
}

}  // namespace

struct WebServer::Impl {
  Apps apps;
  Pages pages;
  bool history = false;
  std::string host;
  int port = 0;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> listened{false};  // listen_after_bind returned

  std::shared_ptr<const AppStatus> find(const std::string& id) const {
    for (auto& app : apps())
      if (app->info().id == id) return app;
    return nullptr;
  }

  void routes(const std::string& secret) {
    if (!secret.empty())
      server.set_pre_routing_handler([secret](const httplib::Request& req, httplib::Response& res) {
        if (authorized(req, secret)) return httplib::Server::HandlerResponse::Unhandled;
        res.status = 401;
        res.set_header("WWW-Authenticate", "Basic realm=\"Brasa\"");
        res.set_content("the password is the application's secret (brasa.auth.secret)\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      });
    if (pages) {
      server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
        auto page = pages(req.path);
        if (!page) return not_found(res, "page " + req.path);
        res.set_content(page->body, page->content_type.c_str());
      });
      return;
    }
    server.Get("/api/v1/applications", [this](const httplib::Request&, httplib::Response& res) {
      std::string out = "[";
      for (const auto& app : apps()) out += (out.size() > 1 ? "," : "") + app->application_json();
      res.set_content(out + "]", "application/json");
    });
    server.Get(R"(/api/v1/applications/([^/]+)(/.*)?)", [this](const httplib::Request& req, httplib::Response& res) {
      auto app = find(req.matches[1]);
      if (!app) return not_found(res, "application " + std::string(req.matches[1]));
      const std::string rest = req.matches[2];
      if (rest.empty() || rest == "/") return res.set_content(app->application_json(), "application/json");
      auto body = app->api(rest, req.params);
      if (!body) return not_found(res, rest + " in application " + app->info().id);
      res.set_content(*body, "application/json");
    });
    if (history) {
      server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(index_page(apps()), "text/html; charset=utf-8");
      });
      server.Get(R"(/history/([^/]+)(/.*)?)", [this](const httplib::Request& req, httplib::Response& res) {
        auto app = find(req.matches[1]);
        if (!app) return not_found(res, "application " + std::string(req.matches[1]));
        auto body = app->page(req.matches[2], req.params, "/history/" + app->info().id);
        if (!body) return not_found(res, "page " + req.path);
        res.set_content(*body, "text/html; charset=utf-8");
      });
    } else {
      server.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/jobs/"); });
      server.Get(R"(/(jobs|stages|storage|executors|environment)(/.*)?)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   auto all = apps();
                   auto body = all.empty() ? std::nullopt : all[0]->page(req.path, req.params, "");
                   if (!body) return not_found(res, "page " + req.path);
                   res.set_content(*body, "text/html; charset=utf-8");
                 });
    }
  }
};

WebServer::WebServer(Apps apps, bool history, const std::string& host, int port, int retries,
                     const std::string& secret)
    : impl_(std::make_unique<Impl>()) {
  impl_->apps = std::move(apps);
  impl_->history = history;
  start(host, port, retries, secret);
}

WebServer::WebServer(Pages pages, const std::string& host, int port, const std::string& secret)
    : impl_(std::make_unique<Impl>()) {
  impl_->pages = std::move(pages);
  start(host, port, 0, secret);
}

void WebServer::start(const std::string& host, int port, int retries, const std::string& secret) {
  Impl& s = *impl_;
  s.host = host;
  s.server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would
  // let a second driver share port 4040 instead of moving to 4041.
  s.server.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.server.set_keep_alive_timeout(2);
  s.routes(secret);
  if (port == 0) {
    s.port = s.server.bind_to_any_port(host);
  } else {
    for (int p = port; p <= port + retries && s.port <= 0; ++p)
      if (s.server.bind_to_port(host, p)) s.port = p;
  }
  if (s.port <= 0)
    throw std::runtime_error("web UI: cannot listen on " + host + " port " + std::to_string(port) +
                             (retries > 0 ? " to " + std::to_string(port + retries) : "") + " (brasa.ui.port)");
  s.thread = std::thread([&s] {
    s.server.listen_after_bind();
    s.listened = true;
  });
  // httplib's stop() does nothing before the server runs: a Context that
  // ends at once must not leave it listening forever.
  while (!s.server.is_running() && !s.listened) std::this_thread::sleep_for(std::chrono::microseconds(50));
}

WebServer::~WebServer() { stop(); }

void WebServer::stop() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int WebServer::port() const { return impl_->port; }

std::string WebServer::url() const { return "http://" + impl_->host + ":" + std::to_string(impl_->port); }

namespace {

// The live UI: the application's status, kept up to date from the bus, and
// the server that shows it.
class LiveUI : public Listener {
 public:
  LiveUI(const AppInfo& info, const std::string& host, int port, const std::string& secret)
      : status_(std::make_shared<AppStatus>(info)),
        server_([status = status_] { return std::vector<std::shared_ptr<const AppStatus>>{status}; }, false, host,
                port, port == 0 ? 0 : 16, secret) {
    spdlog::info("{}: web UI at {}", info.name, server_.url());
  }
  void on_event(const Event& e) override { status_->on_event(e); }
  std::string url() const { return server_.url(); }

 private:
  std::shared_ptr<AppStatus> status_;
  WebServer server_;
};

AppInfo app_info(const Conf& conf, int threads) {
  AppInfo info;
  info.start_time = epoch_seconds();
  const std::time_t t = static_cast<std::time_t>(info.start_time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  // Unique on the machine: a process may run several Contexts.
  static std::atomic<int> contexts{0};
  info.id = "app-" + std::string(stamp) + "-" + std::to_string(::getpid()) + "-" + std::to_string(contexts++);
  info.name = conf.app_name();
  info.master = conf.master();
  if (const passwd* pw = ::getpwuid(::getuid())) info.user = pw->pw_name;
  std::error_code ec;
  info.binary = fs::read_symlink("/proc/self/exe", ec).string();
  info.cores = threads;
  info.conf = conf.all();
  return info;
}

}  // namespace

void start_monitoring(Runtime& runtime) {
  const Conf& conf = runtime.conf();
  const bool log = conf.get_bool("brasa.eventLog.enabled", false);
  const bool live = conf.get_bool("brasa.ui.enabled", true);
  if (!log && !live) return;
  const AppInfo info = app_info(conf, runtime.threads());
  if (log)
    runtime.events().add_listener(
        std::make_shared<EventLogWriter>(conf.get("brasa.eventLog.dir", "/tmp/brasa-events"), info,
                                         conf.get_bool("brasa.eventLog.compress", false)));
  if (live) {
    const auto port = conf.get_int("brasa.ui.port", 4040);
    if (port < 0 || port > 65535)
      throw std::invalid_argument("brasa.ui.port must be a port number (0 picks a free one), got " +
                                  std::to_string(port));
    try {
      runtime.events().add_listener(std::make_shared<LiveUI>(info, conf.get("brasa.ui.host", "127.0.0.1"),
                                                             static_cast<int>(port),
                                                             deploy::resolve_secret(conf.get("brasa.auth.secret", ""))));
    } catch (const std::runtime_error& e) {
      spdlog::warn("{}; running without it", e.what());
    }
  }
}

}  // namespace brasa::ui

namespace brasa {

std::string web_ui_url(Context& ctx) {
  for (const auto& listener : ctx.runtime().events().listeners())
    if (auto* ui = dynamic_cast<ui::LiveUI*>(listener.get())) return ui->url();
  return "";
}

// ---- the history server ----

struct HistoryServer::Impl {
  std::string dir;
  std::mutex mu;
  struct Loaded {
    fs::file_time_type mtime;
    uintmax_t size = 0;
    std::shared_ptr<const ui::AppStatus> app;
  };
  std::map<std::string, Loaded> logs;  // file path -> what it held when last read
  std::unique_ptr<ui::WebServer> server;

  // Every application in the directory, newest first; a log is read again
  // when its size or time changed.
  std::vector<std::shared_ptr<const ui::AppStatus>> apps() {
    std::lock_guard lock(mu);
    std::map<std::string, Loaded> seen;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file(ec)) continue;
      const std::string path = entry.path().string();
      const auto mtime = entry.last_write_time(ec);
      const auto size = entry.file_size(ec);
      auto it = logs.find(path);
      if (it != logs.end() && it->second.mtime == mtime && it->second.size == size) {
        seen[path] = it->second;
        continue;
      }
      // Not a log: remembered too, so that it is not read on every request.
      seen[path] = Loaded{mtime, size, ui::replay_event_log(path)};
    }
    logs = std::move(seen);
    std::vector<std::shared_ptr<const ui::AppStatus>> out;
    for (const auto& [path, loaded] : logs)
      if (loaded.app) out.push_back(loaded.app);
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a->info().start_time > b->info().start_time; });
    return out;
  }
};

HistoryServer::HistoryServer(const std::string& event_log_dir, const std::string& host, int port,
                             const std::string& secret)
    : impl_(std::make_unique<Impl>()) {
  if (!fs::is_directory(event_log_dir))
    throw std::runtime_error("--event-log-dir " + event_log_dir + ": not a directory");
  impl_->dir = event_log_dir;
  impl_->server =
      std::make_unique<ui::WebServer>([impl = impl_.get()] { return impl->apps(); }, true, host, port, 0, deploy::resolve_secret(secret));
}

HistoryServer::~HistoryServer() { stop(); }

int HistoryServer::port() const { return impl_->server->port(); }

void HistoryServer::stop() { impl_->server->stop(); }

}  // namespace brasa
