// Asks the `deid serve` of a runtime folder how its caches have done (the "stats" request of docs/BRIDGE.md),
// speaking the protocol directly, so a test can count cache hits behind the plugin's back.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace deid::msgpack {
class Value;
}

namespace ofxtest {

// One connection to the `deid serve` of a runtime folder, greeted with hello.
class ServeConnection {
public:
    ServeConnection() = default;
    ~ServeConnection();
    ServeConnection(const ServeConnection&) = delete;
    ServeConnection& operator=(const ServeConnection&) = delete;

    bool open(const std::string& runtimeDir, std::string* error);
    // Sends one request and reads its reply; false with `error` set when the exchange fails.
    bool request(const deid::msgpack::Value& message, deid::msgpack::Value& reply, std::string* error);

private:
    int fd_ = -1;
};

// The integer fields of the reply (rendered, memoryHits, diskHits, misses, corrupt, ...); empty with `error` set
// when the server cannot be asked.
// With `flush`, the server first finishes writing the frames queued for its disk cache.
std::map<std::string, std::int64_t> serveStats(const std::string& runtimeDir, std::string* error, bool flush = false);

}  // namespace ofxtest
