// The per-instance shared-memory frame slot: a file <dir>/slot-<pid>-<n>.shm (mode 0600), sized with
// ftruncate, mapped shared, grown on demand, unmapped and unlinked on destruction. Windows: the same file
// sized with SetEndOfFile and mapped with CreateFileMappingW/MapViewOfFile; the server maps it by path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace deid {

class SharedSlot {
public:
    SharedSlot() = default;
    ~SharedSlot();
    SharedSlot(const SharedSlot &) = delete;
    SharedSlot &operator=(const SharedSlot &) = delete;

    // Returns a mapping of at least size bytes, creating the file in dir on first use and growing it
    // when needed. Throws BridgeError(Setup).
    uint8_t *ensure(const std::string &dir, size_t size);

    const std::string &path() const { return path_; }
    size_t size() const { return size_; }
    uint8_t *data() const { return data_; }

    // Unmaps, closes and removes the file.
    void release();

private:
    void create(const std::string &dir);

    std::string path_;
#if !defined(_WIN32)
    int fd_ = -1;
#endif
    uint8_t *data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace deid
