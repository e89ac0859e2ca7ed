// Child processes without a shell: run to completion capturing output, or stream a child's stdout.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace ofxtest {

struct ProcessResult {
    int exitCode = -1;  // -1 when it could not be started or did not exit normally
    std::string out;
    std::string err;
};

ProcessResult runProcess(const std::vector<std::string>& argv);

// A child whose stdout is read as a stream; stderr is kept (up to a limit) for error messages.
class ProcessReader {
public:
    explicit ProcessReader(const std::vector<std::string>& argv);
    ~ProcessReader();
    ProcessReader(const ProcessReader&) = delete;
    ProcessReader& operator=(const ProcessReader&) = delete;

    bool started() const { return pid_ > 0; }
    // Reads exactly n bytes unless the stream ends first; returns how many were read.
    size_t readFully(void* buffer, size_t n);
    int wait();  // exit code (-1 abnormal); closes the pipe
    std::string errorText() const;

private:
    pid_t pid_ = -1;
    int fd_ = -1;
    std::string errPath_;
    int exitCode_ = -1;
    bool waited_ = false;
};

}  // namespace ofxtest
