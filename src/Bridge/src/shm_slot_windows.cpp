#include "shm_slot.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <atomic>
#include <cwchar>
#include <cwctype>
#include <mutex>
#include <vector>

#include "errors.h"
#include "runtime.h"

namespace deid {

namespace {

std::atomic<unsigned> g_slotCounter{0};
std::once_flag g_cleanupOnce;

// Slot files that could not be deleted yet: the server keeps a slot mapped (and open without delete
// sharing) until it maps a newer one or exits, so removal is retried whenever a slot is created.
std::mutex g_orphanMutex;
std::vector<std::wstring> g_orphans;

[[noreturn]] void slotError(const std::string &msg) { throw BridgeError(BridgeError::Kind::Setup, msg); }

void removeOrDefer(const std::wstring &path) {
    if (::DeleteFileW(path.c_str()) || ::GetLastError() == ERROR_FILE_NOT_FOUND) return;
    std::lock_guard<std::mutex> guard(g_orphanMutex);
    g_orphans.push_back(path);
}

void retryOrphans() {
    std::lock_guard<std::mutex> guard(g_orphanMutex);
    std::vector<std::wstring> left;
    for (const std::wstring &path : g_orphans)
        if (!::DeleteFileW(path.c_str()) && ::GetLastError() != ERROR_FILE_NOT_FOUND) left.push_back(path);
    g_orphans.swap(left);
}

bool processGone(DWORD pid) {
    HANDLE process = ::OpenProcess(SYNCHRONIZE, FALSE, pid);
    if (process == nullptr) return ::GetLastError() == ERROR_INVALID_PARAMETER;  // no such process id
    const bool exited = ::WaitForSingleObject(process, 0) == WAIT_OBJECT_0;
    ::CloseHandle(process);
    return exited;
}

// Removes slot files left behind by processes that no longer exist.
void removeStaleSlots(const std::wstring &dir) {
    WIN32_FIND_DATAW found{};
    HANDLE search = ::FindFirstFileExW((dir + L"\\slot-*.shm").c_str(), FindExInfoBasic, &found,
                                       FindExSearchNameMatch, nullptr, 0);
    if (search == INVALID_HANDLE_VALUE) return;
    const DWORD self = ::GetCurrentProcessId();
    do {
        if ((found.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) != 0) continue;
        const wchar_t *name = found.cFileName;
        if (std::wcsncmp(name, L"slot-", 5) != 0 || !std::iswdigit(name[5])) continue;
        wchar_t *end = nullptr;
        const unsigned long pid = std::wcstoul(name + 5, &end, 10);
        if (*end != L'-' || pid == 0 || pid == self) continue;
        if (processGone(static_cast<DWORD>(pid))) ::DeleteFileW((dir + L"\\" + name).c_str());
    } while (::FindNextFileW(search, &found));
    ::FindClose(search);
}

HANDLE openSlotFile(const std::wstring &path, DWORD disposition) {
    // The server opens the file by path while this side may still hold it, so every kind of sharing is
    // allowed; FILE_FLAG_DELETE_ON_CLOSE would make the server's open fail, hence the explicit delete.
    return ::CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, disposition, FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED, nullptr);
}

// Owns the slot's file handle only while it is sized and mapped.
class FileHandle {
public:
    explicit FileHandle(HANDLE h) : h_(h) {}
    ~FileHandle() {
        if (h_ != INVALID_HANDLE_VALUE && h_ != nullptr) ::CloseHandle(h_);
    }
    FileHandle(const FileHandle &) = delete;
    FileHandle &operator=(const FileHandle &) = delete;
    HANDLE get() const { return h_; }
    bool valid() const { return h_ != INVALID_HANDLE_VALUE && h_ != nullptr; }

private:
    HANDLE h_;
};

}  // namespace

SharedSlot::~SharedSlot() { release(); }

void SharedSlot::release() {
    if (data_ != nullptr) ::UnmapViewOfFile(data_);
    data_ = nullptr;
    size_ = 0;
    if (!path_.empty()) removeOrDefer(runtime::widen(path_));
    path_.clear();
}

void SharedSlot::create(const std::string &dir) {
    const std::wstring wdir = runtime::widen(dir);
    std::call_once(g_cleanupOnce, [&] { removeStaleSlots(wdir); });
    retryOrphans();
    const std::string path = dir + "\\slot-" + std::to_string(::GetCurrentProcessId()) + "-" +
                             std::to_string(g_slotCounter.fetch_add(1) + 1) + ".shm";
    const std::wstring wpath = runtime::widen(path);
    HANDLE file = openSlotFile(wpath, CREATE_NEW);
    if (file == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_FILE_EXISTS) {
        // Left by an earlier process that had our process id.
        ::DeleteFileW(wpath.c_str());
        file = openSlotFile(wpath, CREATE_NEW);
    }
    if (file == INVALID_HANDLE_VALUE)
        slotError("cannot create shared-memory slot " + path + ": " + runtime::systemErrorText(::GetLastError()));
    // Only the name is kept: ensure() reopens it to size and map it.
    ::CloseHandle(file);
    path_ = path;
}

uint8_t *SharedSlot::ensure(const std::string &dir, size_t size) {
    if (size == 0) size = 1;
    if (data_ != nullptr && size_ >= size) return data_;

    if (data_ != nullptr) {
        ::UnmapViewOfFile(data_);
        data_ = nullptr;
        size_ = 0;
    }
    if (path_.empty()) create(dir);

    HANDLE raw = openSlotFile(runtime::widen(path_), OPEN_EXISTING);
    if (raw == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_SHARING_VIOLATION) {
        // The server holds this slot open for reading and writing while sharing reads only, so it cannot be
        // grown in place; a new slot replaces it (callers rewrite the whole slot after ensure).
        const std::wstring old = runtime::widen(path_);
        path_.clear();
        removeOrDefer(old);
        create(dir);
        raw = openSlotFile(runtime::widen(path_), OPEN_EXISTING);
    }
    FileHandle file(raw);
    if (!file.valid()) {
        const DWORD err = ::GetLastError();
        release();
        slotError("cannot open shared-memory slot: " + runtime::systemErrorText(err));
    }

    LARGE_INTEGER length{};
    length.QuadPart = static_cast<LONGLONG>(size);
    if (static_cast<unsigned long long>(length.QuadPart) != size || !::SetFilePointerEx(file.get(), length, nullptr, FILE_BEGIN) ||
        !::SetEndOfFile(file.get())) {
        const DWORD err = ::GetLastError();
        release();
        slotError("cannot size shared-memory slot to " + std::to_string(size) + " bytes: " + runtime::systemErrorText(err));
    }

    const unsigned long long wide = static_cast<unsigned long long>(size);
    HANDLE mapping = ::CreateFileMappingW(file.get(), nullptr, PAGE_READWRITE, static_cast<DWORD>(wide >> 32),
                                          static_cast<DWORD>(wide & 0xffffffffull), nullptr);
    if (mapping == nullptr) {
        const DWORD err = ::GetLastError();
        release();
        slotError("cannot map shared-memory slot: " + runtime::systemErrorText(err));
    }
    void *p = ::MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
    const DWORD mapErr = ::GetLastError();
    // The view keeps the mapping (and the file) alive. Closing both handles now matters: the server opens the
    // file sharing reads only, which fails while any handle with write access to it remains open here.
    ::CloseHandle(mapping);
    if (p == nullptr) {
        release();
        slotError("cannot map shared-memory slot: " + runtime::systemErrorText(mapErr));
    }
    data_ = static_cast<uint8_t *>(p);
    size_ = size;
    return data_;
}

}  // namespace deid
