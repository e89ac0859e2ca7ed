// Copies between host images (any row stride, negative included) and the packed bottom-up RGBA layout
// of the shared-memory slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace deid::pixels {

struct Rect {
    int x1 = 0, y1 = 0, x2 = 0, y2 = 0;
    int64_t width() const { return static_cast<int64_t>(x2) - x1; }
    int64_t height() const { return static_cast<int64_t>(y2) - y1; }
    bool empty() const { return x2 <= x1 || y2 <= y1; }
};

Rect intersect(const Rect &a, const Rect &b);

// A host image: data points at pixel (bounds.x1, bounds.y1); row r (from the bottom) starts at
// data + r * rowBytes.
struct Image {
    void *data = nullptr;
    Rect bounds;
    int64_t rowBytes = 0;
    int pixelBytes = 0;  // 4 components * bytes per component
};

// Bytes per RGBA pixel for an OpenFX depth string, 0 if unsupported (half, none, unknown).
int pixelBytesForDepth(const char *ofxDepth);
// The protocol's depth name ("byte", "short", "float") for an OpenFX depth string, nullptr if unsupported.
const char *protocolDepth(const char *ofxDepth);

// Size in bytes of a packed frame; false if the rectangle is empty or the size overflows.
bool packedSize(const Rect &r, int pixelBytes, size_t &size);

// Checks that an image's description is usable (non-null data, stride covers a row). Empty images
// are invalid.
bool validate(const Image &img, std::string &error);

// Copies the whole image into dst (packed, bottom-up). dstSize must be at least packedSize(bounds).
bool pack(const Image &src, uint8_t *dst, size_t dstSize, std::string &error);

// Writes the render window of dst from a packed frame that covers packedBounds. Pixels of the window
// outside packedBounds are set to zero (transparent black). The window is clipped to dst's bounds.
bool unpack(const uint8_t *src, size_t srcSize, const Rect &packedBounds, const Image &dst, const Rect &window,
            std::string &error);

// Sets the render window of dst (clipped to its bounds) to zero (transparent black).
bool clear(const Image &dst, const Rect &window, std::string &error);

}  // namespace deid::pixels
