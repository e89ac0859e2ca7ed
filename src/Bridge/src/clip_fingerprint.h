// The identity of a clip by its content: small grey thumbnails of a few frames spread over it, with its length
// and frame size. The same media gets the same fingerprint in every project, instance and host, and after a
// restart, so its analysis and rendered frames are found again; a different clip (or the same one graded
// differently upstream) gets another.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pixels.h"

namespace deid::fingerprint {

constexpr int kThumbnailSide = 32;
constexpr int kSampledFrames = 9;

// The frame indices (0-based) to sample in a clip of frameCount frames: spread from first to last, no repeats.
std::vector<int64_t> sampledFrames(int64_t frameCount);

// A kThumbnailSide^2 grey thumbnail (one byte per pixel, top row first) of an RGBA image in depth
// "byte" | "short" | "float"; empty when the depth is unknown.
std::vector<uint8_t> thumbnail(const pixels::Image &image, const std::string &depth);

class Builder {
public:
    // The pixel depth stays out: 8-bit and float renders of the same media share the analysis.
    Builder(int64_t frameCount, int width, int height);
    void add(int64_t frame, const std::vector<uint8_t> &thumb);
    // 24 characters from [0-9a-f]: safe as a file or folder name.
    std::string finish() const;

private:
    std::vector<uint8_t> bytes_;
};

}  // namespace deid::fingerprint
