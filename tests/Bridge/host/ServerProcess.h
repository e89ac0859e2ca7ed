// Finding and stopping the `deid serve` process that the plugin started for a runtime directory.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace ofxtest {

struct ServerLookup {
    std::vector<pid_t> pids;
    std::string method;  // how they were found, for the report
};

// The processes serving <runtimeDir>/serve.sock, found in this order:
//   1. the socket's inode in /proc/net/unix, then the processes holding a descriptor on that inode;
//   2. a process whose command line names deid and "serve" and whose environment has DEID_RUNTIME_DIR=<dir>;
//   3. when `allowPgrep`: `pgrep -f "deid.*serve"` (may also match servers of other runtime directories).
ServerLookup findServer(const std::string& runtimeDir, bool allowPgrep = true);

bool processAlive(pid_t pid);  // false for a zombie
// Sends `signal` and waits until the process is gone; true when it is.
bool stopProcess(pid_t pid, int signal, double timeoutSeconds);

}  // namespace ofxtest
