#include "Host.h"

#include "Diagnostics.h"
#include "Param.h"

#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

namespace ofxtest {

size_t liveImageMemoryBlocks();  // Effect.cpp

namespace {

const void* fetchSuiteEntry(OfxPropertySetHandle host, const char* name, int version) {
    if (PropertySet::fromHandle(host) != &Host::get().props())
        Diagnostics::get().violation(std::string("fetchSuite(") + (name ? name : "(null)") + ") with a host handle that is not the host's");
    return Host::get().fetchSuite(name, version);
}

std::string format(const char* fmt, va_list args) {
    if (fmt == nullptr) return {};
    va_list copy;
    va_copy(copy, args);
    char small[512];
    const int n = std::vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) return fmt;
    if (static_cast<size_t>(n) < sizeof small) return std::string(small, static_cast<size_t>(n));
    std::string big(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), fmt, args);
    big.resize(static_cast<size_t>(n));
    return big;
}

}  // namespace

Host& Host::get() {
    static Host host;
    return host;
}

Host::Host() : props_("host") {
    ofxHost_.host = props_.handle();
    ofxHost_.fetchSuite = fetchSuiteEntry;

    const bool ro = true;
    props_.defineString(kOfxPropType, {kOfxTypeImageEffectHost}, ro);
    props_.defineString(kOfxPropName, {"org.deid.OfxTestHost"}, ro);
    props_.defineString(kOfxPropLabel, {"Deid OpenFX test host"}, ro);
    props_.defineInt(kOfxPropAPIVersion, {1, 5}, ro);
    props_.defineInt(kOfxPropVersion, {1, 0, 0}, ro);
    props_.defineString(kOfxPropVersionLabel, {"1.0.0"}, ro);
    props_.defineInt(kOfxImageEffectHostPropIsBackground, {0}, ro);
    props_.defineInt(kOfxImageEffectPropSupportsOverlays, {0}, ro);
    props_.defineInt(kOfxImageEffectPropSupportsMultiResolution, {1}, ro);
    props_.defineInt(kOfxImageEffectPropSupportsTiles, {1}, ro);
    props_.defineInt(kOfxImageEffectPropTemporalClipAccess, {1}, ro);
    props_.defineString(kOfxImageEffectPropSupportedComponents, {kOfxImageComponentRGBA, kOfxImageComponentAlpha}, ro, 0);
    props_.defineString(kOfxImageEffectPropSupportedContexts, {kOfxImageEffectContextFilter, kOfxImageEffectContextGeneral}, ro, 0);
    props_.defineString(kOfxImageEffectPropSupportedPixelDepths, {kOfxBitDepthByte, kOfxBitDepthShort, kOfxBitDepthFloat}, ro, 0);
    props_.defineInt(kOfxImageEffectPropSupportsMultipleClipDepths, {0}, ro);
    props_.defineInt(kOfxImageEffectPropSupportsMultipleClipPARs, {0}, ro);
    props_.defineInt(kOfxImageEffectPropSetableFrameRate, {0}, ro);
    props_.defineInt(kOfxImageEffectPropSetableFielding, {0}, ro);
    props_.defineInt(kOfxImageEffectInstancePropSequentialRender, {0}, ro);
    props_.defineString(kOfxImageEffectHostPropNativeOrigin, {kOfxHostNativeOriginBottomLeft}, ro);
    props_.defineInt(kOfxImageEffectPropRenderQualityDraft, {0}, ro);
    props_.defineInt(kOfxParamHostPropSupportsCustomInteract, {0}, ro);
    props_.defineInt(kOfxParamHostPropSupportsStringAnimation, {0}, ro);
    props_.defineInt(kOfxParamHostPropSupportsChoiceAnimation, {1}, ro);
    props_.defineInt(kOfxParamHostPropSupportsBooleanAnimation, {1}, ro);
    props_.defineInt(kOfxParamHostPropSupportsCustomAnimation, {0}, ro);
    props_.defineInt(kOfxParamHostPropSupportsStrChoice, {0}, ro);
    props_.defineInt(kOfxParamHostPropSupportsStrChoiceAnimation, {0}, ro);
    props_.defineInt(kOfxParamHostPropMaxParameters, {-1}, ro);
    props_.defineInt(kOfxParamHostPropMaxPages, {0}, ro);
    props_.defineInt(kOfxParamHostPropPageRowColumnCount, {0, 0}, ro);
    props_.definePointer(kOfxPropHostOSHandle, {nullptr}, ro);
}

const void* Host::fetchSuite(const char* name, int version) {
    const std::string n = name ? name : "";
    const void* suite = nullptr;
    if (n == kOfxPropertySuite && version == 1) suite = PropertySet::suite();
    else if (n == kOfxImageEffectSuite && version == 1) suite = imageEffectSuite();
    else if (n == kOfxParameterSuite && version == 1) suite = ParamSet::suite();
    else if (n == kOfxMemorySuite && version == 1) suite = memorySuite();
    else if (n == kOfxMultiThreadSuite && version == 1) suite = multiThreadSuite();
    else if (n == kOfxMessageSuite && version == 1) suite = messageSuiteV1();
    else if (n == kOfxMessageSuite && version == 2) suite = messageSuiteV2();
    else if (n == kOfxProgressSuite && version == 1) suite = progressSuiteV1();
    else if (n == kOfxProgressSuite && version == 2) suite = progressSuiteV2();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& w : withheld_)
            if (w.first == n && w.second == version) suite = nullptr;
        suiteRequests_.push_back({n, version, suite != nullptr});
    }
    Diagnostics::get().trace("fetchSuite(" + n + ", " + std::to_string(version) + ") -> " + (suite ? "supplied" : "null"));
    return suite;
}

void Host::setSuiteAvailable(const std::string& name, int version, bool available) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = withheld_.begin(); it != withheld_.end();)
        it = (it->first == name && it->second == version) ? withheld_.erase(it) : std::next(it);
    if (!available) withheld_.emplace_back(name, version);
}

std::vector<MessageRecord> Host::messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
}

bool Host::persistentMessage(const void* handle, MessageRecord* out) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = persistent_.find(handle);
    if (it == persistent_.end()) return false;
    if (out) *out = it->second;
    return true;
}

std::vector<ProgressRecord> Host::progress() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return progress_;
}

std::vector<SuiteRequest> Host::suiteRequests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return suiteRequests_;
}

void Host::clearRecords() {
    std::lock_guard<std::mutex> lock(mutex_);
    messages_.clear();
    persistent_.clear();
    progress_.clear();
    suiteRequests_.clear();
}

size_t Host::liveAllocations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return allocations_.size();
}

size_t Host::liveImageMemory() const { return liveImageMemoryBlocks(); }
size_t Host::liveMutexes() const { return static_cast<size_t>(mutexes_.load()); }

OfxStatus Host::recordMessage(const void* handle, const char* type, const char* id, const char* fmt, va_list args) {
    MessageRecord r{handle, type ? type : "", id ? id : "", format(fmt, args)};
    if (echoMessages) std::fprintf(stderr, "[ofx host] message (%s): %s\n", r.type.c_str(), r.text.c_str());
    {
        std::lock_guard<std::mutex> lock(mutex_);
        messages_.push_back(r);
    }
    if (r.type == kOfxMessageQuestion) return questionReply.load();
    return kOfxStatOK;
}

OfxStatus Host::recordPersistent(const void* handle, const char* type, const char* id, const char* fmt, va_list args) {
    MessageRecord r{handle, type ? type : "", id ? id : "", format(fmt, args)};
    if (r.type != kOfxMessageError && r.type != kOfxMessageWarning && r.type != kOfxMessageMessage)
        Diagnostics::get().violation("setPersistentMessage with type '" + r.type + "' (error, warning or message expected)");
    if (echoMessages) std::fprintf(stderr, "[ofx host] persistent message (%s): %s\n", r.type.c_str(), r.text.c_str());
    std::lock_guard<std::mutex> lock(mutex_);
    persistent_[handle] = r;
    return kOfxStatOK;
}

OfxStatus Host::clearPersistent(const void* handle) {
    std::lock_guard<std::mutex> lock(mutex_);
    persistent_.erase(handle);
    return kOfxStatOK;
}

OfxStatus Host::recordProgress(ProgressRecord record) {
    const bool update = record.event == "update";
    {
        std::lock_guard<std::mutex> lock(mutex_);
        progress_.push_back(std::move(record));
    }
    if (update && cancelProgress.load()) return kOfxStatReplyNo;
    return kOfxStatOK;
}

void* Host::allocate(size_t bytes) {
    void* block = std::malloc(bytes ? bytes : 1);
    if (block == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(mutex_);
    allocations_[block] = bytes;
    return block;
}

bool Host::release(void* block) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = allocations_.find(block);
        if (it == allocations_.end()) return false;
        allocations_.erase(it);
    }
    std::free(block);
    return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Memory suite

namespace {

OfxStatus memoryAlloc(void*, size_t bytes, void** data) {
    if (data == nullptr) return kOfxStatErrValue;
    *data = Host::get().allocate(bytes);
    return *data ? kOfxStatOK : kOfxStatErrMemory;
}

OfxStatus memoryFree(void* data) {
    if (data == nullptr) return kOfxStatOK;
    if (!Host::get().release(data)) {
        Diagnostics::get().violation("memoryFree of a block the memory suite did not allocate (or freed twice)");
        return kOfxStatErrBadHandle;
    }
    return kOfxStatOK;
}

const OfxMemorySuiteV1 kMemorySuite = {memoryAlloc, memoryFree};

// ---------------------------------------------------------------------------------------------------------------
// Multithread suite: real threads; a nested multiThread call runs its work on the calling thread.

thread_local unsigned int tThreadIndex = 0;
thread_local bool tSpawned = false;

unsigned int cpuCount() {
    const unsigned int n = std::thread::hardware_concurrency();
    return n ? n : 1;
}

OfxStatus multiThread(OfxThreadFunctionV1* func, unsigned int nThreads, void* customArg) {
    if (func == nullptr) return kOfxStatErrValue;
    if (nThreads == 0) nThreads = cpuCount();
    if (tSpawned || nThreads == 1) {
        const unsigned int savedIndex = tThreadIndex;
        const bool savedSpawned = tSpawned;
        for (unsigned int i = 0; i < nThreads; ++i) {
            tThreadIndex = i;
            tSpawned = true;
            func(i, nThreads, customArg);
        }
        tThreadIndex = savedIndex;
        tSpawned = savedSpawned;
        return kOfxStatOK;
    }
    std::vector<std::thread> threads;
    threads.reserve(nThreads);
    for (unsigned int i = 0; i < nThreads; ++i)
        threads.emplace_back([=] {
            tThreadIndex = i;
            tSpawned = true;
            func(i, nThreads, customArg);
        });
    for (auto& t : threads) t.join();
    return kOfxStatOK;
}

OfxStatus multiThreadNumCPUs(unsigned int* n) {
    if (n == nullptr) return kOfxStatErrValue;
    *n = cpuCount();
    return kOfxStatOK;
}

OfxStatus multiThreadIndex(unsigned int* index) {
    if (index == nullptr) return kOfxStatErrValue;
    *index = tThreadIndex;
    return kOfxStatOK;
}

int multiThreadIsSpawnedThread() { return tSpawned ? 1 : 0; }

struct HostMutex {
    std::recursive_mutex m;
    std::mutex countMutex;
    int held = 0;
};

OfxStatus mutexCreate(OfxMutexHandle* mutex, int lockCount) {
    if (mutex == nullptr) return kOfxStatErrValue;
    auto* m = new HostMutex;
    for (int i = 0; i < lockCount; ++i) m->m.lock();
    m->held = lockCount > 0 ? lockCount : 0;
    *mutex = reinterpret_cast<OfxMutexHandle>(m);
    Host::get().mutexCreated(1);
    return kOfxStatOK;
}

OfxStatus mutexDestroy(const OfxMutexHandle mutex) {
    if (mutex == nullptr) return kOfxStatErrBadHandle;
    auto* m = reinterpret_cast<HostMutex*>(mutex);
    {
        std::lock_guard<std::mutex> lock(m->countMutex);
        if (m->held != 0) Diagnostics::get().violation("mutexDestroy on a mutex that is still locked");
    }
    delete m;
    Host::get().mutexCreated(-1);
    return kOfxStatOK;
}

OfxStatus mutexLock(const OfxMutexHandle mutex) {
    if (mutex == nullptr) return kOfxStatErrBadHandle;
    auto* m = reinterpret_cast<HostMutex*>(mutex);
    m->m.lock();
    std::lock_guard<std::mutex> lock(m->countMutex);
    ++m->held;
    return kOfxStatOK;
}

OfxStatus mutexUnLock(const OfxMutexHandle mutex) {
    if (mutex == nullptr) return kOfxStatErrBadHandle;
    auto* m = reinterpret_cast<HostMutex*>(mutex);
    {
        std::lock_guard<std::mutex> lock(m->countMutex);
        if (m->held == 0) {
            Diagnostics::get().violation("mutexUnLock on a mutex that is not locked");
            return kOfxStatErrValue;
        }
        --m->held;
    }
    m->m.unlock();
    return kOfxStatOK;
}

OfxStatus mutexTryLock(const OfxMutexHandle mutex) {
    if (mutex == nullptr) return kOfxStatErrBadHandle;
    auto* m = reinterpret_cast<HostMutex*>(mutex);
    if (!m->m.try_lock()) return kOfxStatFailed;
    std::lock_guard<std::mutex> lock(m->countMutex);
    ++m->held;
    return kOfxStatOK;
}

const OfxMultiThreadSuiteV1 kMultiThreadSuite = {
    multiThread, multiThreadNumCPUs, multiThreadIndex, multiThreadIsSpawnedThread, mutexCreate,
    mutexDestroy, mutexLock, mutexUnLock, mutexTryLock,
};

// ---------------------------------------------------------------------------------------------------------------
// Message suites

OfxStatus message(void* handle, const char* type, const char* id, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const OfxStatus st = Host::get().recordMessage(handle, type, id, fmt, args);
    va_end(args);
    return st;
}

OfxStatus setPersistentMessage(void* handle, const char* type, const char* id, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    const OfxStatus st = Host::get().recordPersistent(handle, type, id, fmt, args);
    va_end(args);
    return st;
}

OfxStatus clearPersistentMessage(void* handle) { return Host::get().clearPersistent(handle); }

const OfxMessageSuiteV1 kMessageSuiteV1 = {message};
const OfxMessageSuiteV2 kMessageSuiteV2 = {message, setPersistentMessage, clearPersistentMessage};

// ---------------------------------------------------------------------------------------------------------------
// Progress suites

OfxStatus progressStartV1(void* instance, const char* label) {
    ProgressRecord r;
    r.handle = instance;
    r.event = "start";
    r.label = label ? label : "";
    r.version = 1;
    return Host::get().recordProgress(r);
}

OfxStatus progressStartV2(void* instance, const char* messageText, const char* messageId) {
    ProgressRecord r;
    r.handle = instance;
    r.event = "start";
    r.label = messageText ? messageText : "";
    r.id = messageId ? messageId : "";
    r.version = 2;
    return Host::get().recordProgress(r);
}

OfxStatus progressUpdate(void* instance, double value) {
    ProgressRecord r;
    r.handle = instance;
    r.event = "update";
    r.value = value;
    if (value < 0.0 || value > 1.0) Diagnostics::get().violation("progressUpdate(" + std::to_string(value) + ") outside 0..1");
    return Host::get().recordProgress(r);
}

OfxStatus progressEnd(void* instance) {
    ProgressRecord r;
    r.handle = instance;
    r.event = "end";
    return Host::get().recordProgress(r);
}

const OfxProgressSuiteV1 kProgressSuiteV1 = {progressStartV1, progressUpdate, progressEnd};
const OfxProgressSuiteV2 kProgressSuiteV2 = {progressStartV2, progressUpdate, progressEnd};

}  // namespace

const OfxMemorySuiteV1* memorySuite() { return &kMemorySuite; }
const OfxMultiThreadSuiteV1* multiThreadSuite() { return &kMultiThreadSuite; }
const OfxMessageSuiteV1* messageSuiteV1() { return &kMessageSuiteV1; }
const OfxMessageSuiteV2* messageSuiteV2() { return &kMessageSuiteV2; }
const OfxProgressSuiteV1* progressSuiteV1() { return &kProgressSuiteV1; }
const OfxProgressSuiteV2* progressSuiteV2() { return &kProgressSuiteV2; }

}  // namespace ofxtest
