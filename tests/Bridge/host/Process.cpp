#include "Process.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace ofxtest {

namespace {

std::string tempPath(const char* stem) {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/" + stem + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = mkstemp(buf.data());
    if (fd >= 0) close(fd);
    return std::string(buf.data());
}

std::string slurp(const std::string& path, size_t limit = 1 << 20) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    if (text.size() > limit) text = text.substr(text.size() - limit);
    return text;
}

// Forks and execs argv with stdout into `outFd` and stderr into the file `errPath`. The argv array is built
// before the fork so the child only calls dup2/open/exec.
pid_t spawn(const std::vector<std::string>& argv, int outFd, int closeFd, const std::string& errPath) {
    if (argv.empty()) return -1;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const char* err = errPath.c_str();
    pid_t pid = fork();
    if (pid == 0) {
        if (closeFd >= 0) close(closeFd);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(outFd, 1);
        int errFd = open(err, O_WRONLY | O_TRUNC | O_CREAT, 0600);
        if (errFd >= 0) dup2(errFd, 2);
        execvp(args[0], args.data());
        _exit(127);
    }
    return pid;
}

int waitFor(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

ProcessResult runProcess(const std::vector<std::string>& argv) {
    ProcessResult result;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return result;
    const std::string errPath = tempPath("ofxhost-err");
    pid_t pid = spawn(argv, fds[1], fds[0], errPath);
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        std::remove(errPath.c_str());
        return result;
    }
    char buf[65536];
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        result.out.append(buf, static_cast<size_t>(n));
    }
    close(fds[0]);
    result.exitCode = waitFor(pid);
    result.err = slurp(errPath);
    std::remove(errPath.c_str());
    return result;
}

ProcessReader::ProcessReader(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    errPath_ = tempPath("ofxhost-err");
    pid_ = spawn(argv, fds[1], fds[0], errPath_);
    close(fds[1]);
    if (pid_ < 0) {
        close(fds[0]);
        return;
    }
    fd_ = fds[0];
}

ProcessReader::~ProcessReader() {
    if (pid_ > 0 && !waited_) {
        kill(pid_, SIGTERM);
        wait();
    }
    if (!errPath_.empty()) std::remove(errPath_.c_str());
}

size_t ProcessReader::readFully(void* buffer, size_t n) {
    if (fd_ < 0) return 0;
    auto* p = static_cast<char*>(buffer);
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd_, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += static_cast<size_t>(r);
    }
    return got;
}

int ProcessReader::wait() {
    if (waited_) return exitCode_;
    if (fd_ >= 0) {
        close(fd_);
        fd_ = -1;
    }
    if (pid_ > 0) exitCode_ = waitFor(pid_);
    waited_ = true;
    return exitCode_;
}

std::string ProcessReader::errorText() const { return errPath_.empty() ? std::string() : slurp(errPath_, 4096); }

}  // namespace ofxtest
