#include "clip_fingerprint.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "content_hash.h"

namespace deid::fingerprint {

std::vector<int64_t> sampledFrames(int64_t frameCount) {
    std::vector<int64_t> frames;
    if (frameCount <= 0) return frames;
    const int64_t count = std::min<int64_t>(kSampledFrames, frameCount);
    for (int64_t i = 0; i < count; ++i) {
        const int64_t frame = count == 1 ? 0 : (i * (frameCount - 1) + (count - 1) / 2) / (count - 1);
        if (frames.empty() || frames.back() != frame) frames.push_back(frame);
    }
    return frames;
}

namespace {

double channel(const uint8_t *px, int c, const std::string &depth) {
    if (depth == "byte") return px[c];
    if (depth == "short") {
        uint16_t v;
        std::memcpy(&v, px + 2 * c, sizeof v);
        return v / 257.0;
    }
    float v;
    std::memcpy(&v, px + 4 * c, sizeof v);
    if (!(v == v)) v = 0;  // NaN
    return std::clamp(static_cast<double>(v), 0.0, 1.0) * 255.0;
}

}  // namespace

std::vector<uint8_t> thumbnail(const pixels::Image &image, const std::string &depth) {
    const int pixelBytes = depth == "byte" ? 4 : depth == "short" ? 8 : depth == "float" ? 16 : 0;
    const int64_t width = image.bounds.width(), height = image.bounds.height();
    if (pixelBytes == 0 || pixelBytes != image.pixelBytes || width <= 0 || height <= 0 || image.data == nullptr)
        return {};
    std::vector<uint8_t> out(static_cast<size_t>(kThumbnailSide * kThumbnailSide));
    // A few samples per cell, not every pixel: this runs on the host's render thread.
    constexpr int kTaps = 4;
    for (int ty = 0; ty < kThumbnailSide; ++ty) {
        for (int tx = 0; tx < kThumbnailSide; ++tx) {
            double sum = 0;
            for (int sy = 0; sy < kTaps; ++sy) {
                for (int sx = 0; sx < kTaps; ++sx) {
                    const int64_t x = ((tx * kTaps + sx) * 2 + 1) * width / (2 * kThumbnailSide * kTaps);
                    // Thumbnails are top row first; host rows are bottom-up.
                    const int64_t yTop = ((ty * kTaps + sy) * 2 + 1) * height / (2 * kThumbnailSide * kTaps);
                    const int64_t row = height - 1 - yTop;
                    const uint8_t *px = static_cast<const uint8_t *>(image.data) + row * image.rowBytes +
                                        x * static_cast<int64_t>(pixelBytes);
                    sum += 0.299 * channel(px, 0, depth) + 0.587 * channel(px, 1, depth) + 0.114 * channel(px, 2, depth);
                }
            }
            // Six bits: decoders of the same media differ by a level or two.
            const int level = static_cast<int>(std::lround(sum / (kTaps * kTaps)));
            out[static_cast<size_t>(ty * kThumbnailSide + tx)] = static_cast<uint8_t>(std::clamp(level, 0, 255) >> 2);
        }
    }
    return out;
}

Builder::Builder(int64_t frameCount, int width, int height) {
    const std::string head = std::to_string(frameCount) + "|" + std::to_string(width) + "x" + std::to_string(height) +
                             "|";
    bytes_.assign(head.begin(), head.end());
}

void Builder::add(int64_t frame, const std::vector<uint8_t> &thumb) {
    const std::string head = std::to_string(frame) + ":";
    bytes_.insert(bytes_.end(), head.begin(), head.end());
    bytes_.insert(bytes_.end(), thumb.begin(), thumb.end());
}

std::string Builder::finish() const {
    const uint64_t a = content::hashBytes(bytes_.data(), bytes_.size(), 0x6465696466707231ULL);
    const uint64_t b = content::hashBytes(bytes_.data(), bytes_.size(), a);
    return content::toHex(a) + content::toHex(b).substr(0, 8);
}

}  // namespace deid::fingerprint
