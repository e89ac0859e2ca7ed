#include "ImageBuffer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace ofxtest {

namespace {
constexpr std::uint8_t kGuard = 0xA5;
constexpr std::size_t kGuardBytes = 4096;
}  // namespace

const char* depthName(PixelDepth depth) {
    switch (depth) {
        case PixelDepth::Byte: return kOfxBitDepthByte;
        case PixelDepth::Short: return kOfxBitDepthShort;
        case PixelDepth::Float: return kOfxBitDepthFloat;
    }
    return kOfxBitDepthNone;
}

bool depthFromName(const std::string& name, PixelDepth* depth) {
    if (name == kOfxBitDepthByte) *depth = PixelDepth::Byte;
    else if (name == kOfxBitDepthShort) *depth = PixelDepth::Short;
    else if (name == kOfxBitDepthFloat) *depth = PixelDepth::Float;
    else return false;
    return true;
}

int bytesPerComponent(PixelDepth depth) {
    switch (depth) {
        case PixelDepth::Byte: return 1;
        case PixelDepth::Short: return 2;
        case PixelDepth::Float: return 4;
    }
    return 1;
}

ImageBuffer::ImageBuffer(int width, int height, const ImageLayout& layout)
    : width_(width), height_(height), layout_(layout), guardBytes_(kGuardBytes) {
    // Keep rows 4-byte aligned so short and float pixels are naturally aligned.
    const std::size_t padding = (static_cast<std::size_t>(std::max(0, layout.rowPadding)) + 3u) & ~std::size_t(3);
    stride_ = static_cast<std::size_t>(width) * pixelBytes() + padding;
    const std::size_t pixels = stride_ * static_cast<std::size_t>(height);
    storage_.assign(pixels + 2 * guardBytes_ + 64, kGuard);
    // 64-byte alignment of the first row, as a real host's allocator gives.
    std::uintptr_t raw = reinterpret_cast<std::uintptr_t>(storage_.data()) + guardBytes_;
    raw = (raw + 63) & ~std::uintptr_t(63);
    begin_ = reinterpret_cast<std::uint8_t*>(raw);
    std::memset(begin_, 0, pixels);
    if (layout.negativeRowBytes) {
        rowBytes_ = -static_cast<std::ptrdiff_t>(stride_);
        data_ = begin_ + stride_ * static_cast<std::size_t>(height > 0 ? height - 1 : 0);
    } else {
        rowBytes_ = static_cast<std::ptrdiff_t>(stride_);
        data_ = begin_;
    }
}

void ImageBuffer::fill(std::uint8_t value) { std::memset(begin_, value, stride_ * static_cast<std::size_t>(height_)); }

void ImageBuffer::fillFromTopDownRGBA8(const std::uint8_t* pixels) {
    const std::size_t n = static_cast<std::size_t>(width_) * 4;
    for (int top = 0; top < height_; ++top) {
        const std::uint8_t* src = pixels + static_cast<std::size_t>(top) * n;
        std::uint8_t* dst = row(height_ - 1 - top);  // the top row is the last one counted from the bottom
        switch (layout_.depth) {
            case PixelDepth::Byte: std::memcpy(dst, src, n); break;
            case PixelDepth::Short: {
                auto* d = reinterpret_cast<std::uint16_t*>(dst);
                for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<std::uint16_t>(src[i] * 257u);
                break;
            }
            case PixelDepth::Float: {
                auto* d = reinterpret_cast<float*>(dst);
                for (std::size_t i = 0; i < n; ++i) d[i] = static_cast<float>(src[i]) / 255.0f;
                break;
            }
        }
    }
}

std::vector<std::uint8_t> ImageBuffer::toTopDownNative() const {
    const std::size_t n = static_cast<std::size_t>(width_) * pixelBytes();
    std::vector<std::uint8_t> out(n * static_cast<std::size_t>(height_));
    for (int top = 0; top < height_; ++top) std::memcpy(out.data() + top * n, row(height_ - 1 - top), n);
    return out;
}

std::vector<std::uint8_t> ImageBuffer::toTopDownRGBA8() const {
    const std::size_t n = static_cast<std::size_t>(width_) * 4;
    std::vector<std::uint8_t> out(n * static_cast<std::size_t>(height_));
    for (int top = 0; top < height_; ++top) {
        const std::uint8_t* src = row(height_ - 1 - top);
        std::uint8_t* dst = out.data() + static_cast<std::size_t>(top) * n;
        switch (layout_.depth) {
            case PixelDepth::Byte: std::memcpy(dst, src, n); break;
            case PixelDepth::Short: {
                auto* s = reinterpret_cast<const std::uint16_t*>(src);
                for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>((s[i] + 128u) / 257u);
                break;
            }
            case PixelDepth::Float: {
                auto* s = reinterpret_cast<const float*>(src);
                for (std::size_t i = 0; i < n; ++i) {
                    float v = s[i];
                    if (!(v > 0.0f)) v = 0.0f;  // NaN included
                    if (v > 1.0f) v = 1.0f;
                    dst[i] = static_cast<std::uint8_t>(std::lround(v * 255.0f));
                }
                break;
            }
        }
    }
    return out;
}

bool ImageBuffer::guardsIntact() const {
    const std::uint8_t* first = storage_.data();
    const std::uint8_t* pixelsEnd = begin_ + stride_ * static_cast<std::size_t>(height_);
    for (const std::uint8_t* p = first; p < begin_; ++p)
        if (*p != kGuard) return false;
    for (const std::uint8_t* p = pixelsEnd; p < storage_.data() + storage_.size(); ++p)
        if (*p != kGuard) return false;
    return true;
}

}  // namespace ofxtest
