// Unit tests of what keys the server's caches on the plugin's side: the frame content hash and the clip
// fingerprint.
#include <cstring>
#include <vector>

#include "clip_fingerprint.h"
#include "content_hash.h"
#include "test_util.h"

using deid::pixels::Image;

namespace {

// A w x h RGBA 8-bit gradient with rowBytes = stride (>= 4w), rows bottom-up.
struct Frame {
    std::vector<uint8_t> bytes;
    Image image;
    Frame(int w, int h, int64_t stride, int seed = 0) : bytes(static_cast<size_t>(stride * h), 0xEE) {
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                for (int c = 0; c < 4; ++c)
                    bytes[static_cast<size_t>(y * stride + 4 * x + c)] = static_cast<uint8_t>(x * 7 + y * 3 + c * 50 + seed);
        image.data = bytes.data();
        image.bounds = {0, 0, w, h};
        image.rowBytes = stride;
        image.pixelBytes = 4;
    }
};

}  // namespace

TEST(content_hash_ignores_row_padding_and_direction) {
    Frame packed(37, 11, 37 * 4), padded(37, 11, 37 * 4 + 24);
    CHECK_EQ(deid::content::hashImage(packed.image), deid::content::hashImage(padded.image));
    // The same rows reached through a negative stride from the last row.
    std::vector<uint8_t> flipped(packed.bytes.size());
    const size_t row = 37 * 4;
    for (int y = 0; y < 11; ++y) std::memcpy(&flipped[(10 - y) * row], &packed.bytes[y * row], row);
    Image reversed = packed.image;
    reversed.data = flipped.data() + 10 * row;
    reversed.rowBytes = -static_cast<int64_t>(row);
    CHECK_EQ(deid::content::hashImage(packed.image), deid::content::hashImage(reversed));
}

TEST(content_hash_changes_with_any_pixel_and_with_the_shape) {
    Frame a(64, 32, 256), b(64, 32, 256);
    const uint64_t before = deid::content::hashImage(a.image);
    for (size_t at : {size_t{0}, size_t{255}, size_t{31 * 256 + 255}, size_t{17 * 256 + 101}}) {
        b.bytes[at] ^= 1;
        CHECK(deid::content::hashImage(b.image) != before);
        b.bytes[at] ^= 1;
    }
    CHECK_EQ(deid::content::hashImage(b.image), before);
    Image reshaped = a.image;  // the same bytes read as 128 x 16
    reshaped.bounds = {0, 0, 128, 16};
    reshaped.rowBytes = 512;
    CHECK(deid::content::hashImage(reshaped) != before);
    CHECK(deid::content::hashBytes("abc", 3, 0) != deid::content::hashBytes("abd", 3, 0));
    CHECK(deid::content::hashBytes("abc", 3, 0) != deid::content::hashBytes("abc\0", 4, 0));
    CHECK_EQ(deid::content::toHex(0x0123456789abcdefULL), std::string("0123456789abcdef"));
}

TEST(sampled_frames_spread_over_the_clip_without_repeats) {
    CHECK(deid::fingerprint::sampledFrames(0).empty());
    CHECK(deid::fingerprint::sampledFrames(1) == std::vector<int64_t>{0});
    CHECK(deid::fingerprint::sampledFrames(2) == (std::vector<int64_t>{0, 1}));
    const auto many = deid::fingerprint::sampledFrames(1000);
    CHECK_EQ(many.size(), size_t{9});
    CHECK_EQ(many.front(), int64_t{0});
    CHECK_EQ(many.back(), int64_t{999});
    for (size_t i = 1; i < many.size(); ++i) CHECK(many[i] > many[i - 1]);
}

TEST(fingerprint_is_the_same_for_8_bit_and_float_and_differs_between_clips) {
    Frame byteFrame(96, 54, 96 * 4);
    std::vector<float> floats(96 * 54 * 4);
    for (size_t i = 0; i < floats.size(); ++i) floats[i] = byteFrame.bytes[i] / 255.0f;
    Image floatImage{floats.data(), {0, 0, 96, 54}, 96 * 16, 16};
    const auto fromBytes = deid::fingerprint::thumbnail(byteFrame.image, "byte");
    const auto fromFloats = deid::fingerprint::thumbnail(floatImage, "float");
    CHECK_EQ(fromBytes.size(), size_t{32 * 32});
    CHECK(fromBytes == fromFloats);
    CHECK(deid::fingerprint::thumbnail(byteFrame.image, "half").empty());

    auto print = [](int64_t frames, const std::vector<uint8_t> &thumb) {
        deid::fingerprint::Builder b(frames, 96, 54);
        b.add(0, thumb);
        return b.finish();
    };
    const std::string one = print(100, fromBytes);
    CHECK_EQ(one.size(), size_t{24});
    CHECK_EQ(one, print(100, fromFloats));
    CHECK(one != print(101, fromBytes));  // a trimmed clip is another clip
    Frame other(96, 54, 96 * 4, 90);
    CHECK(one != print(100, deid::fingerprint::thumbnail(other.image, "byte")));
}

int main() { return deid::test::runAll(); }
