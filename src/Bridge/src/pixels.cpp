#include "pixels.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace deid::pixels {

Rect intersect(const Rect &a, const Rect &b) {
    Rect r;
    r.x1 = std::max(a.x1, b.x1);
    r.y1 = std::max(a.y1, b.y1);
    r.x2 = std::min(a.x2, b.x2);
    r.y2 = std::min(a.y2, b.y2);
    if (r.empty()) r = Rect{};
    return r;
}

int pixelBytesForDepth(const char *d) {
    if (d == nullptr) return 0;
    if (std::strcmp(d, "OfxBitDepthByte") == 0) return 4;
    if (std::strcmp(d, "OfxBitDepthShort") == 0) return 8;
    if (std::strcmp(d, "OfxBitDepthFloat") == 0) return 16;
    return 0;
}

const char *protocolDepth(const char *d) {
    if (d == nullptr) return nullptr;
    if (std::strcmp(d, "OfxBitDepthByte") == 0) return "byte";
    if (std::strcmp(d, "OfxBitDepthShort") == 0) return "short";
    if (std::strcmp(d, "OfxBitDepthFloat") == 0) return "float";
    return nullptr;
}

bool packedSize(const Rect &r, int pixelBytes, size_t &size) {
    if (r.empty() || pixelBytes <= 0) return false;
    const uint64_t w = static_cast<uint64_t>(r.width());
    const uint64_t h = static_cast<uint64_t>(r.height());
    const uint64_t row = w * static_cast<uint64_t>(pixelBytes);  // < 2^32 * 16
    if (h != 0 && row > std::numeric_limits<uint64_t>::max() / h) return false;
    const uint64_t total = row * h;
    if (total > static_cast<uint64_t>(std::numeric_limits<size_t>::max()) ||
        total > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return false;
    size = static_cast<size_t>(total);
    return true;
}

bool validate(const Image &img, std::string &error) {
    if (img.pixelBytes <= 0) {
        error = "unsupported pixel depth";
        return false;
    }
    if (img.bounds.empty()) {
        error = "empty image";
        return false;
    }
    if (img.data == nullptr) {
        error = "image has no pixel data";
        return false;
    }
    const int64_t row = img.bounds.width() * img.pixelBytes;
    const int64_t stride = img.rowBytes < 0 ? -img.rowBytes : img.rowBytes;
    if (img.rowBytes == std::numeric_limits<int64_t>::min() || stride < row) {
        error = "image row bytes (" + std::to_string(img.rowBytes) + ") smaller than a row of pixels (" +
                std::to_string(row) + ")";
        return false;
    }
    return true;
}

namespace {
inline const uint8_t *rowPtr(const Image &img, int64_t r) {
    return static_cast<const uint8_t *>(img.data) + r * img.rowBytes;
}
inline uint8_t *rowPtrMut(const Image &img, int64_t r) { return static_cast<uint8_t *>(img.data) + r * img.rowBytes; }
}  // namespace

bool pack(const Image &src, uint8_t *dst, size_t dstSize, std::string &error) {
    if (!validate(src, error)) return false;
    size_t need = 0;
    if (!packedSize(src.bounds, src.pixelBytes, need)) {
        error = "image too large";
        return false;
    }
    if (dst == nullptr || dstSize < need) {
        error = "shared-memory slot too small";
        return false;
    }
    const size_t row = static_cast<size_t>(src.bounds.width()) * static_cast<size_t>(src.pixelBytes);
    const int64_t rows = src.bounds.height();
    for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + static_cast<size_t>(r) * row, rowPtr(src, r), row);
    return true;
}

bool unpack(const uint8_t *src, size_t srcSize, const Rect &packedBounds, const Image &dst, const Rect &window,
            std::string &error) {
    if (!validate(dst, error)) return false;
    size_t have = 0;
    if (!packedSize(packedBounds, dst.pixelBytes, have) || src == nullptr || srcSize < have) {
        error = "shared-memory slot does not hold the frame";
        return false;
    }
    const Rect out = intersect(window, dst.bounds);
    if (out.empty()) return true;
    const Rect inside = intersect(out, packedBounds);
    const size_t px = static_cast<size_t>(dst.pixelBytes);
    const size_t srcRow = static_cast<size_t>(packedBounds.width()) * px;

    for (int y = out.y1; y < out.y2; ++y) {
        uint8_t *row = rowPtrMut(dst, static_cast<int64_t>(y) - dst.bounds.y1) +
                       static_cast<size_t>(static_cast<int64_t>(out.x1) - dst.bounds.x1) * px;
        const size_t span = static_cast<size_t>(out.width()) * px;
        if (inside.empty() || y < inside.y1 || y >= inside.y2) {
            std::memset(row, 0, span);
            continue;
        }
        const size_t left = static_cast<size_t>(static_cast<int64_t>(inside.x1) - out.x1) * px;
        const size_t mid = static_cast<size_t>(inside.width()) * px;
        const size_t right = span - left - mid;
        if (left) std::memset(row, 0, left);
        const uint8_t *from = src + static_cast<size_t>(static_cast<int64_t>(y) - packedBounds.y1) * srcRow +
                              static_cast<size_t>(static_cast<int64_t>(inside.x1) - packedBounds.x1) * px;
        std::memcpy(row + left, from, mid);
        if (right) std::memset(row + left + mid, 0, right);
    }
    return true;
}

bool clear(const Image &dst, const Rect &window, std::string &error) {
    if (!validate(dst, error)) return false;
    const Rect out = intersect(window, dst.bounds);
    if (out.empty()) return true;
    const size_t px = static_cast<size_t>(dst.pixelBytes);
    const size_t span = static_cast<size_t>(out.width()) * px;
    for (int y = out.y1; y < out.y2; ++y)
        std::memset(rowPtrMut(dst, static_cast<int64_t>(y) - dst.bounds.y1) +
                        static_cast<size_t>(static_cast<int64_t>(out.x1) - dst.bounds.x1) * px,
                    0, span);
    return true;
}

}  // namespace deid::pixels
