// The neighbouring frames sent with a render that has no analysis: the server looks for faces in all of them, so
// a face the detector misses in one frame is still hidden when it finds it just before or after.
#pragma once

#include <cstdint>
#include <functional>

namespace deid::frames {

// How many frames on each side of the rendered one a window reaches.
constexpr int64_t kWindowRadius = 2;

// Consecutive frame indices, first..last inclusive.
struct Range {
    int64_t first = 0;
    int64_t last = 0;
    int64_t count() const { return last - first + 1; }
    bool contains(int64_t frame) const { return frame >= first && frame <= last; }
};

// frame-radius .. frame+radius, cut to the clip's frames 0..lastFrame (frame >= 0). frame itself is always part
// of it, even when the host renders past the clip's end.
Range around(int64_t frame, int64_t lastFrame, int64_t radius);

// Narrows `wanted` to the frames that `take` accepts, keeping it consecutive and around `frame`, which the caller
// already has: take is called outwards from frame, on the earlier side and then the later one, and each side stops
// at its first refusal (a gap would break the frames' order in time).
Range gather(const Range &wanted, int64_t frame, const std::function<bool(int64_t)> &take);

}  // namespace deid::frames
