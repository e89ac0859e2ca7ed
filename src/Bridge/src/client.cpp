// The parts of ServerConnection that do not depend on the transport (socket or named pipe).
#include "client.h"

#include "protocol.h"

namespace deid {

void ServerConnection::handshake() {
    const msgpack::Value reply = exchange(protocol::makeHello(client_), kRequestTimeoutMs);
    protocol::parseWelcome(reply);  // throws on error replies and other protocol versions
}

}  // namespace deid
