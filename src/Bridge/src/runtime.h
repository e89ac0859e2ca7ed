// Where the server lives: the runtime directory (created and verified), the server executable, and
// starting it detached. Strings are UTF-8 on every platform.
#pragma once

#include <string>

namespace deid::runtime {

// $DEID_RUNTIME_DIR, else $XDG_RUNTIME_DIR/deid, else /tmp/deid-<uid>. Creates it (mode 0700) when
// missing; refuses (BridgeError Setup) one that is not a directory owned by the current user or that
// group/others can access. Windows: %DEID_RUNTIME_DIR%, else %LOCALAPPDATA%\deid\runtime, created when
// missing; a symbolic link or junction is refused.
std::string socketDirectory();

// Throws BridgeError(Setup) when dir is not a private directory of the current user.
void verifyPrivateDirectory(const std::string &dir);

// POSIX: <dir>/serve.sock. Windows: the per-user named pipe \\.\pipe\deid-<user> (dir is not used).
std::string socketPath(const std::string &dir);
std::string logPath(const std::string &dir);

// The folder of the bundle this module was loaded from (".../Deid.ofx.bundle"), or empty if unknown.
std::string bundleDirectory();

struct Executable {
    std::string path;    // absolute
    std::string origin;  // "DEID_EXECUTABLE", "bundle" or "PATH"
};

// $DEID_EXECUTABLE, else <bundle>/Contents/Resources/deid/deid, else deid on PATH (deid.exe on Windows).
// Throws BridgeError(Setup).
Executable findServerExecutable();

// Starts "<exe> serve" in a new session, detached from the host (not its child), stdin from /dev/null,
// stdout/stderr appended to logFile (Windows: a detached process without a console or window). Returns the server's process id. Throws BridgeError(Setup) when
// it cannot be executed.
long startServer(const Executable &exe, const std::string &logFile);

// Whether a process with this id still exists.
bool processAlive(long pid);

#if defined(_WIN32)
// UTF-8 <-> UTF-16 for the W APIs, and the text of a GetLastError code.
std::wstring widen(const std::string &utf8);
std::string narrow(const std::wstring &utf16);
std::string systemErrorText(unsigned long code);
#endif

}  // namespace deid::runtime
