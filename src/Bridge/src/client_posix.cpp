#include "client.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "errors.h"
#include "framing.h"
#include "protocol.h"
#include "runtime.h"

namespace deid {

namespace {

using Clock = std::chrono::steady_clock;
using Kind = BridgeError::Kind;

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

// Serialises starting the server within this process.
std::mutex g_startMutex;

int remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

void setCloexecNonblock(int fd) {
    ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Tries one connection; returns the socket or -1 with errno set.
int tryConnect(const std::string &path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    setCloexecNonblock(fd);
#ifdef SO_NOSIGPIPE
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
        int err = errno;
        if (err == EINPROGRESS) {
            // Unix sockets normally connect at once; wait briefly for the odd case.
            pollfd pfd{fd, POLLOUT, 0};
            int soErr = 0;
            socklen_t len = sizeof soErr;
            if (::poll(&pfd, 1, 1000) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len) == 0 && soErr == 0)
                return fd;
            err = soErr != 0 ? soErr : ETIMEDOUT;
        }
        ::close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

bool nobodyListens(int err) { return err == ENOENT || err == ECONNREFUSED || err == EAGAIN; }

// Cross-process lock around starting the server, so that two hosts do not both start one.
class StartLock {
public:
    explicit StartLock(const std::string &dir) {
        fd_ = ::open((dir + "/serve.start.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0) return;
        const auto deadline = Clock::now() + std::chrono::milliseconds(ServerConnection::kStartTimeoutMs);
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) break;
            if (Clock::now() >= deadline) break;  // go on without it rather than hang
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~StartLock() {
        if (fd_ >= 0) ::close(fd_);  // releases the lock
    }
    StartLock(const StartLock &) = delete;
    StartLock &operator=(const StartLock &) = delete;

private:
    int fd_ = -1;
};

void sendAll(int fd, const std::vector<uint8_t> &bytes, Clock::time_point deadline) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd pfd{fd, POLLOUT, 0};
            const int rc = ::poll(&pfd, 1, remainingMs(deadline));
            if (rc == 0) throw BridgeError(Kind::Timeout, "deid serve did not accept the request within 30 s");
            if (rc < 0 && errno != EINTR)
                throw BridgeError(Kind::Transport, std::string("connection to deid serve failed: ") + std::strerror(errno));
            continue;
        }
        throw BridgeError(Kind::Transport, std::string("connection to deid serve lost: ") +
                                               (n < 0 ? std::strerror(errno) : "closed"));
    }
}

msgpack::Value receive(int fd, Clock::time_point deadline, int timeoutMs) {
    framing::FrameDecoder decoder;
    std::vector<uint8_t> payload;
    std::vector<uint8_t> buf;
    while (true) {
        const framing::FrameDecoder::Status st = decoder.next(payload);
        if (st == framing::FrameDecoder::Status::Frame) break;
        if (st == framing::FrameDecoder::Status::BadLength)
            throw BridgeError(Kind::Protocol, "deid serve sent a frame with an invalid length");
        const size_t want = decoder.wanted();
        buf.resize(want < 65536 ? want : 65536);
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n > 0) {
            decoder.push(buf.data(), static_cast<size_t>(n));
            continue;
        }
        if (n == 0) throw BridgeError(Kind::Transport, "deid serve closed the connection");
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd pfd{fd, POLLIN, 0};
            const int rc = ::poll(&pfd, 1, remainingMs(deadline));
            if (rc == 0)
                throw BridgeError(Kind::Timeout, "deid serve did not answer within " + std::to_string(timeoutMs / 1000) + " s");
            if (rc < 0 && errno != EINTR)
                throw BridgeError(Kind::Transport, std::string("connection to deid serve failed: ") + std::strerror(errno));
            continue;
        }
        throw BridgeError(Kind::Transport, std::string("connection to deid serve lost: ") + std::strerror(errno));
    }
    msgpack::Value reply;
    std::string error;
    if (!framing::decodeMessage(payload.data(), payload.size(), reply, error))
        throw BridgeError(Kind::Protocol, "invalid reply from deid serve: " + error);
    return reply;
}

}  // namespace

ServerConnection::ServerConnection(std::string clientName) : client_(std::move(clientName)) {}

ServerConnection::~ServerConnection() { close(); }

void ServerConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

const std::string &ServerConnection::ensureDirectory() {
    dir_ = runtime::socketDirectory();
    return dir_;
}

void ServerConnection::connect() {
    ensureDirectory();
    const std::string sock = runtime::socketPath(dir_);
    int fd = tryConnect(sock);
    if (fd < 0 && !nobodyListens(errno))
        throw BridgeError(Kind::Transport, "cannot connect to " + sock + ": " + std::strerror(errno));

    if (fd < 0) {
        std::lock_guard<std::mutex> guard(g_startMutex);
        StartLock lock(dir_);
        fd = tryConnect(sock);  // someone may have started it meanwhile
        if (fd < 0) {
            const runtime::Executable exe = runtime::findServerExecutable();
            const std::string log = runtime::logPath(dir_);
            const long pid = runtime::startServer(exe, log);
            const auto deadline = Clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
            int lastErr = 0;
            while (true) {
                fd = tryConnect(sock);
                if (fd >= 0) break;
                lastErr = errno;
                if (!nobodyListens(lastErr))
                    throw BridgeError(Kind::Transport, "cannot connect to " + sock + ": " + std::strerror(lastErr));
                if (!runtime::processAlive(pid)) {
                    fd = tryConnect(sock);
                    if (fd >= 0) break;
                    throw BridgeError(Kind::Setup, "deid serve (" + exe.path + ") exited at start; see " + log);
                }
                if (Clock::now() >= deadline)
                    throw BridgeError(Kind::Setup, "deid serve (" + exe.path + ") did not listen on " + sock +
                                                       " within 10 s; see " + log);
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }
    fd_ = fd;
    try {
        handshake();
    } catch (...) {
        close();
        throw;
    }
}

msgpack::Value ServerConnection::exchange(const msgpack::Value &message, int timeoutMs) {
    const std::vector<uint8_t> frame = framing::encodeFrame(message);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    try {
        sendAll(fd_, frame, deadline);
        return deid::receive(fd_, deadline, timeoutMs);
    } catch (...) {
        // The stream's state is unknown: never reuse it.
        close();
        throw;
    }
}

msgpack::Value ServerConnection::request(const msgpack::Value &message, int timeoutMs) {
    if (fd_ < 0) connect();
    return exchange(message, timeoutMs);
}

void ServerConnection::send(const msgpack::Value &message, int timeoutMs) {
    if (fd_ < 0) connect();
    const std::vector<uint8_t> frame = framing::encodeFrame(message);
    try {
        sendAll(fd_, frame, Clock::now() + std::chrono::milliseconds(timeoutMs));
    } catch (...) {
        close();
        throw;
    }
}

msgpack::Value ServerConnection::receive(int timeoutMs) {
    if (fd_ < 0) throw BridgeError(Kind::Transport, "connection to deid serve lost before its reply");
    try {
        return deid::receive(fd_, Clock::now() + std::chrono::milliseconds(timeoutMs), timeoutMs);
    } catch (...) {
        close();
        throw;
    }
}

}  // namespace deid
