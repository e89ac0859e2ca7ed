// The host side every plugin sees first: the OfxHost structure, its property set, fetchSuite, and the suites
// that are not tied to one effect (memory, multithread, message V1/V2, progress V1/V2). Messages, persistent
// messages and progress are recorded so tests can assert on what the plugin told the user.
#pragma once

#include "Ofx.h"
#include "PropertySet.h"

#include <atomic>
#include <cstdarg>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace ofxtest {

struct MessageRecord {
    const void* handle = nullptr;  // what the plugin passed (usually its effect instance), may be null
    std::string type;              // kOfxMessageError, ...
    std::string id;
    std::string text;
};

struct ProgressRecord {
    const void* handle = nullptr;
    std::string event;  // "start", "update", "end"
    std::string label;  // start: the label / message
    std::string id;     // start (V2): the message id
    double value = 0.0; // update: 0..1
    int version = 1;
};

struct SuiteRequest {
    std::string name;
    int version = 0;
    bool supplied = false;
};

class Host {
public:
    static Host& get();

    OfxHost* ofxHost() { return &ofxHost_; }
    PropertySet& props() { return props_; }
    const void* fetchSuite(const char* name, int version);

    // ---- What the plugin told the user.
    std::vector<MessageRecord> messages() const;
    // The persistent message set on `handle` (false when none is set).
    bool persistentMessage(const void* handle, MessageRecord* out = nullptr) const;
    std::vector<ProgressRecord> progress() const;
    std::vector<SuiteRequest> suiteRequests() const;
    void clearRecords();

    // ---- Host behaviour the tests control.
    std::atomic<int> questionReply{kOfxStatReplyYes};  // answer to kOfxMessageQuestion
    std::atomic<bool> cancelProgress{false};            // progressUpdate answers kOfxStatReplyNo while set
    std::atomic<bool> echoMessages{true};               // print messages to stderr as they come
    // An older host: fetchSuite answers null for this suite and version from now on (until re-enabled).
    void setSuiteAvailable(const std::string& name, int version, bool available);

    // ---- Accounting of the memory suites.
    size_t liveAllocations() const;     // memory suite blocks not freed
    size_t liveImageMemory() const;     // image memory blocks not freed (kept by the effect suite)
    size_t liveMutexes() const;

    // Internal (called from the suite entry points).
    OfxStatus recordMessage(const void* handle, const char* type, const char* id, const char* format, va_list args);
    OfxStatus recordPersistent(const void* handle, const char* type, const char* id, const char* format, va_list args);
    OfxStatus clearPersistent(const void* handle);
    OfxStatus recordProgress(ProgressRecord record);
    void* allocate(size_t bytes);
    bool release(void* block);
    void mutexCreated(int delta) { mutexes_ += delta; }

private:
    Host();
    OfxHost ofxHost_;
    PropertySet props_;
    mutable std::mutex mutex_;
    std::vector<MessageRecord> messages_;
    std::map<const void*, MessageRecord> persistent_;
    std::vector<ProgressRecord> progress_;
    std::vector<SuiteRequest> suiteRequests_;
    std::vector<std::pair<std::string, int>> withheld_;
    std::map<void*, size_t> allocations_;
    std::atomic<long> mutexes_{0};
};

const OfxMemorySuiteV1* memorySuite();
const OfxMultiThreadSuiteV1* multiThreadSuite();
const OfxMessageSuiteV1* messageSuiteV1();
const OfxMessageSuiteV2* messageSuiteV2();
const OfxProgressSuiteV1* progressSuiteV1();
const OfxProgressSuiteV2* progressSuiteV2();
const OfxImageEffectSuiteV1* imageEffectSuite();  // in Effect.cpp

}  // namespace ofxtest
