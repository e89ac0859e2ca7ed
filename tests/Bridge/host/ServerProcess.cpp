#include "ServerProcess.h"

#include "Process.h"

#include <chrono>
#include <dirent.h>
#include <fstream>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace ofxtest {

namespace {

std::vector<pid_t> allPids() {
    std::vector<pid_t> pids;
    DIR* d = opendir("/proc");
    if (!d) return pids;
    while (dirent* e = readdir(d)) {
        char* end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (end && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
    }
    closedir(d);
    return pids;
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> nulSplit(const std::string& text) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == '\0') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

std::set<std::string> socketInodes(const std::string& socketPath) {
    std::set<std::string> inodes;
    std::ifstream in("/proc/net/unix");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string num, ref, proto, flags, type, st, inode, path;
        if (!(f >> num >> ref >> proto >> flags >> type >> st >> inode)) continue;
        f >> path;
        if (path == socketPath) inodes.insert(inode);
    }
    return inodes;
}

bool holdsSocket(pid_t pid, const std::set<std::string>& inodes) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (!d) return false;
    bool found = false;
    while (dirent* e = readdir(d)) {
        char target[256];
        const ssize_t n = readlink((dir + "/" + e->d_name).c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        const std::string t(target);
        if (t.rfind("socket:[", 0) == 0 && inodes.count(t.substr(8, t.size() - 9))) {
            found = true;
            break;
        }
    }
    closedir(d);
    return found;
}

bool looksLikeServer(pid_t pid) {
    const auto args = nulSplit(readAll("/proc/" + std::to_string(pid) + "/cmdline"));
    bool deid = false, serve = false;
    for (const auto& a : args) {
        if (a.find("deid") != std::string::npos || a.find("Deid") != std::string::npos) deid = true;
        if (a == "serve") serve = true;
    }
    return deid && serve;
}

bool hasRuntimeDir(pid_t pid, const std::string& runtimeDir) {
    for (const auto& v : nulSplit(readAll("/proc/" + std::to_string(pid) + "/environ")))
        if (v == "DEID_RUNTIME_DIR=" + runtimeDir) return true;
    return false;
}

}  // namespace

bool processAlive(pid_t pid) {
    if (pid <= 0 || kill(pid, 0) != 0) return false;
    const std::string stat = readAll("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size()) return true;
    const char state = stat[close + 2];
    return state != 'Z' && state != 'X';
}

bool stopProcess(pid_t pid, int signal, double timeoutSeconds) {
    if (!processAlive(pid)) return true;
    kill(pid, signal);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!processAlive(pid)) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !processAlive(pid);
}

ServerLookup findServer(const std::string& runtimeDir, bool allowPgrep) {
    ServerLookup result;
    const pid_t self = getpid();
    const auto inodes = socketInodes(runtimeDir + "/serve.sock");
    if (!inodes.empty()) {
        for (pid_t pid : allPids())
            if (pid != self && holdsSocket(pid, inodes)) result.pids.push_back(pid);
        if (!result.pids.empty()) {
            result.method = "owner of " + runtimeDir + "/serve.sock (/proc/net/unix)";
            return result;
        }
    }
    for (pid_t pid : allPids())
        if (pid != self && looksLikeServer(pid) && hasRuntimeDir(pid, runtimeDir)) result.pids.push_back(pid);
    if (!result.pids.empty()) {
        result.method = "command line and DEID_RUNTIME_DIR in /proc";
        return result;
    }
    if (!allowPgrep) return result;
    ProcessResult pg = runProcess({"pgrep", "-f", "deid.*serve"});
    std::istringstream in(pg.out);
    long pid = 0;
    while (in >> pid)
        if (pid > 0 && pid != self) result.pids.push_back(static_cast<pid_t>(pid));
    if (!result.pids.empty()) result.method = "pgrep -f \"deid.*serve\"";
    return result;
}

}  // namespace ofxtest
