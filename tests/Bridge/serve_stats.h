// Asks the `deid serve` of a runtime folder how its caches have done (the "stats" request of docs/BRIDGE.md),
// speaking the protocol directly, so a test can count cache hits behind the plugin's back.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ofxtest {

// The integer fields of the reply (rendered, memoryHits, diskHits, misses, corrupt, ...); empty with `error` set
// when the server cannot be asked.
std::map<std::string, std::int64_t> serveStats(const std::string& runtimeDir, std::string* error);

}  // namespace ofxtest
