// A minimal check harness for the bridge's unit tests.
#pragma once

#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace deid::test {

inline int &failures() {
    static int n = 0;
    return n;
}

inline std::vector<std::pair<const char *, std::function<void()>>> &registry() {
    static std::vector<std::pair<const char *, std::function<void()>>> r;
    return r;
}

struct Register {
    Register(const char *name, std::function<void()> fn) { registry().emplace_back(name, std::move(fn)); }
};

inline int runAll() {
    for (auto &t : registry()) {
        const int before = failures();
        try {
            t.second();
        } catch (const std::exception &e) {
            std::printf("  exception: %s\n", e.what());
            ++failures();
        } catch (...) {
            std::printf("  unknown exception\n");
            ++failures();
        }
        std::printf("%s %s\n", failures() == before ? "ok  " : "FAIL", t.first);
    }
    std::printf("%d failure(s)\n", failures());
    return failures() == 0 ? 0 : 1;
}

}  // namespace deid::test

#define TEST_CAT2(a, b) a##b
#define TEST_CAT(a, b) TEST_CAT2(a, b)
#define TEST(name)                                                                                 \
    static void name();                                                                            \
    static ::deid::test::Register TEST_CAT(reg_, name)(#name, name);                               \
    static void name()

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                 \
            ++::deid::test::failures();                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        if (!((a) == (b))) {                                                                       \
            std::printf("  %s:%d: CHECK_EQ(%s, %s) failed\n", __FILE__, __LINE__, #a, #b);         \
            ++::deid::test::failures();                                                            \
        }                                                                                          \
    } while (0)

// Expects the statement to throw BridgeError of the given kind.
#define CHECK_THROWS_KIND(stmt, kindValue)                                                         \
    do {                                                                                           \
        bool thrown_ = false;                                                                      \
        try {                                                                                      \
            stmt;                                                                                  \
        } catch (const ::deid::BridgeError &e_) {                                                  \
            thrown_ = e_.kind() == (kindValue);                                                    \
            if (!thrown_) std::printf("  wrong error kind: %s\n", e_.what());                      \
        }                                                                                          \
        if (!thrown_) {                                                                            \
            std::printf("  %s:%d: %s did not throw the expected error\n", __FILE__, __LINE__, #stmt); \
            ++::deid::test::failures();                                                            \
        }                                                                                          \
    } while (0)
