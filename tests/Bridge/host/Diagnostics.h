// What the host noticed about the plugin while driving it: protocol violations (things a real host would
// reject or that would crash one) and warnings (legal but worth knowing). Tests assert on these.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace ofxtest {

class Diagnostics {
public:
    static Diagnostics& get();

    void violation(const std::string& text);
    void warning(const std::string& text);
    void trace(const std::string& text);  // printed only when DEID_OFX_TRACE is set

    std::vector<std::string> violations() const;
    std::vector<std::string> warnings() const;
    void clear();
    bool tracing() const { return tracing_; }
    void setEcho(bool echo) { echo_ = echo; }  // print violations as they happen (default on)

private:
    Diagnostics();
    mutable std::mutex mutex_;
    std::vector<std::string> violations_;
    std::vector<std::string> warnings_;
    bool tracing_ = false;
    bool echo_ = true;
};

}  // namespace ofxtest

namespace ofxtest {

// The OpenFX action the calling thread is inside (innermost last), so suite functions can check that they are
// used where the standard allows (e.g. no parameter writes during a render).
class ActionScope {
public:
    explicit ActionScope(const std::string& action);
    ~ActionScope();
    ActionScope(const ActionScope&) = delete;
    ActionScope& operator=(const ActionScope&) = delete;

    static std::string current();  // "" outside any action
    static bool inside(const std::string& action);
};

}  // namespace ofxtest
