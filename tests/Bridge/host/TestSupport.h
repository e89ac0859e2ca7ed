// Small helpers shared by the test programs: checks that count failures, temp folders, files, environment,
// and frame comparisons.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ofxtest {

class Checks {
public:
    // Prints "ok" / "FAILED" with the message; returns the condition.
    bool check(bool condition, const std::string& message);
    void note(const std::string& message);  // informational line
    int failures() const { return failures_; }
    int passes() const { return passes_; }
    // Prints the summary and returns the process exit code (0 when every check passed).
    int finish(const std::string& name);

private:
    int failures_ = 0;
    int passes_ = 0;
};

std::string envOr(const char* name, const std::string& fallback);
// A new folder with mode 0700 under $TMPDIR (or /tmp); empty on failure.
std::string makeTempDir(const std::string& prefix);
bool removeTree(const std::string& path);
bool writeFile(const std::string& path, const void* data, size_t bytes, bool append = false);
bool fileExists(const std::string& path);
bool isExecutable(const std::string& path);
std::vector<std::string> listDir(const std::string& path);
// The shared media folder: $DEID_MEDIA, else <repo>/../shared/media.
std::string mediaDir(const std::string& repoRoot);

// Pixels (RGBA, 4 bytes each) that differ between two packed frames of `pixels` pixels.
size_t differingPixels(const std::uint8_t* a, const std::uint8_t* b, size_t pixels);
// Largest absolute difference of any byte.
int maxByteDifference(const std::uint8_t* a, const std::uint8_t* b, size_t bytes);
std::string jsonEscape(const std::string& text);

}  // namespace ofxtest
