// A fast 64-bit hash of an image's pixels, so the server can recognise a frame it has rendered before without
// the frame being copied to it. Not cryptographic: it tells frames of the same clip apart, nothing more.
#pragma once

#include <cstdint>
#include <string>

#include "pixels.h"

namespace deid::content {

// Hash of the image's rows, bottom-up, width * pixelBytes bytes each (row padding excluded), seeded with the
// image's size and pixel size so that the same bytes in another shape hash differently.
uint64_t hashImage(const pixels::Image &image);

// The hash of len bytes, for tests and for small inputs.
uint64_t hashBytes(const void *data, size_t len, uint64_t seed);

// 16 lowercase hex digits.
std::string toHex(uint64_t value);

}  // namespace deid::content
