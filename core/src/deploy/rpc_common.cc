#include "rpc_common.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace brasa::deploy {

const std::string& binary_hash() {
  static const std::string hash = [] {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    if (!in) throw std::runtime_error("cannot read /proc/self/exe to hash this binary");
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
    char out[40];
    std::snprintf(out, sizeof out, "%016llx-%llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(n));
    return std::string(out);
  }();
  return hash;
}

grpc::Status check_secret(grpc::ServerContext* ctx, const std::string& secret, const char* method) {
  if (secret.empty()) return grpc::Status::OK;
  const auto& md = ctx->client_metadata();
  auto it = md.find(kSecretHeader);
  if (it != md.end() && std::string_view(it->second.data(), it->second.size()) == secret) return grpc::Status::OK;
  spdlog::warn("rejected {} from {}: {}", method, ctx->peer(), it == md.end() ? "no secret" : "wrong secret");
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "brasa: missing or wrong shared secret");
}

std::unique_ptr<grpc::ClientContext> client_context(const std::string& secret) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!secret.empty()) ctx->AddMetadata(kSecretHeader, secret);
  return ctx;
}

std::shared_ptr<grpc::Channel> make_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_ENABLE_HTTP_PROXY, 0);  // never route cluster traffic through a proxy
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool write_chunks(grpc::ServerWriter<rpc::Chunk>* writer, std::string_view bytes) {
  rpc::Chunk chunk;
  size_t off = 0;
  do {
    size_t n = std::min(kChunkBytes, bytes.size() - off);
    chunk.set_data(bytes.data() + off, n);
    if (!writer->Write(chunk)) return false;
    off += n;
  } while (off < bytes.size());
  return true;
}

grpc::Status read_chunks(grpc::ClientReader<rpc::Chunk>& reader, std::string& out) {
  rpc::Chunk chunk;
  while (reader.Read(&chunk)) out += chunk.data();
  return reader.Finish();
}

}  // namespace brasa::deploy
