// Transport, shared memory and server start for platforms without an implementation yet (Windows:
// the named pipe \\.\pipe\deid-<user> of docs/BRIDGE.md). Everything fails with a clear message, so
// renders fail closed instead of passing the source through.
#include "client.h"
#include "errors.h"
#include "runtime.h"
#include "shm_slot.h"

namespace deid {

namespace {
[[noreturn]] void unsupported() {
    throw BridgeError(BridgeError::Kind::Setup, "the connection to deid serve is not implemented on this platform yet");
}
}  // namespace

namespace runtime {
std::string socketDirectory() { unsupported(); }
void verifyPrivateDirectory(const std::string &) { unsupported(); }
std::string socketPath(const std::string &dir) { return dir; }
std::string logPath(const std::string &dir) { return dir; }
std::string bundleDirectory() { return {}; }
Executable findServerExecutable() { unsupported(); }
long startServer(const Executable &, const std::string &) { unsupported(); }
bool processAlive(long) { return false; }
}  // namespace runtime

SharedSlot::~SharedSlot() { release(); }
void SharedSlot::release() {}
void SharedSlot::create(const std::string &) { unsupported(); }
uint8_t *SharedSlot::ensure(const std::string &, size_t) { unsupported(); }

ServerConnection::ServerConnection(std::string clientName) : client_(std::move(clientName)) {}
ServerConnection::~ServerConnection() = default;
void ServerConnection::close() {}
const std::string &ServerConnection::ensureDirectory() { unsupported(); }
void ServerConnection::connect() { unsupported(); }
void ServerConnection::handshake() { unsupported(); }
msgpack::Value ServerConnection::exchange(const msgpack::Value &, int) { unsupported(); }
msgpack::Value ServerConnection::request(const msgpack::Value &, int) { unsupported(); }

}  // namespace deid
