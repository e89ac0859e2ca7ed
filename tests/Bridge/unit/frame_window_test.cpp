// Unit tests of the neighbouring frames chosen for a render without an analysis.
#include <vector>

#include "frame_window.h"
#include "test_util.h"

using deid::frames::Range;

namespace {

bool same(const Range &r, int64_t first, int64_t last) { return r.first == first && r.last == last; }

// Accepts every frame except those listed, and remembers what it was asked for.
struct Host {
    std::vector<int64_t> refused;
    std::vector<int64_t> asked;
    bool operator()(int64_t frame) {
        asked.push_back(frame);
        for (int64_t r : refused)
            if (r == frame) return false;
        return true;
    }
};

Range gatherWith(Host &host, const Range &wanted, int64_t frame) {
    return deid::frames::gather(wanted, frame, [&](int64_t f) { return host(f); });
}

}  // namespace

TEST(window_is_two_frames_each_side_inside_the_clip) {
    CHECK(same(deid::frames::around(10, 99, 2), 8, 12));
    CHECK(same(deid::frames::around(0, 99, 2), 0, 2));
    CHECK(same(deid::frames::around(1, 99, 2), 0, 3));
    CHECK(same(deid::frames::around(99, 99, 2), 97, 99));
    CHECK(same(deid::frames::around(98, 99, 2), 96, 99));
    CHECK(same(deid::frames::around(0, 0, 2), 0, 0));
    CHECK(same(deid::frames::around(1, 1, 2), 0, 1));
    CHECK_EQ(deid::frames::around(10, 99, 2).count(), 5);
}

TEST(window_always_holds_the_rendered_frame) {
    // A host that renders past the range it reported still gets its frame rendered.
    const Range r = deid::frames::around(120, 99, 2);
    CHECK(same(r, 118, 120));
    CHECK(r.contains(120));
    CHECK(same(deid::frames::around(5, 0, 2), 3, 5));
}

TEST(gather_asks_outwards_and_takes_everything_offered) {
    Host host;
    CHECK(same(gatherWith(host, {8, 12}, 10), 8, 12));
    CHECK((host.asked == std::vector<int64_t>{9, 8, 11, 12}));
}

TEST(gather_stops_each_side_at_its_first_refusal) {
    Host before;
    before.refused = {9};
    CHECK(same(gatherWith(before, {8, 12}, 10), 10, 12));
    CHECK((before.asked == std::vector<int64_t>{9, 11, 12}));  // 8 would leave a gap

    Host after;
    after.refused = {12};
    CHECK(same(gatherWith(after, {8, 12}, 10), 8, 11));

    Host both;
    both.refused = {9, 11};
    CHECK(same(gatherWith(both, {8, 12}, 10), 10, 10));

    Host far;
    far.refused = {8, 12};
    CHECK(same(gatherWith(far, {8, 12}, 10), 9, 11));
}

TEST(gather_of_a_single_frame_asks_nothing) {
    Host host;
    CHECK(same(gatherWith(host, {4, 4}, 4), 4, 4));
    CHECK(host.asked.empty());
}

int main() { return deid::test::runAll(); }
