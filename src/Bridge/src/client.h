// One connection to deid serve: discovery, starting the server when nothing listens, the versioned
// hello handshake, and framed request/reply with a per-request deadline. Not thread-safe: the owner
// serialises calls.
#pragma once

#include <string>

#include "msgpack.h"

namespace deid {

class ServerConnection {
public:
    static constexpr int kRequestTimeoutMs = 30000;
    static constexpr int kStartTimeoutMs = 10000;

    explicit ServerConnection(std::string clientName);
    ~ServerConnection();
    ServerConnection(const ServerConnection &) = delete;
    ServerConnection &operator=(const ServerConnection &) = delete;

    // Sends one request and returns the reply message (a map with a "type" string; possibly an
    // "error" reply, which the caller turns into an error). Connects first when needed. Throws
    // BridgeError; after a transport, timeout or protocol failure the connection is closed so that the
    // next request reconnects.
    msgpack::Value request(const msgpack::Value &message, int timeoutMs = kRequestTimeoutMs);

    // The two halves of request, for a caller that works while the server answers: send connects first when
    // needed; receive reads the reply to the request sent. Either closes the connection when it fails.
    void send(const msgpack::Value &message, int timeoutMs = kRequestTimeoutMs);
    msgpack::Value receive(int timeoutMs = kRequestTimeoutMs);

#if defined(_WIN32)
    bool connected() const { return pipe_ != nullptr; }
#else
    bool connected() const { return fd_ >= 0; }
#endif
    void close();

    // The runtime directory used by the current connection (valid once connected).
    const std::string &directory() const { return dir_; }
    // Resolves (creating and verifying) the runtime directory without connecting.
    const std::string &ensureDirectory();

private:
    void connect();
    void handshake();
    msgpack::Value exchange(const msgpack::Value &message, int timeoutMs);

    std::string client_;
    std::string dir_;
#if defined(_WIN32)
    void *pipe_ = nullptr;   // HANDLE of the named pipe, opened for overlapped I/O; null when closed
    void *event_ = nullptr;  // HANDLE of the manual-reset event that completes its I/O
#else
    int fd_ = -1;
#endif
};

}  // namespace deid
