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

struct Socket {
    int fd = -1;
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
};

bool writeAll(int fd, const std::vector<std::uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

bool exchange(int fd, const deid::msgpack::Value& request, deid::msgpack::Value& reply, std::string* error) {
    if (!writeAll(fd, deid::framing::encodeFrame(request))) {
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
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            *error = "deid serve closed the connection";
            return false;
        }
        decoder.push(buffer, static_cast<size_t>(n));
    }
    return deid::framing::decodeMessage(payload.data(), payload.size(), reply, *error);
}

}  // namespace

std::map<std::string, std::int64_t> serveStats(const std::string& runtimeDir, std::string* error) {
    std::map<std::string, std::int64_t> out;
    std::string ignored;
    if (error == nullptr) error = &ignored;
    const std::string path = runtimeDir + "/serve.sock";
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        *error = "socket path too long";
        return out;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    Socket s;
    s.fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (s.fd < 0 || ::connect(s.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        *error = "cannot connect to " + path;
        return out;
    }
    try {
        deid::msgpack::Value hello = deid::msgpack::Value::map();
        hello.set("type", "hello");
        hello.set("protocol", 1);
        hello.set("client", "bridge_e2e stats");
        deid::msgpack::Value reply;
        if (!exchange(s.fd, hello, reply, error)) return out;
        deid::msgpack::Value request = deid::msgpack::Value::map();
        request.set("type", "stats");
        if (!exchange(s.fd, request, reply, error)) return out;
        const deid::msgpack::Value* type = reply.find("type");
        if (type == nullptr || !type->isStr() || *type->str() != "stats") {
            *error = "deid serve did not answer stats";
            return out;
        }
        for (const char* name : {"rendered", "memoryHits", "diskHits", "misses", "corrupt", "memoryBytes"}) {
            const deid::msgpack::Value* v = reply.find(name);
            std::int64_t n = 0;
            if (v != nullptr && v->getInt(n)) out[name] = n;
        }
    } catch (const std::exception& e) {
        *error = e.what();
        out.clear();
    }
    return out;
}

}  // namespace ofxtest
