// Host-owned pixel memory in OpenFX layout.
//
// OpenFX images are addressed from their bottom-left pixel: the image's data pointer is the first byte of pixel
// (bounds.x1, bounds.y1), Y goes up, and row y (counted from y1) starts at data + y * rowBytes. rowBytes may be
// larger than width * pixelBytes (padding) and may be negative.
//
// This buffer offers both layouts a host may use:
//   positive rowBytes: memory holds the bottom row first; data = first byte of the allocation;
//                      row y at data + y * stride.
//   negative rowBytes: memory holds the TOP row first (a top-down buffer, as most decoders produce);
//                      data = first byte of the last row in memory (the picture's bottom row),
//                      rowBytes = -stride, so row y at data - y * stride = begin + (height - 1 - y) * stride.
// Either way, `row(y)` is where the plugin will look for row y, and top-down helpers convert to and from
// ordinary top-down packed RGBA.
//
// Guard bands of a known pattern surround the pixels; guardsIntact() tells whether anything wrote outside the
// image (a plugin with the wrong stride or row order usually does).
#pragma once

#include "Ofx.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ofxtest {

enum class PixelDepth { Byte, Short, Float };

const char* depthName(PixelDepth depth);  // kOfxBitDepthByte / Short / Float
bool depthFromName(const std::string& name, PixelDepth* depth);
int bytesPerComponent(PixelDepth depth);

struct ImageLayout {
    PixelDepth depth = PixelDepth::Byte;
    bool negativeRowBytes = false;
    int rowPadding = 0;  // bytes added after each row's pixels (0: packed rows)
};

class ImageBuffer {
public:
    ImageBuffer(int width, int height, const ImageLayout& layout);
    ImageBuffer(const ImageBuffer&) = delete;
    ImageBuffer& operator=(const ImageBuffer&) = delete;

    int width() const { return width_; }
    int height() const { return height_; }
    PixelDepth depth() const { return layout_.depth; }
    const ImageLayout& layout() const { return layout_; }
    int pixelBytes() const { return 4 * bytesPerComponent(layout_.depth); }
    std::ptrdiff_t rowBytes() const { return rowBytes_; }  // signed, as the plugin sees it
    void* data() { return data_; }                         // pixel (x1, y1): bottom-left
    const void* data() const { return data_; }
    std::uint8_t* row(int y) { return data_ + static_cast<std::ptrdiff_t>(y) * rowBytes_; }  // y from the bottom
    const std::uint8_t* row(int y) const { return data_ + static_cast<std::ptrdiff_t>(y) * rowBytes_; }

    // Every byte of the pixel area (padding included) set to `value`.
    void fill(std::uint8_t value);
    // From packed top-down 8-bit RGBA (row 0 = top of the picture), converted to this buffer's depth:
    // short = v * 257, float = v / 255.
    void fillFromTopDownRGBA8(const std::uint8_t* pixels);
    // Packed top-down RGBA in this buffer's own depth (the bytes the plugin wrote, rows reordered and unpadded).
    std::vector<std::uint8_t> toTopDownNative() const;
    // Packed top-down 8-bit RGBA: short = round(v / 257), float = round(clamp(v, 0, 1) * 255).
    std::vector<std::uint8_t> toTopDownRGBA8() const;
    bool guardsIntact() const;

private:
    int width_;
    int height_;
    ImageLayout layout_;
    std::size_t stride_;  // bytes from one row to the next in memory
    std::ptrdiff_t rowBytes_;
    std::vector<std::uint8_t> storage_;  // guard | rows | guard
    std::size_t guardBytes_;
    std::uint8_t* begin_;  // first row in memory
    std::uint8_t* data_;
};

}  // namespace ofxtest
