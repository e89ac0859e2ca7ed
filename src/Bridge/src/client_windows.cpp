#include "client.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <chrono>
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

// Serialises starting the server within this process.
std::mutex g_startMutex;

DWORD remainingMs(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<DWORD>(left);
}

// Tries one connection; returns the pipe or INVALID_HANDLE_VALUE with the last error set. A busy pipe (every
// instance taken) is waited for until the deadline.
HANDLE tryConnect(const std::wstring &pipe, Clock::time_point deadline) {
    while (true) {
        // Identification only: the server may learn who connects but cannot act as this user.
        const HANDLE h = ::CreateFileW(pipe.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                       FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr);
        if (h != INVALID_HANDLE_VALUE) {
            DWORD mode = PIPE_READMODE_BYTE;
            ::SetNamedPipeHandleState(h, &mode, nullptr, nullptr);
            return h;
        }
        const DWORD err = ::GetLastError();
        if (err != ERROR_PIPE_BUSY) return INVALID_HANDLE_VALUE;
        const DWORD left = remainingMs(deadline);
        if (left == 0) {
            ::SetLastError(ERROR_PIPE_BUSY);
            return INVALID_HANDLE_VALUE;
        }
        // Returns at once when the server has not created the pipe yet; the loop then reports that error.
        if (!::WaitNamedPipeW(pipe.c_str(), left) && ::GetLastError() != ERROR_SEM_TIMEOUT) return INVALID_HANDLE_VALUE;
    }
}

bool nobodyListens(DWORD err) { return err == ERROR_FILE_NOT_FOUND || err == ERROR_PIPE_BUSY; }

std::string connectError(const std::string &pipe, DWORD err) {
    return "cannot connect to " + pipe + ": " + runtime::systemErrorText(err);
}

// Cross-process lock around starting the server, so that two hosts do not both start one: the lock file
// opened without sharing can be held by one process at a time, and closing it (or dying) releases it.
class StartLock {
public:
    explicit StartLock(const std::string &dir) {
        const std::wstring path = runtime::widen(dir + "\\serve.start.lock");
        const auto deadline = Clock::now() + std::chrono::milliseconds(ServerConnection::kStartTimeoutMs);
        while (true) {
            handle_ = ::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_ALWAYS,
                                    FILE_ATTRIBUTE_NORMAL, nullptr);
            if (handle_ != INVALID_HANDLE_VALUE) return;
            const DWORD err = ::GetLastError();
            if (err != ERROR_SHARING_VIOLATION && err != ERROR_ACCESS_DENIED) return;
            if (Clock::now() >= deadline) return;  // go on without it rather than hang
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~StartLock() {
        if (handle_ != INVALID_HANDLE_VALUE) ::CloseHandle(handle_);
    }
    StartLock(const StartLock &) = delete;
    StartLock &operator=(const StartLock &) = delete;

private:
    HANDLE handle_ = INVALID_HANDLE_VALUE;
};

// Runs one overlapped read or write to completion or until the deadline. On timeout the operation is
// cancelled and its completion awaited: the OVERLAPPED and buffer live on the caller's stack.
// Returns the bytes transferred; throws BridgeError.
DWORD transfer(HANDLE pipe, HANDLE event, bool write, void *data, DWORD size, Clock::time_point deadline,
               const std::string &timeoutText) {
    OVERLAPPED ov{};
    ov.hEvent = event;
    ::ResetEvent(event);
    DWORD done = 0;
    const BOOL ok = write ? ::WriteFile(pipe, data, size, &done, &ov) : ::ReadFile(pipe, data, size, &done, &ov);
    DWORD err = ok ? ERROR_SUCCESS : ::GetLastError();
    if (!ok && err == ERROR_IO_PENDING) {
        const DWORD wait = ::WaitForSingleObject(event, remainingMs(deadline));
        if (wait != WAIT_OBJECT_0) {
            ::CancelIoEx(pipe, &ov);
            ::GetOverlappedResult(pipe, &ov, &done, TRUE);
            throw BridgeError(Kind::Timeout, timeoutText);
        }
        err = ::GetOverlappedResult(pipe, &ov, &done, FALSE) ? ERROR_SUCCESS : ::GetLastError();
    }
    if (err == ERROR_SUCCESS) return done;
    if (err == ERROR_BROKEN_PIPE || err == ERROR_PIPE_NOT_CONNECTED || err == ERROR_NO_DATA)
        throw BridgeError(Kind::Transport, "deid serve closed the connection");
    throw BridgeError(Kind::Transport, "connection to deid serve lost: " + runtime::systemErrorText(err));
}

void sendAll(HANDLE pipe, HANDLE event, std::vector<uint8_t> &bytes, Clock::time_point deadline) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        const size_t chunk = bytes.size() - sent < 65536 ? bytes.size() - sent : 65536;
        sent += transfer(pipe, event, true, bytes.data() + sent, static_cast<DWORD>(chunk), deadline,
                         "deid serve did not accept the request within 30 s");
    }
}

msgpack::Value receive(HANDLE pipe, HANDLE event, Clock::time_point deadline, int timeoutMs) {
    framing::FrameDecoder decoder;
    std::vector<uint8_t> payload;
    std::vector<uint8_t> buf;
    const std::string timeoutText = "deid serve did not answer within " + std::to_string(timeoutMs / 1000) + " s";
    while (true) {
        const framing::FrameDecoder::Status st = decoder.next(payload);
        if (st == framing::FrameDecoder::Status::Frame) break;
        if (st == framing::FrameDecoder::Status::BadLength)
            throw BridgeError(Kind::Protocol, "deid serve sent a frame with an invalid length");
        const size_t want = decoder.wanted();
        buf.resize(want < 65536 ? want : 65536);
        const DWORD n = transfer(pipe, event, false, buf.data(), static_cast<DWORD>(buf.size()), deadline, timeoutText);
        decoder.push(buf.data(), n);
    }
    msgpack::Value reply;
    std::string error;
    if (!framing::decodeMessage(payload.data(), payload.size(), reply, error))
        throw BridgeError(Kind::Protocol, "invalid reply from deid serve: " + error);
    return reply;
}

}  // namespace

ServerConnection::ServerConnection(std::string clientName) : client_(std::move(clientName)) {}

ServerConnection::~ServerConnection() {
    close();
    if (event_ != nullptr) ::CloseHandle(static_cast<HANDLE>(event_));
    event_ = nullptr;
}

void ServerConnection::close() {
    if (pipe_ != nullptr) ::CloseHandle(static_cast<HANDLE>(pipe_));
    pipe_ = nullptr;
}

const std::string &ServerConnection::ensureDirectory() {
    dir_ = runtime::socketDirectory();
    return dir_;
}

void ServerConnection::connect() {
    ensureDirectory();
    if (event_ == nullptr) {
        event_ = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
        if (event_ == nullptr)
            throw BridgeError(Kind::Setup, "cannot create an event for the connection to deid serve: " +
                                               runtime::systemErrorText(::GetLastError()));
    }
    const std::string name = runtime::socketPath(dir_);
    const std::wstring pipe = runtime::widen(name);

    HANDLE h = tryConnect(pipe, Clock::now() + std::chrono::milliseconds(kStartTimeoutMs));
    if (h == INVALID_HANDLE_VALUE && !nobodyListens(::GetLastError()))
        throw BridgeError(Kind::Transport, connectError(name, ::GetLastError()));

    if (h == INVALID_HANDLE_VALUE) {
        std::lock_guard<std::mutex> guard(g_startMutex);
        StartLock lock(dir_);
        h = tryConnect(pipe, Clock::now());  // someone may have started it meanwhile
        if (h == INVALID_HANDLE_VALUE) {
            const runtime::Executable exe = runtime::findServerExecutable();
            const std::string log = runtime::logPath(dir_);
            const long pid = runtime::startServer(exe, log);
            const auto deadline = Clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
            while (true) {
                h = tryConnect(pipe, deadline);
                if (h != INVALID_HANDLE_VALUE) break;
                const DWORD lastErr = ::GetLastError();
                if (!nobodyListens(lastErr)) throw BridgeError(Kind::Transport, connectError(name, lastErr));
                if (!runtime::processAlive(pid)) {
                    // It may have stepped back for a server that another host started at the same moment.
                    h = tryConnect(pipe, Clock::now());
                    if (h != INVALID_HANDLE_VALUE) break;
                    throw BridgeError(Kind::Setup, "deid serve (" + exe.path + ") exited at start; see " + log);
                }
                if (Clock::now() >= deadline)
                    throw BridgeError(Kind::Setup, "deid serve (" + exe.path + ") did not listen on " + name +
                                                       " within 10 s; see " + log);
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
    }
    pipe_ = h;
    try {
        handshake();
    } catch (...) {
        close();
        throw;
    }
}

msgpack::Value ServerConnection::exchange(const msgpack::Value &message, int timeoutMs) {
    std::vector<uint8_t> frame = framing::encodeFrame(message);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    const HANDLE pipe = static_cast<HANDLE>(pipe_);
    const HANDLE event = static_cast<HANDLE>(event_);
    try {
        sendAll(pipe, event, frame, deadline);
        return deid::receive(pipe, event, deadline, timeoutMs);
    } catch (...) {
        // The stream's state is unknown: never reuse it.
        close();
        throw;
    }
}

void ServerConnection::send(const msgpack::Value &message, int timeoutMs) {
    if (pipe_ == nullptr) connect();
    std::vector<uint8_t> frame = framing::encodeFrame(message);
    try {
        sendAll(static_cast<HANDLE>(pipe_), static_cast<HANDLE>(event_), frame, Clock::now() + std::chrono::milliseconds(timeoutMs));
    } catch (...) {
        close();
        throw;
    }
}

msgpack::Value ServerConnection::receive(int timeoutMs) {
    if (pipe_ == nullptr) throw BridgeError(Kind::Transport, "connection to deid serve lost before its reply");
    try {
        return deid::receive(static_cast<HANDLE>(pipe_), static_cast<HANDLE>(event_), Clock::now() + std::chrono::milliseconds(timeoutMs), timeoutMs);
    } catch (...) {
        close();
        throw;
    }
}

msgpack::Value ServerConnection::request(const msgpack::Value &message, int timeoutMs) {
    if (pipe_ == nullptr) connect();
    return exchange(message, timeoutMs);
}

}  // namespace deid
