// The frames a host's source clip delivers: decoded once, kept as packed top-down 8-bit RGBA (row 0 = top of
// the picture), served at any time in the clip.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ofxtest {

class FrameSource {
public:
    // Decodes a video file's first video stream with an `ffmpeg` subprocess (`-f rawvideo -pix_fmt rgba`), with
    // the same colour conversion the `deid` CLI uses (tagged matrix, limited/full range to full range) so frames
    // match what `deid render` sees. `maxFrames` < 0 decodes all. Returns null and sets `error` on failure.
    static std::unique_ptr<FrameSource> decodeVideo(const std::string& path, std::string* error, int maxFrames = -1);
    // Deterministic synthetic frames (gradients plus a per-frame marker), for tests without media.
    static std::unique_ptr<FrameSource> synthetic(int width, int height, int frames, double fps = 25.0);
    // A copy in which `edit` may change each frame's pixels (packed top-down RGBA), as an effect upstream would.
    std::unique_ptr<FrameSource> edited(const std::function<void(int frame, std::uint8_t* rgba)>& edit) const;

    int width() const { return width_; }
    int height() const { return height_; }
    int frameCount() const { return static_cast<int>(frames_.size()); }
    double fps() const { return fpsNum_ / static_cast<double>(fpsDen_); }
    int fpsNumerator() const { return fpsNum_; }
    int fpsDenominator() const { return fpsDen_; }
    const std::string& path() const { return path_; }
    const std::uint8_t* frame(int index) const { return frames_.at(static_cast<size_t>(index)).data(); }
    size_t frameBytes() const { return static_cast<size_t>(width_) * height_ * 4; }

private:
    int width_ = 0;
    int height_ = 0;
    int fpsNum_ = 25;
    int fpsDen_ = 1;
    std::string path_;
    std::vector<std::vector<std::uint8_t>> frames_;
};

}  // namespace ofxtest
