#include "Diagnostics.h"

#include <cstdio>
#include <cstdlib>

namespace ofxtest {

Diagnostics& Diagnostics::get() {
    static Diagnostics instance;
    return instance;
}

Diagnostics::Diagnostics() {
    const char* trace = std::getenv("DEID_OFX_TRACE");
    tracing_ = trace != nullptr && *trace != '\0' && std::string(trace) != "0";
}

void Diagnostics::violation(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    // The same mistake repeated every frame is one finding, not thousands.
    for (const auto& v : violations_)
        if (v == text) return;
    violations_.push_back(text);
    if (echo_) std::fprintf(stderr, "[ofx host] VIOLATION: %s\n", text.c_str());
}

void Diagnostics::warning(const std::string& text) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& w : warnings_)
        if (w == text) return;
    warnings_.push_back(text);
    if (tracing_) std::fprintf(stderr, "[ofx host] warning: %s\n", text.c_str());
}

void Diagnostics::trace(const std::string& text) {
    if (!tracing_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    std::fprintf(stderr, "[ofx host] %s\n", text.c_str());
}

std::vector<std::string> Diagnostics::violations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return violations_;
}

std::vector<std::string> Diagnostics::warnings() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return warnings_;
}

void Diagnostics::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    violations_.clear();
    warnings_.clear();
}

}  // namespace ofxtest

namespace ofxtest {

namespace {
thread_local std::vector<std::string> tActions;
}

ActionScope::ActionScope(const std::string& action) { tActions.push_back(action); }
ActionScope::~ActionScope() { tActions.pop_back(); }

std::string ActionScope::current() { return tActions.empty() ? std::string() : tActions.back(); }

bool ActionScope::inside(const std::string& action) {
    for (const auto& a : tActions)
        if (a == action) return true;
    return false;
}

}  // namespace ofxtest
