#include "runtime.h"

#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cwchar>
#include <vector>

#include "errors.h"

namespace deid::runtime {

namespace {

[[noreturn]] void setupError(const std::string &msg) { throw BridgeError(BridgeError::Kind::Setup, msg); }

// Closes a kernel handle when it leaves scope; INVALID_HANDLE_VALUE and null both mean "none".
class Handle {
public:
    explicit Handle(HANDLE h = nullptr) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
    ~Handle() {
        if (h_ != nullptr) ::CloseHandle(h_);
    }
    Handle(const Handle &) = delete;
    Handle &operator=(const Handle &) = delete;
    HANDLE get() const { return h_; }
    void reset(HANDLE h) {
        if (h_ != nullptr) ::CloseHandle(h_);
        h_ = h == INVALID_HANDLE_VALUE ? nullptr : h;
    }
    explicit operator bool() const { return h_ != nullptr; }

private:
    HANDLE h_;
};

std::wstring envW(const wchar_t *name) {
    const DWORD needed = ::GetEnvironmentVariableW(name, nullptr, 0);
    if (needed == 0) return {};
    std::wstring value(needed, L'\0');
    const DWORD n = ::GetEnvironmentVariableW(name, value.data(), needed);
    if (n == 0 || n >= needed) return {};
    value.resize(n);
    return value;
}

std::wstring absolutePathW(const std::wstring &path) {
    const DWORD needed = ::GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
    if (needed == 0) return path;
    std::wstring full(needed, L'\0');
    const DWORD n = ::GetFullPathNameW(path.c_str(), needed, full.data(), nullptr);
    if (n == 0 || n >= needed) return path;
    full.resize(n);
    return full;
}

bool isSeparator(wchar_t c) { return c == L'\\' || c == L'/'; }

void trimSeparators(std::wstring &path) {
    // Keep the root of "C:\" and "\\server\share\" intact.
    while (path.size() > 3 && isSeparator(path.back())) path.pop_back();
}

std::wstring parentOf(const std::wstring &path) {
    const size_t slash = path.find_last_of(L"\\/");
    if (slash == std::wstring::npos) return {};
    return path.substr(0, slash);
}

bool isRegularFile(const std::wstring &path) {
    const DWORD attrs = ::GetFileAttributesW(path.c_str());
    return attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

void makeDirectories(const std::wstring &dir) {
    if (dir.empty()) return;
    if (::GetFileAttributesW(dir.c_str()) != INVALID_FILE_ATTRIBUTES) return;
    const std::wstring parent = parentOf(dir);
    if (!parent.empty() && parent != dir) makeDirectories(parent);
    if (!::CreateDirectoryW(dir.c_str(), nullptr)) {
        const DWORD err = ::GetLastError();
        if (err != ERROR_ALREADY_EXISTS)
            setupError("cannot create directory " + narrow(dir) + ": " + systemErrorText(err));
    }
}

std::wstring quoteArgument(const std::wstring &arg) {
    // The rules CommandLineToArgvW and the C runtime use: backslashes are literal unless they precede a quote.
    if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) return arg;
    std::wstring out = L"\"";
    size_t backslashes = 0;
    for (const wchar_t c : arg) {
        if (c == L'\\') {
            ++backslashes;
            continue;
        }
        if (c == L'"') {
            out.append(backslashes * 2 + 1, L'\\');
        } else {
            out.append(backslashes, L'\\');
        }
        backslashes = 0;
        out.push_back(c);
    }
    out.append(backslashes * 2, L'\\');
    out.push_back(L'"');
    return out;
}

// Opens a handle the server process inherits (and nothing else: the handle list below limits inheritance).
HANDLE openInheritable(const std::wstring &path, DWORD access, DWORD disposition) {
    SECURITY_ATTRIBUTES sa{};
    sa.nLength = sizeof sa;
    sa.bInheritHandle = TRUE;
    return ::CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, disposition,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
}

}  // namespace

std::wstring widen(const std::string &utf8) {
    if (utf8.empty()) return {};
    const int n = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    if (n <= 0) return {};
    std::wstring out(static_cast<size_t>(n), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
    return out;
}

std::string narrow(const std::wstring &utf16) {
    if (utf16.empty()) return {};
    const int n = ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), nullptr, 0, nullptr,
                                        nullptr);
    if (n <= 0) return {};
    std::string out(static_cast<size_t>(n), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n, nullptr, nullptr);
    return out;
}

std::string systemErrorText(unsigned long code) {
    wchar_t *buffer = nullptr;
    const DWORD n = ::FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                                         FORMAT_MESSAGE_IGNORE_INSERTS,
                                     nullptr, static_cast<DWORD>(code), 0, reinterpret_cast<wchar_t *>(&buffer), 0,
                                     nullptr);
    std::wstring text;
    if (n != 0 && buffer != nullptr) text.assign(buffer, n);
    if (buffer != nullptr) ::LocalFree(buffer);
    while (!text.empty() && (text.back() == L'\r' || text.back() == L'\n' || text.back() == L' ' || text.back() == L'.'))
        text.pop_back();
    const std::string suffix = "(error " + std::to_string(code) + ")";
    return text.empty() ? suffix : narrow(text) + " " + suffix;
}

void verifyPrivateDirectory(const std::string &dir) {
    const std::wstring path = widen(dir);
    const DWORD attrs = ::GetFileAttributesW(path.c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES)
        setupError("cannot inspect " + dir + ": " + systemErrorText(::GetLastError()));
    // A link could point the server's pipe peer and the frames at a folder another user controls.
    if ((attrs & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        setupError("refusing runtime directory " + dir + ": it is a symbolic link or junction");
    if ((attrs & FILE_ATTRIBUTE_DIRECTORY) == 0) setupError("refusing runtime directory " + dir + ": not a directory");
}

std::string socketDirectory() {
    std::wstring dir = envW(L"DEID_RUNTIME_DIR");
    if (dir.empty()) {
        // %LOCALAPPDATA% carries an ACL that admits only its user (plus SYSTEM and administrators), so a
        // folder inside it is private without setting an ACL of our own; the server resolves the same path.
        const std::wstring local = envW(L"LOCALAPPDATA");
        if (local.empty()) setupError("cannot find the runtime directory: LOCALAPPDATA is not set");
        dir = local + L"\\deid\\runtime";
    }
    dir = absolutePathW(dir);
    trimSeparators(dir);
    makeDirectories(dir);
    const std::string utf8 = narrow(dir);
    verifyPrivateDirectory(utf8);
    return utf8;
}

std::string socketPath(const std::string &) {
    // The pipe name follows the user, not the folder: the server derives it from its user name the same way.
    std::wstring user(257, L'\0');  // UNLEN + 1
    DWORD size = static_cast<DWORD>(user.size());
    if (!::GetUserNameW(user.data(), &size)) {
        if (::GetLastError() != ERROR_INSUFFICIENT_BUFFER) setupError("cannot read the user name: " + systemErrorText(::GetLastError()));
        user.assign(size, L'\0');
        if (!::GetUserNameW(user.data(), &size)) setupError("cannot read the user name: " + systemErrorText(::GetLastError()));
    }
    user.resize(size > 0 ? size - 1 : 0);  // size counts the terminating null
    std::string name = "\\\\.\\pipe\\deid-";
    for (const wchar_t c : user) {
        const bool plain = (c >= L'A' && c <= L'Z') || (c >= L'a' && c <= L'z') || (c >= L'0' && c <= L'9') ||
                           c == L'.' || c == L'_' || c == L'-';
        name.push_back(plain ? static_cast<char>(c) : '_');
    }
    return name;
}

std::string logPath(const std::string &dir) { return dir + "\\serve.log"; }

std::string bundleDirectory() {
    HMODULE module = nullptr;
    if (!::GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                              reinterpret_cast<LPCWSTR>(&bundleDirectory), &module))
        return {};
    std::wstring file(MAX_PATH, L'\0');
    while (true) {
        const DWORD n = ::GetModuleFileNameW(module, file.data(), static_cast<DWORD>(file.size()));
        if (n == 0) return {};
        if (n < file.size()) {
            file.resize(n);
            break;
        }
        if (file.size() >= 32768) return {};
        file.resize(file.size() * 2);
    }
    // <bundle>\Contents\<arch>\Deid.ofx
    const std::wstring contents = parentOf(parentOf(file));
    const size_t slash = contents.find_last_of(L"\\/");
    if (slash == std::wstring::npos || _wcsicmp(contents.c_str() + slash + 1, L"Contents") != 0) return {};
    return narrow(parentOf(contents));
}

Executable findServerExecutable() {
    const std::wstring fromEnv = envW(L"DEID_EXECUTABLE");
    if (!fromEnv.empty()) {
        const std::wstring path = absolutePathW(fromEnv);
        if (!isRegularFile(path)) setupError("DEID_EXECUTABLE (" + narrow(path) + ") is not an executable file");
        return {narrow(path), "DEID_EXECUTABLE"};
    }
    const std::string bundle = bundleDirectory();
    if (!bundle.empty()) {
        const std::wstring path = widen(bundle) + L"\\Contents\\Resources\\deid\\deid.exe";
        if (isRegularFile(path)) return {narrow(path), "bundle"};
    }
    const std::wstring searchPath = envW(L"PATH");
    size_t start = 0;
    while (start < searchPath.size()) {
        size_t end = searchPath.find(L';', start);
        if (end == std::wstring::npos) end = searchPath.size();
        std::wstring dir = searchPath.substr(start, end - start);
        if (dir.size() >= 2 && dir.front() == L'"' && dir.back() == L'"') dir = dir.substr(1, dir.size() - 2);
        if (!dir.empty()) {
            trimSeparators(dir);
            const std::wstring path = absolutePathW(dir + L"\\deid.exe");
            if (isRegularFile(path)) return {narrow(path), "PATH"};
        }
        start = end + 1;
    }
    setupError("cannot find the deid executable: set DEID_EXECUTABLE, install it in the bundle's "
               "Contents\\Resources\\deid\\, or put deid.exe on PATH");
}

long startServer(const Executable &exe, const std::string &logFile) {
    const std::wstring app = widen(exe.path);
    std::wstring commandLine = quoteArgument(app) + L" serve";

    Handle in(openInheritable(L"NUL", GENERIC_READ, OPEN_EXISTING));
    Handle out(openInheritable(widen(logFile), FILE_APPEND_DATA | SYNCHRONIZE, OPEN_ALWAYS));
    if (!out) out.reset(openInheritable(L"NUL", GENERIC_WRITE, OPEN_EXISTING));  // a log is not worth failing for
    if (!in || !out) setupError("cannot start deid serve: cannot open its standard handles: " + systemErrorText(::GetLastError()));

    // Only the two standard handles reach the server; the host's other inheritable handles stay in the host.
    HANDLE inherited[2] = {in.get(), out.get()};
    SIZE_T attrSize = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &attrSize);
    std::vector<unsigned char> attrBuffer(attrSize);
    auto *attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attrBuffer.data());
    if (!::InitializeProcThreadAttributeList(attrs, 1, 0, &attrSize))
        setupError("cannot start deid serve: " + systemErrorText(::GetLastError()));
    struct AttrGuard {
        LPPROC_THREAD_ATTRIBUTE_LIST list;
        ~AttrGuard() { ::DeleteProcThreadAttributeList(list); }
    } attrGuard{attrs};
    if (!::UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited, sizeof inherited, nullptr,
                                     nullptr))
        setupError("cannot start deid serve: " + systemErrorText(::GetLastError()));

    STARTUPINFOEXW si{};
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = in.get();
    si.StartupInfo.hStdOutput = out.get();
    si.StartupInfo.hStdError = out.get();
    si.lpAttributeList = attrs;

    // Not the host's child in any way that matters: no console, its own process group, and, where the host's
    // job allows it, outside the job so that closing the host does not take the server down mid-request.
    const DWORD baseFlags = DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW |
                            CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
    PROCESS_INFORMATION pi{};
    BOOL ok = ::CreateProcessW(app.c_str(), commandLine.data(), nullptr, nullptr, TRUE,
                               baseFlags | CREATE_BREAKAWAY_FROM_JOB, nullptr, nullptr, &si.StartupInfo, &pi);
    DWORD err = ok ? 0 : ::GetLastError();
    if (!ok && err == ERROR_ACCESS_DENIED) {
        ok = ::CreateProcessW(app.c_str(), commandLine.data(), nullptr, nullptr, TRUE, baseFlags, nullptr, nullptr,
                              &si.StartupInfo, &pi);
        err = ok ? 0 : ::GetLastError();
    }
    if (!ok) setupError("cannot execute " + exe.path + " (from " + exe.origin + "): " + systemErrorText(err));
    ::CloseHandle(pi.hThread);
    ::CloseHandle(pi.hProcess);
    return static_cast<long>(pi.dwProcessId);
}

bool processAlive(long pid) {
    if (pid <= 0) return false;
    Handle process(::OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
    if (!process) return ::GetLastError() == ERROR_ACCESS_DENIED;  // exists, but is not ours to open
    return ::WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

}  // namespace deid::runtime
