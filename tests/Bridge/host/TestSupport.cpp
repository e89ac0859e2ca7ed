#include "TestSupport.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ofxtest {

bool Checks::check(bool condition, const std::string& message) {
    if (condition) {
        ++passes_;
        std::printf("  ok      %s\n", message.c_str());
    } else {
        ++failures_;
        std::printf("  FAILED  %s\n", message.c_str());
    }
    std::fflush(stdout);
    return condition;
}

void Checks::note(const std::string& message) {
    std::printf("  note    %s\n", message.c_str());
    std::fflush(stdout);
}

int Checks::finish(const std::string& name) {
    std::printf("%s: %d passed, %d failed\n", name.c_str(), passes_, failures_);
    std::fflush(stdout);
    return failures_ == 0 ? 0 : 1;
}

std::string envOr(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

std::string makeTempDir(const std::string& prefix) {
    std::string pattern = envOr("TMPDIR", "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) return {};
    chmod(buf.data(), 0700);
    return std::string(buf.data());
}

namespace {
int removeEntry(const char* path, const struct stat*, int, struct FTW*) { return std::remove(path); }
}  // namespace

bool removeTree(const std::string& path) {
    if (path.empty() || path == "/") return false;
    return nftw(path.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS) == 0;
}

bool writeFile(const std::string& path, const void* data, size_t bytes, bool append) {
    FILE* f = std::fopen(path.c_str(), append ? "ab" : "wb");
    if (!f) return false;
    const bool ok = std::fwrite(data, 1, bytes, f) == bytes;
    return std::fclose(f) == 0 && ok;
}

bool fileExists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

bool isExecutable(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::vector<std::string> listDir(const std::string& path) {
    std::vector<std::string> out;
    DIR* d = opendir(path.c_str());
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) out.push_back(e->d_name);
    }
    closedir(d);
    return out;
}

std::string mediaDir(const std::string& repoRoot) { return envOr("DEID_MEDIA", repoRoot + "/../shared/media"); }

size_t differingPixels(const std::uint8_t* a, const std::uint8_t* b, size_t pixels) {
    size_t n = 0;
    for (size_t i = 0; i < pixels; ++i)
        if (std::memcmp(a + 4 * i, b + 4 * i, 4) != 0) ++n;
    return n;
}

int maxByteDifference(const std::uint8_t* a, const std::uint8_t* b, size_t bytes) {
    int m = 0;
    for (size_t i = 0; i < bytes; ++i) {
        const int d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
        if (d > m) m = d;
    }
    return m;
}

std::string jsonEscape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

}  // namespace ofxtest
