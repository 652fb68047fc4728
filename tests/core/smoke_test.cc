#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "brasa/brasa.h"

TEST(Smoke, ReduceByKey) {
  brasa::Context ctx(brasa::Conf().master("local[2]"));
  std::vector<std::pair<int, int64_t>> data;
  for (int i = 0; i < 1000; ++i) data.emplace_back(i % 7, 1);
  auto counts = ctx.parallelize(data, 4).reduce_by_key([](int64_t a, int64_t b) { return a + b; }).collect_as_map();
  ASSERT_EQ(counts.size(), 7u);
  EXPECT_EQ(counts[0], 143);
}

// A program without brasa::init works on a local master; on a cluster,
// whose executors are the program started again, it gets a clear error
// instead of executors that cannot start.
TEST(Init, ForgettingItIsAClearErrorOnACluster) {
  auto run = [](const char* master, std::string* err) {
    const std::string err_file = testing::TempDir() + "forgot_init.err";
    const std::string cmd = std::string(BRASA_FORGOT_INIT) + " '" + master + "' 2>" + err_file;
    FILE* f = popen(cmd.c_str(), "r");
    std::string out;
    char buf[256];
    while (f && std::fgets(buf, sizeof buf, f)) out += buf;
    const int status = f ? pclose(f) : -1;
    std::ifstream in(err_file);
    err->assign(std::istreambuf_iterator<char>(in), {});
    return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  };
  std::string err;
  EXPECT_EQ(run("local[2]", &err), (std::pair{0, std::string("6\n")})) << err;
  auto [code, out] = run("local-cluster[2,1]", &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("call brasa::init(argc, argv) first"), std::string::npos) << err;
}

// brasa::run turns what escapes the program into a message and exit status 1
// (not terminate and SIGABRT), and passes the program's own status on.
TEST(Run, ErrorsBecomeAMessageAndExitStatusOne) {
  auto run = [](const char* mode, std::string* err) {
    const std::string err_file = testing::TempDir() + "run_errors.err";
    const std::string cmd = std::string(BRASA_RUN_ERRORS) + " " + mode + " >/dev/null 2>" + err_file;
    const int status = std::system(cmd.c_str());
    std::ifstream in(err_file);
    err->assign(std::istreambuf_iterator<char>(in), {});
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::string err;
  EXPECT_EQ(run("fail", &err), 1) << err;
  EXPECT_NE(err.find("run_errors: error: "), std::string::npos) << err;
  EXPECT_NE(err.find("/nonexistent/brasa-input.txt"), std::string::npos) << err;
  EXPECT_EQ(err.find("terminate called"), std::string::npos) << err;
  EXPECT_EQ(run("throw", &err), 1) << err;
  EXPECT_NE(err.find("run_errors: error: the program gave up"), std::string::npos) << err;
  EXPECT_EQ(run("return", &err), 3) << err;
  EXPECT_EQ(run("ok", &err), 0) << err;
}
