// Live objects of one kind, so a handle from a plugin can be checked before it is dereferenced: a stale or
// foreign handle is answered with kOfxStatErrBadHandle instead of a crash in the host.
#pragma once

#include <mutex>
#include <unordered_set>

namespace ofxtest {

template <typename T>
class Registry {
public:
    static void add(const T* object) {
        std::lock_guard<std::mutex> lock(mutex());
        set().insert(object);
    }
    static void remove(const T* object) {
        std::lock_guard<std::mutex> lock(mutex());
        set().erase(object);
    }
    static bool contains(const void* object) {
        std::lock_guard<std::mutex> lock(mutex());
        return set().count(static_cast<const T*>(object)) != 0;
    }

private:
    static std::mutex& mutex() {
        static std::mutex m;
        return m;
    }
    static std::unordered_set<const T*>& set() {
        static std::unordered_set<const T*> s;
        return s;
    }
};

}  // namespace ofxtest
