// Unit tests of the copies between host images and the packed bottom-up RGBA slot layout.
#include <cstring>
#include <limits>
#include <vector>

#include "pixels.h"
#include "test_util.h"

using deid::pixels::Image;
using deid::pixels::Rect;

namespace {

// A host-like image with padding between rows, optionally stored top-down (negative row bytes).
struct HostImage {
    std::vector<uint8_t> storage;
    Image image;

    HostImage(Rect bounds, int pixelBytes, int padding, bool negative) {
        const int64_t row = bounds.width() * pixelBytes + padding;
        storage.assign(static_cast<size_t>(row * bounds.height()), 0xee);
        image.bounds = bounds;
        image.pixelBytes = pixelBytes;
        if (negative) {
            image.rowBytes = -row;
            image.data = storage.data() + (bounds.height() - 1) * row;  // bottom row is stored last
        } else {
            image.rowBytes = row;
            image.data = storage.data();
        }
    }

    uint8_t *pixel(int x, int y) {
        return static_cast<uint8_t *>(image.data) + (static_cast<int64_t>(y) - image.bounds.y1) * image.rowBytes +
               (static_cast<int64_t>(x) - image.bounds.x1) * image.pixelBytes;
    }
};

uint8_t tag(int x, int y, int c) { return static_cast<uint8_t>((x * 31 + y * 7 + c) & 0xff); }

void fill(HostImage &img) {
    for (int y = img.image.bounds.y1; y < img.image.bounds.y2; ++y)
        for (int x = img.image.bounds.x1; x < img.image.bounds.x2; ++x)
            for (int c = 0; c < img.image.pixelBytes; ++c) img.pixel(x, y)[c] = tag(x, y, c);
}

}  // namespace

TEST(depths) {
    CHECK(deid::pixels::pixelBytesForDepth("OfxBitDepthByte") == 4);
    CHECK(deid::pixels::pixelBytesForDepth("OfxBitDepthShort") == 8);
    CHECK(deid::pixels::pixelBytesForDepth("OfxBitDepthFloat") == 16);
    CHECK(deid::pixels::pixelBytesForDepth("OfxBitDepthHalf") == 0);
    CHECK(deid::pixels::pixelBytesForDepth(nullptr) == 0);
    CHECK(std::strcmp(deid::pixels::protocolDepth("OfxBitDepthShort"), "short") == 0);
    CHECK(deid::pixels::protocolDepth("OfxBitDepthNone") == nullptr);
}

TEST(pack_is_bottom_up_and_packed_for_any_row_bytes) {
    for (bool negative : {false, true}) {
        for (int padding : {0, 12}) {
            HostImage img({-3, 5, 4, 9}, 8, padding, negative);
            fill(img);
            size_t size = 0;
            CHECK(deid::pixels::packedSize(img.image.bounds, 8, size) && size == 7 * 4 * 8);
            std::vector<uint8_t> packed(size);
            std::string err;
            CHECK(deid::pixels::pack(img.image, packed.data(), packed.size(), err));
            bool same = true;
            for (int y = 5; y < 9; ++y)
                for (int x = -3; x < 4; ++x)
                    for (int c = 0; c < 8; ++c)
                        same = same && packed[static_cast<size_t>(((y - 5) * 7 + (x + 3)) * 8 + c)] == tag(x, y, c);
            CHECK(same);
        }
    }
}

TEST(unpack_writes_only_the_window_and_zeroes_outside_the_source) {
    const Rect src{0, 0, 4, 3};
    std::vector<uint8_t> packed(4 * 3 * 4);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 4; ++x)
            for (int c = 0; c < 4; ++c) packed[static_cast<size_t>((y * 4 + x) * 4 + c)] = tag(x, y, c);

    for (bool negative : {false, true}) {
        HostImage out({-1, -1, 5, 4}, 4, 8, negative);
        std::string err;
        const Rect window{-1, 0, 5, 3};
        CHECK(deid::pixels::unpack(packed.data(), packed.size(), src, out.image, window, err));
        bool ok = true;
        for (int y = -1; y < 4; ++y)
            for (int x = -1; x < 5; ++x) {
                const uint8_t *p = out.pixel(x, y);
                const bool inWindow = y >= 0 && y < 3;
                const bool inSource = x >= 0 && x < 4 && y >= 0 && y < 3;
                for (int c = 0; c < 4; ++c) {
                    const uint8_t expect = !inWindow ? 0xee : inSource ? tag(x, y, c) : 0;
                    ok = ok && p[c] == expect;
                }
            }
        CHECK(ok);
        // Padding bytes between rows are never touched.
        if (!negative) CHECK(out.storage[6 * 4] == 0xee);
    }
}

TEST(unpack_clips_the_window_to_the_image) {
    const Rect src{0, 0, 2, 2};
    std::vector<uint8_t> packed(2 * 2 * 4, 7);
    HostImage out({0, 0, 2, 2}, 4, 0, false);
    std::string err;
    CHECK(deid::pixels::unpack(packed.data(), packed.size(), src, out.image, Rect{-100, -100, 100, 100}, err));
    for (uint8_t b : out.storage) CHECK(b == 7);
    CHECK(deid::pixels::unpack(packed.data(), packed.size(), src, out.image, Rect{50, 50, 60, 60}, err));
}

TEST(clear_zeroes_only_the_window) {
    for (bool negative : {false, true}) {
        HostImage img({0, 0, 3, 3}, 4, 4, negative);
        fill(img);
        std::string err;
        CHECK(deid::pixels::clear(img.image, Rect{1, 1, 10, 2}, err));
        bool ok = true;
        for (int y = 0; y < 3; ++y)
            for (int x = 0; x < 3; ++x)
                for (int c = 0; c < 4; ++c)
                    ok = ok && img.pixel(x, y)[c] == ((y == 1 && x >= 1) ? 0 : tag(x, y, c));
        CHECK(ok);
    }
}

TEST(invalid_images_and_buffers_are_refused) {
    std::string err;
    HostImage img({0, 0, 4, 4}, 4, 0, false);
    std::vector<uint8_t> small(10);
    CHECK(!deid::pixels::pack(img.image, small.data(), small.size(), err));

    Image narrow = img.image;
    narrow.rowBytes = 8;  // less than a row
    CHECK(!deid::pixels::validate(narrow, err));
    narrow.rowBytes = -8;
    CHECK(!deid::pixels::validate(narrow, err));
    Image noData = img.image;
    noData.data = nullptr;
    CHECK(!deid::pixels::validate(noData, err));
    Image empty = img.image;
    empty.bounds = {3, 3, 3, 9};
    CHECK(!deid::pixels::validate(empty, err));
    Image inverted = img.image;
    inverted.bounds = {4, 0, 0, 4};
    CHECK(!deid::pixels::validate(inverted, err));
    Image noDepth = img.image;
    noDepth.pixelBytes = 0;
    CHECK(!deid::pixels::validate(noDepth, err));

    std::vector<uint8_t> packed(4 * 4 * 4);
    CHECK(!deid::pixels::unpack(packed.data(), packed.size() - 1, Rect{0, 0, 4, 4}, img.image, img.image.bounds, err));
    size_t size = 0;
    const int big = std::numeric_limits<int>::max();
    CHECK(!deid::pixels::packedSize(Rect{-big, -big, big, big}, 16, size));  // 2^68 bytes
    CHECK(!deid::pixels::packedSize(Rect{0, 0, 0, 10}, 4, size));
}

int main() { return deid::test::runAll(); }
