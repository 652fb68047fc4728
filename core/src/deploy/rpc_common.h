// What driver and executor share on the wire: the protocol version, the
// shared secret check, chunked byte streams and the binary's hash. Private
// to core/src/deploy (it includes gRPC).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "brasa/proto/brasa.grpc.pb.h"
#include "secret.h"

namespace brasa::deploy {

constexpr uint32_t kProtocolVersion = 2;
constexpr size_t kChunkBytes = size_t{1} << 20;  // stays far below gRPC's 4 MB message limit

// Metadata entry that carries the shared secret on every call.
inline constexpr const char* kSecretHeader = "brasa-secret";

// A hash of this process's executable, to check that driver and executors
// run the identical binary (and to name shipped binaries).
const std::string& binary_hash();
std::string hash_file(const std::string& path);

// The last `max_bytes` of a log file, for error messages.
std::string log_tail(const std::string& path, size_t max_bytes = 2000);

// Server side: OK if no secret is configured or the call carries it;
// UNAUTHENTICATED (and a warning naming the method and peer) otherwise.
grpc::Status check_secret(grpc::ServerContext* ctx, const std::string& secret, const char* method);

// Client side: a context carrying the secret, with a deadline `timeout`
// from now (none if zero).
std::unique_ptr<grpc::ClientContext> client_context(const std::string& secret,
                                                    std::chrono::milliseconds timeout = std::chrono::milliseconds(0));

// Serves `service` on host:port (port 0: any free one), with this process's
// credentials; sets *bound to the port. Null if it cannot listen.
std::unique_ptr<grpc::Server> start_server(const std::string& host, int port, grpc::Service* service, int* bound);
// The same at a gRPC address ("host:port", "unix-abstract:name").
std::unique_ptr<grpc::Server> start_server_at(const std::string& address, grpc::Service* service, int* bound);
// The same for an async service at `address` (host:port or
// unix-abstract:name), with `queues` completion queues for its calls.
std::unique_ptr<grpc::Server> start_async_server(const std::string& address, grpc::Service* service,
                                                 std::vector<std::unique_ptr<grpc::ServerCompletionQueue>>* cqs,
                                                 int queues, int* bound);

// Transport security. With BRASA_TLS_CERT, BRASA_TLS_KEY and BRASA_TLS_CA set
// (PEM files; the driver sets them from brasa.tls.*, master and worker from
// --tls-*), every server presents the certificate and every client checks
// servers against the CA; otherwise connections are plaintext. Child
// processes inherit the variables.
bool tls_enabled();
std::shared_ptr<grpc::ServerCredentials> server_credentials();
// `own_connection`: a TCP connection of its own rather than one shared by
// every channel to the address, so that the one thread that waits on it
// reads its messages without a hand-off.
std::shared_ptr<grpc::Channel> make_channel(const std::string& address, bool own_connection = false);
// Sets the BRASA_TLS_* variables of this process (empty values are skipped).
void use_tls_files(const std::string& cert, const std::string& key, const std::string& ca);

// Writes `bytes` as a stream of Chunk messages.
bool write_chunks(grpc::ServerWriter<rpc::Chunk>* writer, std::string_view bytes);
// Reads a stream of Chunk messages to the end; returns the final status.
grpc::Status read_chunks(grpc::ClientReader<rpc::Chunk>& reader, std::string& out);

}  // namespace brasa::deploy
