// The one exception type used inside the bridge. It never leaves an OpenFX action: every entry point
// catches it and turns it into a status (and, for renders, a persistent message).
#pragma once

#include <stdexcept>
#include <string>

namespace deid {

class BridgeError : public std::runtime_error {
public:
    enum class Kind {
        Transport,  // the connection failed or broke
        Timeout,    // no reply in time
        Server,     // the server answered with an error reply
        Protocol,   // a reply that does not follow the protocol
        Host,       // the OpenFX host refused something or gave unusable data
        Setup,      // local environment: runtime directory, executable, shared memory
        Cancelled,  // the user stopped a long operation
    };

    BridgeError(Kind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

}  // namespace deid
