#include "frame_window.h"

#include <algorithm>

namespace deid::frames {

Range around(int64_t frame, int64_t lastFrame, int64_t radius) {
    Range r;
    r.first = std::max<int64_t>(0, frame - radius);
    r.last = std::max(frame, std::min(lastFrame, frame + radius));
    return r;
}

Range gather(const Range &wanted, int64_t frame, const std::function<bool(int64_t)> &take) {
    Range got{frame, frame};
    for (int64_t i = frame - 1; i >= wanted.first && take(i); --i) got.first = i;
    for (int64_t i = frame + 1; i <= wanted.last && take(i); ++i) got.last = i;
    return got;
}

}  // namespace deid::frames
