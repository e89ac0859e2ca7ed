#include "shm_slot.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "errors.h"

namespace deid {

namespace {

std::atomic<unsigned> g_slotCounter{0};
std::once_flag g_cleanupOnce;

[[noreturn]] void slotError(const std::string &msg) { throw BridgeError(BridgeError::Kind::Setup, msg); }

// Removes slot files left behind by processes that no longer exist.
void removeStaleSlots(const std::string &dir) {
    DIR *d = ::opendir(dir.c_str());
    if (d == nullptr) return;
    while (const dirent *e = ::readdir(d)) {
        const char *name = e->d_name;
        if (std::strncmp(name, "slot-", 5) != 0) continue;
        char *end = nullptr;
        const long pid = std::strtol(name + 5, &end, 10);
        if (end == name + 5 || *end != '-' || pid <= 0) continue;
        const size_t len = std::strlen(name);
        if (len < 4 || std::strcmp(name + len - 4, ".shm") != 0) continue;
        if (pid == static_cast<long>(::getpid())) continue;
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) ::unlinkat(::dirfd(d), name, 0);
    }
    ::closedir(d);
}

}  // namespace

SharedSlot::~SharedSlot() { release(); }

void SharedSlot::release() {
    if (data_ != nullptr) ::munmap(data_, size_);
    data_ = nullptr;
    size_ = 0;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (!path_.empty()) ::unlink(path_.c_str());
    path_.clear();
}

void SharedSlot::create(const std::string &dir) {
    std::call_once(g_cleanupOnce, [&] { removeStaleSlots(dir); });
    const std::string path = dir + "/slot-" + std::to_string(::getpid()) + "-" +
                             std::to_string(g_slotCounter.fetch_add(1) + 1) + ".shm";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) {
        // Left by an earlier process that had our process id.
        ::unlink(path.c_str());
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
    if (fd < 0) slotError("cannot create shared-memory slot " + path + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    fd_ = fd;
    path_ = path;
}

uint8_t *SharedSlot::ensure(const std::string &dir, size_t size) {
    if (size == 0) size = 1;
    if (fd_ < 0) create(dir);
    if (data_ != nullptr && size_ >= size) return data_;

    if (data_ != nullptr) {
        ::munmap(data_, size_);
        data_ = nullptr;
        size_ = 0;
    }
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
        const int err = errno;
        release();
        slotError("cannot size shared-memory slot to " + std::to_string(size) + " bytes: " + std::strerror(err));
    }
#if defined(__linux__)
    // Reserve the pages now: a mapping of a sparse file on a full tmpfs would fault (SIGBUS) on write.
    const int rc = ::posix_fallocate(fd_, 0, static_cast<off_t>(size));
    if (rc != 0 && rc != EOPNOTSUPP && rc != ENOSYS && rc != EINVAL) {
        release();
        slotError("cannot reserve " + std::to_string(size) + " bytes for the shared-memory slot: " +
                  std::strerror(rc));
    }
#endif
    void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p == MAP_FAILED) {
        const int err = errno;
        release();
        slotError("cannot map shared-memory slot: " + std::string(std::strerror(err)));
    }
    data_ = static_cast<uint8_t *>(p);
    size_ = size;
    return data_;
}

}  // namespace deid
