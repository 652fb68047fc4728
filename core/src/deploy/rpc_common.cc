#include "rpc_common.h"

#include <absl/synchronization/mutex.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <fstream>
#include <stdexcept>


namespace brasa::deploy {

const std::string& binary_hash() {
  static const std::string hash = hash_file("/proc/self/exe");
  return hash;
}

std::string hash_file(const std::string& path) {
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path + " to hash it");
    // 64-bit multiply-mix over 8-byte words; the whole binary is read once per process.
    uint64_t h = 0x9e3779b97f4a7c15ULL, n = 0;
    std::string buf(size_t{1} << 20, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      size_t got = static_cast<size_t>(in.gcount());
      n += got;
      size_t i = 0;
      for (; i + 8 <= got; i += 8) {
        uint64_t w;
        std::memcpy(&w, buf.data() + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
      }
      for (; i < got; ++i) h = (h ^ static_cast<unsigned char>(buf[i])) * 0x100000001b3ULL;
    }
    char out[48];
    std::snprintf(out, sizeof out, "%016llx-%llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(n));
    return std::string(out);
  }
}

std::string log_tail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  return s.empty() ? "(empty log)" : s;
}

grpc::Status check_secret(grpc::ServerContext* ctx, const std::string& secret, const char* method) {
  if (secret.empty()) return grpc::Status::OK;
  const auto& md = ctx->client_metadata();
  auto it = md.find(kSecretHeader);
  if (it != md.end() && std::string_view(it->second.data(), it->second.size()) == secret) return grpc::Status::OK;
  spdlog::warn("rejected {} from {}: {}", method, ctx->peer(), it == md.end() ? "no secret" : "wrong secret");
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "brasa: missing or wrong shared secret");
}

std::unique_ptr<grpc::ClientContext> client_context(const std::string& secret, std::chrono::milliseconds timeout) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!secret.empty()) ctx->AddMetadata(kSecretHeader, secret);
  if (timeout.count() > 0) ctx->set_deadline(std::chrono::system_clock::now() + timeout);
  return ctx;
}

namespace {
// Once per process, before the first channel or server:
// * Debian's absl checks every Mutex lock for deadlock cycles (a debug
//   feature; gRPC takes several locks per call): a tenth of the CPU time of
//   a short task. Off.
// * gRPC's default poller (epoll1) lets one thread of the process watch every
//   socket and wake the thread whose call has a message: two thread switches
//   per message. With "poll", a thread that waits on its call polls that
//   call's socket itself. (GRPC_POLL_STRATEGY set by the user wins.)
void tune_grpc() {
  static std::once_flag once;
  std::call_once(once, [] {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
    ::setenv("GRPC_POLL_STRATEGY", "poll", /*overwrite=*/0);
  });
}
}  // namespace

std::unique_ptr<grpc::Server> start_server(const std::string& host, int port, grpc::Service* service, int* bound) {
  return start_server_at(host + ":" + std::to_string(port), service, bound);
}

std::unique_ptr<grpc::Server> start_server_at(const std::string& address, grpc::Service* service, int* bound) {
  tune_grpc();
  *bound = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, server_credentials(), bound);
  builder.RegisterService(service);
  auto server = builder.BuildAndStart();
  if (!server || *bound == 0) return nullptr;
  return server;
}

std::unique_ptr<grpc::Server> start_async_server(const std::string& address, grpc::Service* service,
                                                 std::vector<std::unique_ptr<grpc::ServerCompletionQueue>>* cqs,
                                                 int queues, int* bound) {
  tune_grpc();
  *bound = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, server_credentials(), bound);
  builder.RegisterService(service);
  for (int i = 0; i < queues; ++i) cqs->push_back(builder.AddCompletionQueue());
  auto server = builder.BuildAndStart();
  if (!server || *bound == 0) return nullptr;
  return server;
}

namespace {

std::string read_pem(const char* env) {
  const char* path = std::getenv(env);
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("cannot read ") + env + " file " + path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

bool tls_enabled() {
  for (const char* v : {"BRASA_TLS_CERT", "BRASA_TLS_KEY", "BRASA_TLS_CA"})
    if (const char* s = std::getenv(v); !s || !*s) return false;
  return true;
}

void use_tls_files(const std::string& cert, const std::string& key, const std::string& ca) {
  if (!cert.empty()) ::setenv("BRASA_TLS_CERT", cert.c_str(), 1);
  if (!key.empty()) ::setenv("BRASA_TLS_KEY", key.c_str(), 1);
  if (!ca.empty()) ::setenv("BRASA_TLS_CA", ca.c_str(), 1);
}

std::shared_ptr<grpc::ServerCredentials> server_credentials() {
  if (!tls_enabled()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options;
  options.pem_root_certs = read_pem("BRASA_TLS_CA");
  options.pem_key_cert_pairs.push_back({read_pem("BRASA_TLS_KEY"), read_pem("BRASA_TLS_CERT")});
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::Channel> make_channel(const std::string& address, bool own_connection) {
  tune_grpc();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // never route cluster traffic through a proxy
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (tls_enabled()) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = read_pem("BRASA_TLS_CA");
    creds = grpc::SslCredentials(options);
  }
  return grpc::CreateCustomChannel(address, creds, args);
}

bool write_chunks(grpc::ServerWriter<rpc::Chunk>* writer, std::string_view bytes) {
  rpc::Chunk chunk;
  size_t off = 0;
  do {
    size_t n = std::min(kChunkBytes, bytes.size() - off);
    chunk.set_data(bytes.data() + off, n);
    off += n;
    // The last chunk goes out with the call's status: one write fewer to wait for.
    if (!writer->Write(chunk, off < bytes.size() ? grpc::WriteOptions() : grpc::WriteOptions().set_last_message()))
      return false;
  } while (off < bytes.size());
  return true;
}

grpc::Status read_chunks(grpc::ClientReader<rpc::Chunk>& reader, std::string& out) {
  rpc::Chunk chunk;
  while (reader.Read(&chunk)) out += chunk.data();
  return reader.Finish();
}

}  // namespace brasa::deploy
