// The event log: one JSON object per line, per application, so that
// brasa-history can show a finished (or crashed) application as its live UI
// did. Format 1:
//
//   {"event":"LogStart","format":1,"brasaVersion":..,"appId":..,"appName":..,"master":..,"user":..,
//    "binary":..,"cores":..,"startTime":<epoch s>,"conf":{"key":"value",...}}
//   {"event":"JobStart","time":<epoch s>,"job":0,"stage":-1,"partition":-1,"tasks":2,"ok":true,
//    "seconds":0,"name":"count at x.cc:12","error":"","executor":-1,"iteration":-1,"value":0}
//   (StageSubmitted adds "parents":[stage ids]; TaskEnd adds its metrics that
//   are not zero as "metrics.<TaskMetrics field>":<integer>, e.g.
//   "metrics.records_read":120; RddPersisted, BlockUpdated and
//   RddUnpersisted carry "rdd", "memory", "disk" and "level"; NaN and
//   infinities are null)
//   ... one line per scheduler event (Event's fields; "event" is event_type_name) ...
//   {"event":"ApplicationEnd","time":<epoch s>}
//
// The writer appends to DIR/<appId>.inprogress (a new file only its owner
// reads; secrets in the settings redacted), flushing every 100 ms and at
// each job's end, and renames it to DIR/<appId> when the application ends.
// A log without ApplicationEnd (a crash) is read up to its last whole line
// and shown as incomplete.
//
// With brasa.eventLog.compress=true the same lines go through zstd (one
// frame, DIR/<appId>.zst[.inprogress]; zstdcat reads it). Each flush ends a
// zstd block, so a crashed application's log still decodes up to its last
// flush. The reader recognises zstd by its magic number, not by the name.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <spdlog/fmt/fmt.h>

#include "app_status.h"

namespace brasa::ui {

class EventLogWriter : public Listener {
 public:
  // Throws std::runtime_error naming the directory when it cannot write there.
  EventLogWriter(const std::string& dir, const AppInfo& info, bool compress = false);
  ~EventLogWriter() override;  // writes ApplicationEnd and renames the file

  void on_event(const Event& e) override;
  void on_tick() override;

 private:
  class Sink;  // the file, plain or through zstd
  void write_line(const std::string& line);
  fmt::memory_buffer buffer_;  // one line
  std::string path_;           // while in progress
  std::string final_path_;
  std::unique_ptr<Sink> sink_;
};

// The application a log describes, its events replayed; nullptr when the
// file is not an event log (no LogStart line).
std::unique_ptr<AppStatus> replay_event_log(const std::string& path);

}  // namespace brasa::ui
