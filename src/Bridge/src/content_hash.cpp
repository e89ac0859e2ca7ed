#include "content_hash.h"

#include <cstring>

namespace deid::content {

namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;

inline uint64_t rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline uint64_t avalanche(uint64_t h) {
    h ^= h >> 33;
    h *= kPrime2;
    h ^= h >> 29;
    h *= kPrime3;
    h ^= h >> 32;
    return h;
}

// Four independent lanes keep the multiplier busy; the row is mixed into them 32 bytes at a time.
struct Lanes {
    uint64_t v[4];

    explicit Lanes(uint64_t seed) : v{seed + kPrime1 + kPrime2, seed + kPrime2, seed, seed - kPrime1} {}

    void add(const uint8_t *p, size_t len) {
        size_t i = 0;
        for (; i + 32 <= len; i += 32) {
            v[0] = rotl(v[0] + load64(p + i) * kPrime2, 31) * kPrime1;
            v[1] = rotl(v[1] + load64(p + i + 8) * kPrime2, 31) * kPrime1;
            v[2] = rotl(v[2] + load64(p + i + 16) * kPrime2, 31) * kPrime1;
            v[3] = rotl(v[3] + load64(p + i + 24) * kPrime2, 31) * kPrime1;
        }
        uint8_t tail[32] = {};
        if (i < len) {
            std::memcpy(tail, p + i, len - i);
            // The tail's length goes in too, so trailing zeros are not the same as a shorter row.
            v[0] = rotl(v[0] + (load64(tail) ^ (len - i)) * kPrime2, 31) * kPrime1;
            v[1] = rotl(v[1] + load64(tail + 8) * kPrime2, 31) * kPrime1;
            v[2] = rotl(v[2] + load64(tail + 16) * kPrime2, 31) * kPrime1;
            v[3] = rotl(v[3] + load64(tail + 24) * kPrime2, 31) * kPrime1;
        }
    }

    uint64_t finish(uint64_t total) const {
        uint64_t h = rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18);
        for (uint64_t lane : v) h = (h ^ (rotl(lane * kPrime2, 31) * kPrime1)) * kPrime1 + kPrime3;
        return avalanche(h ^ total);
    }
};

}  // namespace

uint64_t hashBytes(const void *data, size_t len, uint64_t seed) {
    Lanes lanes(seed);
    lanes.add(static_cast<const uint8_t *>(data), len);
    return lanes.finish(len);
}

uint64_t hashImage(const pixels::Image &image) {
    const int64_t width = image.bounds.width();
    const int64_t height = image.bounds.height();
    if (image.data == nullptr || width <= 0 || height <= 0 || image.pixelBytes <= 0) return 0;
    const uint64_t seed = (static_cast<uint64_t>(width) << 40) ^ (static_cast<uint64_t>(height) << 16) ^
                          static_cast<uint64_t>(image.pixelBytes);
    Lanes lanes(seed);
    const size_t row = static_cast<size_t>(width) * static_cast<size_t>(image.pixelBytes);
    for (int64_t r = 0; r < height; ++r)
        lanes.add(static_cast<const uint8_t *>(image.data) + r * image.rowBytes, row);
    return lanes.finish(row * static_cast<uint64_t>(height));
}

std::string toHex(uint64_t value) {
    static const char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<size_t>(i)] = digits[value & 0xF];
        value >>= 4;
    }
    return out;
}

}  // namespace deid::content
