#include "runtime.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "errors.h"

#if defined(__APPLE__)
#include <crt_externs.h>
#define environ (*_NSGetEnviron())
#else
extern char **environ;
#endif

namespace deid::runtime {

namespace {

[[noreturn]] void setupError(const std::string &msg) { throw BridgeError(BridgeError::Kind::Setup, msg); }

std::string env(const char *name) {
    const char *v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
}

std::string errnoText(int err) { return std::strerror(err); }

bool isExecutableFile(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string absolutePath(const std::string &path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return path;
    return std::string(cwd) + "/" + path;
}

std::string parentOf(const std::string &path) {
    const size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

void makeDirectories(const std::string &dir) {
    if (dir.empty()) return;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0) return;
    const std::string parent = parentOf(dir);
    if (parent != dir) makeDirectories(parent);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        setupError("cannot create directory " + dir + ": " + errnoText(errno));
}

}  // namespace

void verifyPrivateDirectory(const std::string &dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) setupError("cannot inspect " + dir + ": " + errnoText(errno));
    if (S_ISLNK(st.st_mode)) setupError("refusing runtime directory " + dir + ": it is a symbolic link");
    if (!S_ISDIR(st.st_mode)) setupError("refusing runtime directory " + dir + ": not a directory");
    if (st.st_uid != ::getuid()) setupError("refusing runtime directory " + dir + ": not owned by the current user");
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
        setupError("refusing runtime directory " + dir + ": open to group or others (mode " + mode + ")");
    }
}

std::string socketDirectory() {
    std::string dir = env("DEID_RUNTIME_DIR");
    if (dir.empty()) {
        const std::string xdg = env("XDG_RUNTIME_DIR");
        if (!xdg.empty())
            dir = xdg + "/deid";
        else
            dir = "/tmp/deid-" + std::to_string(::getuid());
    }
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    dir = absolutePath(dir);

    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) setupError("cannot inspect " + dir + ": " + errnoText(errno));
        makeDirectories(parentOf(dir));
        if (::mkdir(dir.c_str(), 0700) == 0) {
            // The umask may have removed bits we need; never added any.
            ::chmod(dir.c_str(), 0700);
        } else if (errno != EEXIST) {
            setupError("cannot create runtime directory " + dir + ": " + errnoText(errno));
        }
    }
    verifyPrivateDirectory(dir);
    return dir;
}

std::string socketPath(const std::string &dir) { return dir + "/serve.sock"; }
std::string logPath(const std::string &dir) { return dir + "/serve.log"; }

std::string bundleDirectory() {
    Dl_info info{};
    if (::dladdr(reinterpret_cast<void *>(&bundleDirectory), &info) == 0 || info.dli_fname == nullptr) return {};
    std::string module = info.dli_fname;
    char resolved[PATH_MAX];
    if (::realpath(module.c_str(), resolved) != nullptr) module = resolved;
    // <bundle>/Contents/<arch>/Deid.ofx
    const std::string archDir = parentOf(module);
    const std::string contents = parentOf(archDir);
    if (contents.size() < 9 || contents.compare(contents.size() - 9, 9, "/Contents") != 0) return {};
    return parentOf(contents);
}

Executable findServerExecutable() {
    const std::string fromEnv = env("DEID_EXECUTABLE");
    if (!fromEnv.empty()) {
        const std::string path = absolutePath(fromEnv);
        if (!isExecutableFile(path)) setupError("DEID_EXECUTABLE (" + path + ") is not an executable file");
        return {path, "DEID_EXECUTABLE"};
    }
    const std::string bundle = bundleDirectory();
    if (!bundle.empty()) {
        const std::string path = bundle + "/Contents/Resources/deid/deid";
        if (isExecutableFile(path)) return {path, "bundle"};
    }
    const std::string searchPath = env("PATH");
    size_t start = 0;
    while (start <= searchPath.size()) {
        size_t end = searchPath.find(':', start);
        if (end == std::string::npos) end = searchPath.size();
        std::string dir = searchPath.substr(start, end - start);
        if (dir.empty()) dir = ".";
        const std::string path = absolutePath(dir + "/deid");
        if (isExecutableFile(path)) return {path, "PATH"};
        start = end + 1;
    }
    setupError("cannot find the deid executable: set DEID_EXECUTABLE, install it in the bundle's "
               "Contents/Resources/deid/, or put deid on PATH");
}

namespace {

struct Report {
    char tag;  // 'P': pid of the server, 'E': exec failed with errno
    int value;
};

void writeReport(int fd, char tag, int value) {
    Report r{tag, value};
    ssize_t ignored = ::write(fd, &r, sizeof r);
    (void)ignored;
}

void closeFrom(int first, int maxFd) {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, static_cast<unsigned>(first), ~0u, 0u) == 0) return;
#endif
    for (int fd = first; fd < maxFd; ++fd) ::close(fd);
}

}  // namespace

long startServer(const Executable &exe, const std::string &logFile) {
    // Everything the child needs is prepared here: after fork only async-signal-safe calls are made.
    std::vector<std::string> args = {exe.path, "serve"};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::string shell = "/bin/sh";
    std::vector<char *> shArgv = {shell.data(), args[0].data(), args[1].data(), nullptr};
    std::string devNull = "/dev/null";
    std::string log = logFile;
    std::string root = "/";

    struct rlimit rl {};
    int maxFd = 4096;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        maxFd = static_cast<int>(rl.rlim_cur);
    else if (rl.rlim_cur >= 65536)
        maxFd = 65536;

    int pipeFds[2];
#if defined(__linux__)
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) setupError("cannot start deid serve: pipe: " + errnoText(errno));
#else
    if (::pipe(pipeFds) != 0) setupError("cannot start deid serve: pipe: " + errnoText(errno));
    ::fcntl(pipeFds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(pipeFds[1], F_SETFD, FD_CLOEXEC);
#endif

    const pid_t child = ::fork();
    if (child < 0) {
        const int err = errno;
        ::close(pipeFds[0]);
        ::close(pipeFds[1]);
        setupError("cannot start deid serve: fork: " + errnoText(err));
    }
    if (child == 0) {
        // Intermediate child: new session, fork the server, exit so the server is not the host's child.
        ::close(pipeFds[0]);
        ::setsid();
        const pid_t server = ::fork();
        if (server < 0) {
            writeReport(pipeFds[1], 'E', errno);
            ::_exit(1);
        }
        if (server > 0) {
            writeReport(pipeFds[1], 'P', static_cast<int>(server));
            ::_exit(0);
        }
        // The server.
        sigset_t all;
        sigemptyset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);

        // The report pipe moves to descriptor 3 (closed on exec), everything above it is closed.
        int report = pipeFds[1];
        if (report != 3) {
            if (::dup2(report, 3) < 0) ::_exit(126);
            report = 3;
        }
        ::fcntl(report, F_SETFD, FD_CLOEXEC);
        const int in = ::open(devNull.c_str(), O_RDONLY);
        int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
        if (out < 0) out = ::open(devNull.c_str(), O_WRONLY);
        if (in >= 0 && in != 0) ::dup2(in, 0);
        if (out >= 0) {
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        closeFrom(4, maxFd);
        if (::chdir(root.c_str()) != 0) {
            // Not fatal: the server does not depend on its working directory.
        }
        ::execve(argv[0], argv.data(), environ);
        if (errno == ENOEXEC) ::execve(shArgv[0], shArgv.data(), environ);
        writeReport(report, 'E', errno);
        ::_exit(127);
    }

    ::close(pipeFds[1]);
    long serverPid = -1;
    int execError = 0;
    const int deadlineMs = 5000;
    int waited = 0;
    while (true) {
        struct pollfd pfd {pipeFds[0], POLLIN, 0};
        const int rc = ::poll(&pfd, 1, 100);
        if (rc < 0 && errno != EINTR) break;
        if (rc == 0) {
            waited += 100;
            if (waited >= deadlineMs) break;
            continue;
        }
        if (rc < 0) continue;
        Report r{};
        const ssize_t n = ::read(pipeFds[0], &r, sizeof r);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // end of file: the server has executed (or everything exited)
        if (n != static_cast<ssize_t>(sizeof r)) break;
        if (r.tag == 'P') serverPid = r.value;
        if (r.tag == 'E') execError = r.value;
    }
    ::close(pipeFds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }

    if (execError != 0) setupError("cannot execute " + exe.path + " (from " + exe.origin + "): " + errnoText(execError));
    if (serverPid <= 0) setupError("cannot start " + exe.path + " (from " + exe.origin + ")");
    return serverPid;
}

bool processAlive(long pid) {
    if (pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

}  // namespace deid::runtime
