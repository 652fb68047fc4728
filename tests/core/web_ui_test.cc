// The web UI, its REST API and the event log, over real HTTP: counts of
// jobs, stages and tasks against what the jobs did, escaping of user
// strings, failures, the history server against the live UI, a log cut
// short by a crash, and the event bus's bounded queue.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "brasa/scheduler/event_bus.h"
#include "brasa/util/files.h"
#include "brasa/ui/web_ui.h"
#include "test_util.h"
#include "ui/app_status.h"

namespace {

using brasa_test::make_context;
namespace fs = std::filesystem;

// GET url + path; fails the test unless the status is `expect`.
std::string get(const std::string& url, const std::string& path, int expect = 200, const std::string& secret = "") {
  httplib::Client client(url);
  client.set_connection_timeout(5);
  if (!secret.empty()) client.set_basic_auth("anyone", secret.c_str());
  auto res = client.Get(path.c_str());
  EXPECT_TRUE(res) << url << path << ": no response";
  if (!res) return "";
  EXPECT_EQ(res->status, expect) << url << path << ": " << res->body;
  return res->body;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The integer after "key": in a JSON text (the first one).
int64_t field(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":(-?[0-9]+)"))) {
    ADD_FAILURE() << "no " << key << " in " << json;
    return -1;
  }
  return std::stoll(m[1]);
}

// The sum of every integer after "key": in a JSON text (one per executor, say).
int64_t sum_of(const std::string& json, const std::string& key) {
  int64_t sum = 0;
  const std::regex value("\"" + key + "\":([0-9]+)");
  for (std::sregex_iterator it(json.begin(), json.end(), value), end; it != end; ++it) sum += std::stoll((*it)[1]);
  return sum;
}

std::string app_id(const std::string& url) {
  const std::string apps = get(url, "/api/v1/applications");
  std::smatch m;
  EXPECT_TRUE(std::regex_search(apps, m, std::regex("\"id\":\"([^\"]+)\""))) << apps;
  return m.size() > 1 ? m[1].str() : "";
}

// Two jobs: a shuffle (4 map tasks, 3 reduce tasks) and a count of 5
// partitions.
void run_jobs(brasa::Context& ctx) {
  auto pairs = ctx.parallelize(brasa_test::iota_vec(1000), 4).map([](int x) { return std::pair{x % 10, 1}; });
  EXPECT_EQ(pairs.reduce_by_key([](int a, int b) { return a + b; }, 3).count(), 10);
  EXPECT_EQ(ctx.parallelize(brasa_test::iota_vec(100), 5).count(), 100);
  ctx.runtime().events().flush();
}

TEST(WebUI, RestCountsAreWhatTheJobsDid) {
  auto ctx = make_context("", {{"brasa.ui.enabled", "true"}, {"brasa.ui.port", "0"}});
  const std::string url = brasa::web_ui_url(*ctx);
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  run_jobs(*ctx);
  const std::string id = app_id(url);
  const std::string base = "/api/v1/applications/" + id;

  const std::string jobs = get(url, base + "/jobs");
  EXPECT_EQ(count(jobs, "\"status\":\"SUCCEEDED\""), 2) << jobs;
  const std::string shuffle_job = get(url, base + "/jobs/0");
  EXPECT_EQ(field(shuffle_job, "numTasks"), 7) << shuffle_job;
  EXPECT_EQ(field(shuffle_job, "numCompletedTasks"), 7);
  EXPECT_EQ(field(shuffle_job, "numCompletedStages"), 2);
  EXPECT_EQ(field(get(url, base + "/jobs/1"), "numCompletedTasks"), 5);
  get(url, base + "/jobs/7", 404);

  const std::string stages = get(url, base + "/stages");
  EXPECT_EQ(count(stages, "\"status\":\"COMPLETE\""), 3) << stages;
  const std::string stage_id = std::to_string(field(stages, "stageId"));  // the newest: the count's, 5 tasks
  const std::string tasks = get(url, base + "/stages/" + stage_id + "/0/taskList?length=100");
  EXPECT_EQ(count(tasks, "\"status\":\"SUCCESS\""), 5) << tasks;
  EXPECT_EQ(count(get(url, base + "/stages/" + stage_id + "/0/taskList?offset=3&length=100"), "\"taskId\""), 2);
  const std::string summary = get(url, base + "/stages/" + stage_id + "/0/taskSummary");
  EXPECT_NE(summary.find("\"quantiles\":[0.000000,0.250000,0.500000,0.750000,1.000000]"), std::string::npos)
      << summary;
  get(url, base + "/stages/" + stage_id + "/0/taskSummary?quantiles=2", 404);

  const std::string executors = get(url, base + "/executors");
  if (brasa_test::on_cluster()) {
    EXPECT_EQ(count(executors, "\"isActive\":true"), 2) << executors;
    // Executors on this machine listen on Unix sockets, whose names mean
    // nothing to a reader: the page says where they run instead.
    EXPECT_EQ(count(executors, "\"hostPort\":\"localhost (pid ") + count(executors, "\"hostPort\":\"127."), 2)
        << executors;  // (127.0.0.1:port with TLS, which needs TCP)
    EXPECT_EQ(count(executors, "unix-abstract"), 0) << executors;
  } else {
    EXPECT_EQ(field(executors, "completedTasks"), 12) << executors;
  }
  const std::string env = get(url, base + "/environment");
  EXPECT_NE(env.find("[\"brasa.ui.port\",\"0\"]"), std::string::npos) << env;

  // The pages name the jobs and stages.
  const std::string page = get(url, "/jobs/");
  EXPECT_NE(page.find("href=\"/jobs/job/?id=1\""), std::string::npos);
  EXPECT_NE(get(url, "/stages/stage/?id=" + stage_id + "&attempt=0").find("Summary of 5 completed tasks"),
            std::string::npos);
  get(url, "/stages/stage/?id=999", 404);
  // The shuffle job's DAG: two stages, the result stage reading the map stage.
  const std::string job_page = get(url, "/jobs/job/?id=0");
  const size_t svg = job_page.find("<svg id=\"dag\"");
  ASSERT_NE(svg, std::string::npos);
  const std::string dag = job_page.substr(svg, job_page.find("</svg>", svg) - svg);
  EXPECT_EQ(count(dag, "<rect"), 2) << dag;
  EXPECT_EQ(count(dag, "<line"), 1) << dag;
  std::smatch first_stage;
  ASSERT_TRUE(std::regex_search(shuffle_job, first_stage, std::regex("\"stageIds\":\\[([0-9]+),")));
  const std::string map_stage = first_stage[1];
  EXPECT_EQ(count(get(url, base + "/stages"), "\"parentIds\":[" + map_stage + "]"), 1);
  get(url, "/executors/");
  get(url, "/environment/");
}

// Task metrics, summed over a stage's tasks, are what the job did: the
// lines it read, the records its shuffle moved and the output it wrote.
TEST(WebUI, TaskMetricsAddUpToWhatTheJobDid) {
  brasa_test::TempDir dir;
  const fs::path input = dir.path() / "lines.txt";
  {
    std::ofstream out(input);
    for (int i = 0; i < 1000; ++i) out << "line " << i << "\n";
  }
  auto ctx = make_context("", {{"brasa.ui.enabled", "true"}, {"brasa.ui.port", "0"}});
  const std::string url = brasa::web_ui_url(*ctx);
  const fs::path output = dir.path() / "out";
  ctx->text_file(input.string(), 4)
      .map([](const std::string& line) { return std::pair{std::stoi(line.substr(5)) % 5, 1}; })
      .reduce_by_key([](int a, int b) { return a + b; }, 3)
      .save_as_text_file(output.string());
  ctx->runtime().events().flush();
  const std::string base = "/api/v1/applications/" + app_id(url);

  const std::string job = get(url, base + "/jobs/0");
  std::smatch ids;
  ASSERT_TRUE(std::regex_search(job, ids, std::regex("\"stageIds\":\\[([0-9]+),([0-9]+)\\]"))) << job;
  const std::string map_stage = get(url, base + "/stages/" + ids[1].str() + "/0");
  const std::string result_stage = get(url, base + "/stages/" + ids[2].str() + "/0");
  EXPECT_EQ(field(map_stage, "inputRecords"), 1000) << map_stage;
  EXPECT_EQ(field(map_stage, "inputBytes"), static_cast<int64_t>(fs::file_size(input)));
  const int64_t moved = field(map_stage, "shuffleWriteRecords");
  EXPECT_EQ(moved, 5 * field(map_stage, "numTasks"));  // every map task has all 5 keys, combined on its side
  EXPECT_GT(field(map_stage, "shuffleWriteBytes"), 0);
  EXPECT_EQ(field(result_stage, "shuffleReadRecords"), moved) << result_stage;
  EXPECT_EQ(field(result_stage, "outputRecords"), 5);  // one line per key
  int64_t written = 0;
  for (auto& f : fs::directory_iterator(output))
    if (f.path().filename().string().rfind("part-", 0) == 0) written += static_cast<int64_t>(fs::file_size(f));
  EXPECT_EQ(field(result_stage, "outputBytes"), written);
  if (brasa_test::on_cluster()) {  // the reducers read the other executor's map outputs from its files on this host
    EXPECT_GT(field(result_stage, "shuffleLocalBytesRead"), 0) << result_stage;
    EXPECT_EQ(field(result_stage, "shuffleRemoteBytesRead"), 0) << result_stage;
  }

  // Each task reports where it ran and what it did; the quantiles cover them.
  const std::string tasks = get(url, base + "/stages/" + ids[1].str() + "/0/taskList?length=100");
  EXPECT_NE(tasks.find("\"inputMetrics\":{\"bytesRead\":"), std::string::npos) << tasks;
  const int n_tasks = count(tasks, "\"taskId\"");
  EXPECT_GE(n_tasks, 4);
  EXPECT_EQ(count(tasks, "\"executorId\":\"driver\""), brasa_test::on_cluster() ? 0 : n_tasks) << tasks;
  const std::string summary = get(url, base + "/stages/" + ids[1].str() + "/0/taskSummary?quantiles=1.0");
  std::smatch most;
  ASSERT_TRUE(std::regex_search(summary, most, std::regex("\"recordsRead\":\\[([0-9.]+)\\]"))) << summary;
  EXPECT_GT(std::stod(most[1]), 0);
  EXPECT_LE(std::stod(most[1]), 1000);

  // Executors add up their tasks' input; the stage page shows the metric rows.
  const std::string executors = get(url, base + "/allexecutors");
  EXPECT_EQ(sum_of(executors, "totalInputBytes"), static_cast<int64_t>(fs::file_size(input))) << executors;
  const std::string page = get(url, "/stages/stage/?id=" + ids[1].str() + "&attempt=0");
  EXPECT_NE(page.find("<td>Input records</td>"), std::string::npos);
  EXPECT_NE(page.find("<td>Shuffle write records</td>"), std::string::npos);
}

// The storage page and API list a persisted RDD's cached partitions, where
// they are and their sizes, until it is unpersisted; the event log carries
// them to the history server.
TEST(WebUI, StorageShowsCachedPartitionsUntilUnpersisted) {
  brasa_test::TempDir dir;
  auto ctx = make_context("", {{"brasa.ui.enabled", "true"},
                               {"brasa.ui.port", "0"},
                               {"brasa.eventLog.enabled", "true"},
                               {"brasa.eventLog.dir", dir.path().string()}});
  const std::string url = brasa::web_ui_url(*ctx);
  auto squares = ctx->parallelize(brasa_test::iota_vec(10000), 4).map([](int x) { return int64_t{x} * x; });
  squares.set_name("squares <b>").persist(brasa::StorageLevel::memory_only());
  EXPECT_EQ(squares.count(), 10000);
  ctx->runtime().events().flush();
  const std::string id = app_id(url);
  const std::string base = "/api/v1/applications/" + id;

  const std::string rdds = get(url, base + "/storage/rdd");
  EXPECT_EQ(field(rdds, "numPartitions"), 4) << rdds;
  EXPECT_EQ(field(rdds, "numCachedPartitions"), 4) << rdds;
  EXPECT_GE(field(rdds, "memoryUsed"), 10000 * 8) << rdds;  // 10,000 int64 records
  EXPECT_EQ(field(rdds, "diskUsed"), 0);
  EXPECT_NE(rdds.find("\"storageLevel\":\"MEMORY_ONLY\""), std::string::npos) << rdds;
  const std::string rdd_id = std::to_string(field(rdds, "id"));
  const std::string one = get(url, base + "/storage/rdd/" + rdd_id);
  EXPECT_EQ(count(one, "\"blockName\":\"rdd_" + rdd_id + "_"), 4) << one;
  EXPECT_EQ(count(one, "\"executors\":[\"driver\"]"), brasa_test::on_cluster() ? 0 : 4) << one;
  get(url, base + "/storage/rdd/999", 404);
  const std::string page = get(url, "/storage/");
  EXPECT_NE(page.find("squares &lt;b&gt;"), std::string::npos) << page;
  EXPECT_NE(page.find("4 of 4"), std::string::npos);
  EXPECT_NE(get(url, "/storage/rdd/?id=" + rdd_id).find("rdd_" + rdd_id + "_3"), std::string::npos);
  const std::string executors = get(url, base + "/executors");
  EXPECT_EQ(sum_of(executors, "memoryUsed"), field(rdds, "memoryUsed")) << executors;

  // The history server, reading the log of the running application, shows the same.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the log is flushed every 100 ms
  {
    brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
    const std::string history_url = "http://127.0.0.1:" + std::to_string(history.port());
    EXPECT_EQ(get(history_url, base + "/storage/rdd"), rdds);
  }

  squares.unpersist();
  ctx->runtime().events().flush();
  EXPECT_EQ(get(url, base + "/storage/rdd"), "[]");
}

TEST(WebUI, UserStringsAreEscapedAndSecretsHidden) {
  auto ctx = make_context("", {{"brasa.ui.enabled", "true"},
                               {"brasa.ui.port", "0"},
                               {"brasa.app.name", "<script>alert('app')</script>"},
                               {"brasa.auth.secret", "hunter2"}});
  const std::string url = brasa::web_ui_url(*ctx);
  auto failing = ctx->parallelize(brasa_test::iota_vec(10), 2).map([](int x) {
    if (x == 7) throw std::runtime_error("<img src=x onerror=alert('task')>");
    return x;
  });
  EXPECT_THROW(failing.count(), std::exception);
  ctx->runtime().events().flush();
  const std::string secret = "hunter2";
  for (const std::string path : {"/jobs/", "/jobs/job/?id=0", "/stages/", "/stages/stage/?id=0&attempt=0",
                                 "/environment/", "/executors/"}) {
    const std::string page = get(url, path, 200, secret);
    EXPECT_EQ(page.find("<script>alert"), std::string::npos) << path;
    EXPECT_EQ(page.find("<img src=x"), std::string::npos) << path;
    EXPECT_EQ(page.find("hunter2"), std::string::npos) << path;
  }
  EXPECT_NE(get(url, "/jobs/", 200, secret).find("&lt;script&gt;alert(&#39;app&#39;)&lt;/script&gt;"),
            std::string::npos);
  EXPECT_NE(get(url, "/stages/stage/?id=0&attempt=0", 200, secret).find("&lt;img src=x"), std::string::npos);
  // The application has a secret: nothing without it.
  get(url, "/jobs/", 401);
  get(url, "/api/v1/applications", 401, "hunter3");
  get(url, "/api/v1/applications", 401, "hunter22");
  const std::string apps = get(url, "/api/v1/applications", 200, secret);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(apps, m, std::regex("\"id\":\"([^\"]+)\""))) << apps;
  const std::string id = m[1];
  const std::string job = get(url, "/api/v1/applications/" + id + "/jobs/0", 200, secret);
  EXPECT_NE(job.find("\"status\":\"FAILED\""), std::string::npos) << job;
  EXPECT_NE(job.find("onerror=alert"), std::string::npos) << "the JSON keeps the error: " << job;
  EXPECT_EQ(get(url, "/api/v1/applications/" + id + "/environment", 200, secret).find("hunter2"), std::string::npos);
}

TEST(WebUI, ASecondDriverTakesTheNextPort) {
  // A free port p, and p + 1 for the second.
  int port = 0;
  {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    ::close(sock);
  }
  auto first = make_context("", {{"brasa.ui.enabled", "true"}, {"brasa.ui.port", std::to_string(port)}});
  auto second = make_context("", {{"brasa.ui.enabled", "true"}, {"brasa.ui.port", std::to_string(port)}});
  const std::string a = brasa::web_ui_url(*first), b = brasa::web_ui_url(*second);
  EXPECT_EQ(a, "http://127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(b.empty());
  EXPECT_NE(a, b);
  EXPECT_NE(app_id(a), app_id(b));
  auto off = make_context("", {{"brasa.ui.enabled", "false"}});
  EXPECT_EQ(brasa::web_ui_url(*off), "");
}

// stdout of a shell command (empty when it fails).
std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

TEST(WebUI, HeadlessChromiumShowsJobsAndStages) {
  std::string browser;
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(path, X_OK) == 0) browser = path;
  if (browser.empty())
    GTEST_SKIP() << "Chromium is not installed (apt-get install chromium, as scripts/setup.sh does): "
                    "the browser test is skipped";
  auto ctx = make_context("", {{"brasa.ui.enabled", "true"}, {"brasa.ui.port", "0"}, {"brasa.app.name", "browser"}});
  const std::string url = brasa::web_ui_url(*ctx);
  auto squares = ctx->parallelize(brasa_test::iota_vec(100), 4).map([](int x) { return std::pair{x % 7, x * x}; });
  squares.set_name("squares<rdd>").persist(brasa::StorageLevel::memory_only());
  EXPECT_EQ(squares.reduce_by_key([](int a, int b) { return a + b; }, 2).count(), 7);
  ctx->runtime().events().flush();

  brasa_test::TempDir profile;
  const std::string chromium = "timeout 120 " + browser + " --headless --no-sandbox --disable-gpu --user-data-dir=" +
                               profile.path().string() + " ";
  const std::string jobs = run(chromium + "--dump-dom '" + url + "/jobs/' 2>/dev/null");
  EXPECT_NE(jobs.find("href=\"/jobs/job/?id=0\""), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("SUCCEEDED"), std::string::npos) << jobs;
  const std::string job = run(chromium + "--dump-dom '" + url + "/jobs/job/?id=0' 2>/dev/null");
  EXPECT_NE(job.find("<svg id=\"dag\""), std::string::npos) << job;
  EXPECT_NE(job.find("squares&lt;rdd&gt;"), std::string::npos) << "the RDD's name: " << job;
  const std::string stage = run(chromium + "--dump-dom '" + url + "/stages/stage/?id=0&attempt=0' 2>/dev/null");
  EXPECT_NE(stage.find("Details for Stage 0"), std::string::npos) << stage;
  EXPECT_NE(stage.find("Summary of 4 completed tasks"), std::string::npos) << stage;
  const std::string storage = run(chromium + "--dump-dom '" + url + "/storage/' 2>/dev/null");
  EXPECT_NE(storage.find("squares&lt;rdd&gt;"), std::string::npos) << "the cached RDD: " << storage;
  EXPECT_NE(storage.find("4 of 4"), std::string::npos) << storage;
  // A screenshot of the job page, kept beside the test binary.
  const fs::path shot = fs::read_symlink("/proc/self/exe").parent_path() /
                        (brasa_test::on_cluster() ? "web-ui-job-cluster.png" : "web-ui-job.png");
  fs::remove(shot);
  run(chromium + "--window-size=1100,620 --screenshot=" + shot.string() + " '" + url + "/jobs/job/?id=0' 2>/dev/null");
  ASSERT_TRUE(fs::exists(shot));
  EXPECT_GT(fs::file_size(shot), 5000u);
  std::ifstream png(shot, std::ios::binary);
  char magic[4] = {};
  png.read(magic, 4);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
}

TEST(EventLog, HistoryServerShowsWhatTheLiveUiShowed) {
  brasa_test::TempDir dir;
  std::string live_jobs, live_stages, live_stage, id;
  {
    auto ctx = make_context("", {{"brasa.ui.enabled", "true"},
                                 {"brasa.ui.port", "0"},
                                 {"brasa.eventLog.enabled", "true"},
                                 {"brasa.eventLog.dir", dir.path().string()}});
    const std::string url = brasa::web_ui_url(*ctx);
    run_jobs(*ctx);
    id = app_id(url);
    const std::string base = "/api/v1/applications/" + id;
    live_jobs = get(url, base + "/jobs");
    live_stages = get(url, base + "/stages");
    live_stage = get(url, base + "/stages/0/0");
    EXPECT_TRUE(fs::exists(dir.path() / (id + ".inprogress")));
  }
  ASSERT_TRUE(fs::exists(dir.path() / id)) << "renamed when the application ended";
  brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
  const std::string apps = get(url, "/api/v1/applications");
  EXPECT_NE(apps.find("\"completed\":true"), std::string::npos) << apps;
  const std::string base = "/api/v1/applications/" + id;
  EXPECT_EQ(get(url, base + "/jobs"), live_jobs);
  EXPECT_EQ(get(url, base + "/stages"), live_stages);
  EXPECT_EQ(get(url, base + "/stages/0/0"), live_stage);
  EXPECT_NE(get(url, "/").find("/history/" + id + "/jobs/"), std::string::npos);
  EXPECT_NE(get(url, "/history/" + id + "/jobs/").find("href=\"/history/" + id + "/jobs/job/?id=1\""),
            std::string::npos);
  get(url, "/history/../../etc/passwd/jobs/", 404);
  get(url, "/api/v1/applications/nope/jobs", 404);
}

TEST(EventLog, ALogCutShortByACrashIsReadToItsLastWholeLine) {
  brasa_test::TempDir dir;
  std::string id;
  {
    auto ctx = make_context("", {{"brasa.ui.enabled", "true"},
                                 {"brasa.ui.port", "0"},
                                 {"brasa.eventLog.enabled", "true"},
                                 {"brasa.eventLog.dir", dir.path().string()}});
    run_jobs(*ctx);
    id = app_id(brasa::web_ui_url(*ctx));
  }
  // What a crash in the middle of writing leaves: no ApplicationEnd, and a
  // last line cut in two.
  std::ifstream in(dir.path() / id);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_GT(lines.size(), 5u);
  ASSERT_NE(lines.back().find("ApplicationEnd"), std::string::npos);
  lines.pop_back();
  std::ofstream out(dir.path() / (id + ".inprogress"));
  for (const auto& line : lines) out << line << "\n";
  out << "{\"event\":\"TaskStart\",\"time\":17";
  out.close();
  fs::remove(dir.path() / id);
  std::ofstream(dir.path() / "not-a-log.txt") << "hello\n";

  brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
  const std::string apps = get(url, "/api/v1/applications");
  EXPECT_EQ(count(apps, "\"id\":"), 1) << apps;
  EXPECT_NE(apps.find("\"completed\":false"), std::string::npos) << apps;
  EXPECT_EQ(count(get(url, "/api/v1/applications/" + id + "/jobs"), "\"status\":\"SUCCEEDED\""), 2);
  EXPECT_NE(get(url, "/").find("incomplete"), std::string::npos);
}

// brasa.eventLog.compress: the log is one zstd frame that the history server
// reads as it reads a plain one; what a crash leaves (flushed blocks, no end
// of frame, even a block cut short) is read up to there.
TEST(EventLog, ACompressedLogReadsAsThePlainOneEvenCutShort) {
  brasa_test::TempDir dir;
  std::string live_jobs, id, crashed;
  {
    auto ctx = make_context("", {{"brasa.ui.enabled", "true"},
                                 {"brasa.ui.port", "0"},
                                 {"brasa.eventLog.enabled", "true"},
                                 {"brasa.eventLog.compress", "true"},
                                 {"brasa.eventLog.dir", dir.path().string()}});
    run_jobs(*ctx);
    const std::string url = brasa::web_ui_url(*ctx);
    id = app_id(url);
    live_jobs = get(url, "/api/v1/applications/" + id + "/jobs");
    // Each job's end is flushed: this is what a crash now would leave.
    crashed = brasa::read_file(dir.path() / (id + ".zst.inprogress"));
  }
  const fs::path log = dir.path() / (id + ".zst");
  ASSERT_TRUE(fs::exists(log)) << "renamed when the application ended";
  const std::string bytes = brasa::read_file(log);
  ASSERT_GT(bytes.size(), 4u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4)) << "zstd's magic number";
  EXPECT_EQ(bytes.find("JobStart"), std::string::npos) << "compressed, not plain text";
  {
    brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
    EXPECT_NE(get(url, "/api/v1/applications").find("\"completed\":true"), std::string::npos);
    EXPECT_EQ(get(url, "/api/v1/applications/" + id + "/jobs"), live_jobs);
  }
  fs::remove(log);
  ASSERT_GT(crashed.size(), 8u);
  std::ofstream(dir.path() / (id + ".zst.inprogress"), std::ios::binary) << crashed;
  {
    brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
    const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
    EXPECT_NE(get(url, "/api/v1/applications").find("\"completed\":false"), std::string::npos);
    EXPECT_EQ(count(get(url, "/api/v1/applications/" + id + "/jobs"), "\"status\":\"SUCCEEDED\""), 2);
  }
  std::ofstream(dir.path() / (id + ".zst.inprogress"), std::ios::binary) << crashed.substr(0, crashed.size() - 5);
  brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
  const std::string apps = get(url, "/api/v1/applications");
  EXPECT_EQ(count(apps, "\"id\":\"" + id + "\""), 1) << "its first blocks still decode: " << apps;
}

TEST(EventLog, IsPrivateAndKeepsNoSecret) {
  brasa_test::TempDir dir;
  const fs::path logs = dir.path() / "logs";
  {
    auto ctx = make_context("", {{"brasa.ui.enabled", "false"},
                                 {"brasa.auth.secret", "hunter2"},
                                 {"brasa.eventLog.enabled", "true"},
                                 {"brasa.eventLog.dir", logs.string()}});
    run_jobs(*ctx);
  }
  EXPECT_EQ(fs::status(logs).permissions() & fs::perms::all, fs::perms::owner_all);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(logs)) {
    ++files;
    EXPECT_EQ(entry.status().permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text.find("hunter2"), std::string::npos);
    EXPECT_NE(text.find("\"brasa.auth.secret\":\"*********(redacted)\""), std::string::npos) << text;
  }
  EXPECT_EQ(files, 1);
}

// Logs written by hand: an application id that is not a plain name is not
// an application; events whose job start is missing still name their job.
TEST(EventLog, HistoryServerTrustsNoLogBlindly) {
  brasa_test::TempDir dir;
  std::ofstream(dir.path() / "evil") << "{\"event\":\"LogStart\",\"format\":1,\"appId\":\"x\\\"><img src=x "
                                      "onerror=alert(1)>\",\"appName\":\"evil\",\"startTime\":1}\n";
  std::ofstream(dir.path() / "app-cut") << "{\"event\":\"LogStart\",\"format\":1,\"appId\":\"app-cut\",\"appName\":"
                                         "\"cut\",\"startTime\":1,\"cores\":1e30}\n"
                                         "{\"event\":\"StageSubmitted\",\"time\":2,\"job\":3,\"stage\":5,\"tasks\":1}\n"
                                         "{\"event\":\"JobEnd\",\"time\":3,\"job\":3,\"ok\":false,\"stage\":null}\n";
  brasa::HistoryServer history(dir.path().string(), "127.0.0.1", 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(history.port());
  const std::string apps = get(url, "/api/v1/applications");
  EXPECT_EQ(count(apps, "\"id\":"), 1) << apps;
  EXPECT_EQ(apps.find("onerror"), std::string::npos) << apps;
  const std::string jobs = get(url, "/api/v1/applications/app-cut/jobs");
  EXPECT_NE(jobs.find("\"jobId\":3"), std::string::npos) << jobs;
  EXPECT_NE(jobs.find("\"status\":\"FAILED\""), std::string::npos) << jobs;
  get(url, "/api/v1/applications/app-cut/stages/5/0/taskList?offset=1&length=2147483647");
}

// An executor's active tasks are those placed on it that have not ended;
// its completed ones, those that ended there.
TEST(AppStatus, ExecutorsCountTheTasksPlacedOnThem) {
  using Type = brasa::Event::Type;
  brasa::ui::AppInfo info;
  info.id = "app-1";
  brasa::ui::AppStatus app(info);
  auto post = [&](Type type, int stage, int partition, int executor, int n = 0) {
    brasa::Event e{type, 0, stage, partition, n};
    e.executor_id = executor;
    e.time = 1;
    app.on_event(e);
  };
  post(Type::kExecutorAdded, -1, -1, 1, 2);
  post(Type::kExecutorAdded, -1, -1, 2, 2);
  post(Type::kJobStart, -1, -1, -1, 1);
  post(Type::kStageSubmitted, 0, -1, -1, 3);
  for (int p = 0; p < 3; ++p) post(Type::kTaskStart, 0, p, -1);
  post(Type::kTaskPlaced, 0, 0, 1);
  post(Type::kTaskPlaced, 0, 1, 1);
  post(Type::kTaskPlaced, 0, 2, 2);
  auto executors = [&] { return *app.api("/executors", {}); };
  EXPECT_EQ(count(executors(), "\"activeTasks\":2"), 1) << executors();
  EXPECT_EQ(count(executors(), "\"activeTasks\":1"), 1) << executors();
  post(Type::kTaskEnd, 0, 0, 1);
  const std::string after = executors();
  EXPECT_EQ(count(after, "\"activeTasks\":1"), 2) << after;
  EXPECT_EQ(field(after, "completedTasks"), 1) << after;  // executor 1, listed first
}

TEST(EventBus, AFullQueueDropsTaskEventsAndCountsInsteadOfBlocking) {
  struct Slow : brasa::Listener {
    std::atomic<int> seen{0};
    brasa::Event::Type last = brasa::Event::Type::kJobStart;
    void on_event(const brasa::Event& e) override {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      last = e.type;
      ++seen;
    }
  };
  auto slow = std::make_shared<Slow>();
  {
    brasa::EventBus bus(8);
    bus.add_listener(slow);
    for (int i = 0; i < 500; ++i) {
      brasa::Event e;
      e.type = brasa::Event::Type::kTaskEnd;
      e.partition = i;
      bus.post(std::move(e));
    }
    brasa::Event job_end;  // never dropped
    job_end.type = brasa::Event::Type::kJobEnd;
    bus.post(std::move(job_end));
    bus.flush();
    EXPECT_GT(bus.dropped(), 0u);
    EXPECT_EQ(slow->seen + static_cast<int>(bus.dropped()), 501);
    EXPECT_EQ(slow->last, brasa::Event::Type::kJobEnd);
  }
}

}  // namespace
