#include "serve_stats.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "framing.h"
#include "msgpack.h"

namespace ofxtest {

namespace {

bool writeAll(int fd, const std::vector<std::uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

ServeConnection::~ServeConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool ServeConnection::open(const std::string& runtimeDir, std::string* error) {
    const std::string path = runtimeDir + "/serve.sock";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        *error = "socket path too long";
        return false;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        *error = "cannot connect to " + path;
        return false;
    }
    deid::msgpack::Value hello = deid::msgpack::Value::map();
    hello.set("type", "hello");
    hello.set("protocol", 1);
    hello.set("client", "Deid test host");
    deid::msgpack::Value reply;
    return request(hello, reply, error);
}

bool ServeConnection::request(const deid::msgpack::Value& message, deid::msgpack::Value& reply, std::string* error) {
    if (fd_ < 0) {
        *error = "not connected";
        return false;
    }
    if (!writeAll(fd_, deid::framing::encodeFrame(message))) {
        *error = "cannot send to deid serve";
        return false;
    }
    deid::framing::FrameDecoder decoder;
    std::vector<std::uint8_t> payload;
    std::uint8_t buffer[4096];
    for (;;) {
        const auto status = decoder.next(payload);
        if (status == deid::framing::FrameDecoder::Status::Frame) break;
        if (status == deid::framing::FrameDecoder::Status::BadLength) {
            *error = "bad frame from deid serve";
            return false;
        }
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) {
            *error = "deid serve closed the connection";
            return false;
        }
        decoder.push(buffer, static_cast<size_t>(n));
    }
    return deid::framing::decodeMessage(payload.data(), payload.size(), reply, *error);
}

std::map<std::string, std::int64_t> serveStats(const std::string& runtimeDir, std::string* error, bool flush) {
    std::map<std::string, std::int64_t> out;
    std::string ignored;
    if (error == nullptr) error = &ignored;
    try {
        ServeConnection connection;
        if (!connection.open(runtimeDir, error)) return out;
        deid::msgpack::Value request = deid::msgpack::Value::map();
        request.set("type", "stats");
        if (flush) request.set("flush", true);
        deid::msgpack::Value reply;
        if (!connection.request(request, reply, error)) return out;
        const deid::msgpack::Value* type = reply.find("type");
        if (type == nullptr || !type->isStr() || *type->str() != "stats") {
            *error = "deid serve did not answer stats";
            return out;
        }
        if (const auto* items = reply.mapItems())
            for (const auto& item : *items) {
                std::int64_t n = 0;
                if (item.second.getInt(n)) out[item.first] = n;
            }
    } catch (const std::exception& e) {
        *error = e.what();
        out.clear();
    }
    return out;
}

}  // namespace ofxtest
