// The driver's RPC port: calls without the cluster's secret are rejected,
// and garbage bytes get the connection dropped, never a crash.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <random>

#include "brasa/brasa.h"
#include "brasa/deploy/cluster_backend.h"
#include "brasa/proto/brasa.grpc.pb.h"
#include "test_util.h"

namespace {

using brasa_test::make_context;

grpc::Status heartbeat(const std::string& address, const char* secret) {
  auto stub = brasa::rpc::Driver::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  if (secret) ctx.AddMetadata("brasa-secret", secret);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  brasa::rpc::HeartbeatRequest req;
  req.set_executor_id(0);
  brasa::rpc::HeartbeatReply reply;
  return stub->Heartbeat(&ctx, req, &reply);
}

TEST(RpcSecurity, CallsWithoutTheSecretAreRejected) {
  SKIP_ON_CLUSTER("starts its own cluster");
  auto ctx = make_context("local-cluster[1,1]", {{"brasa.auth.secret", "s3cret"}});
  std::string address = ctx->runtime().cluster()->driver_address();
  EXPECT_EQ(heartbeat(address, nullptr).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(heartbeat(address, "guess").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(heartbeat(address, "s3cret").ok());
  EXPECT_EQ(ctx->range(0, 100, 1, 2).count(), 100) << "executors carry the secret";
}

TEST(RpcSecurity, GarbageOnThePortDoesNotHurtTheDriver) {
  SKIP_ON_CLUSTER("starts its own cluster");
  auto ctx = make_context("local-cluster[1,1]");
  std::string address = ctx->runtime().cluster()->driver_address();
  int port = std::stoi(address.substr(address.rfind(':') + 1));
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    std::string junk(static_cast<size_t>(1 + rng() % 4096), '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    (void)::write(fd, junk.data(), junk.size());
    ::close(fd);
  }
  EXPECT_EQ(ctx->range(0, 1000, 1, 4).count(), 1000) << "the driver still serves its executors";
}

}  // namespace

namespace {

TEST(RpcSecurity, TlsClusterRunsAndRefusesPlaintext) {
  SKIP_ON_CLUSTER("starts its own cluster");
  std::string data = BRASA_TEST_DATA_DIR;
  {
    auto ctx = make_context("local-cluster[2,1]", {{"brasa.tls.cert", data + "/tls-test.crt"},
                                                   {"brasa.tls.key", data + "/tls-test.key"},
                                                   {"brasa.tls.ca", data + "/tls-test.crt"},
                                                   {"brasa.auth.secret", "s3cret"}});
    auto sums = ctx->range(0, 10000, 1, 4)
                    .map([](int64_t x) { return std::pair<int64_t, int64_t>{x % 7, x}; })
                    .reduce_by_key([](int64_t a, int64_t b) { return a + b; })
                    .collect_as_map();
    int64_t zero = 0;
    for (int64_t x = 0; x < 10000; x += 7) zero += x;
    EXPECT_EQ(sums.at(0), zero) << "executors talk to the driver and to each other over TLS";
    auto status = heartbeat(ctx->runtime().cluster()->driver_address(), "s3cret");
    EXPECT_FALSE(status.ok()) << "a plaintext call to a TLS port fails";
  }
  for (const char* v : {"BRASA_TLS_CERT", "BRASA_TLS_KEY", "BRASA_TLS_CA"}) ::unsetenv(v);
}

}  // namespace
