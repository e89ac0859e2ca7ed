// Message framing: a 4-byte little-endian length n (1 <= n <= 1 MiB) followed by n bytes holding one
// MessagePack map with string keys and a "type" string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "msgpack.h"

namespace deid::framing {

constexpr uint32_t kMaxPayload = 1u << 20;
constexpr size_t kHeaderSize = 4;

uint32_t readLength(const uint8_t header[kHeaderSize]);
void writeLength(uint32_t n, uint8_t header[kHeaderSize]);
inline bool lengthValid(uint32_t n) { return n >= 1 && n <= kMaxPayload; }

// Encodes a message (which must be a map) as one frame. Throws BridgeError(Protocol) if it is not a map
// or would exceed the payload limit.
std::vector<uint8_t> encodeFrame(const msgpack::Value &message);

// Decodes a payload as a message: one MessagePack map with a string "type". On failure returns false
// and sets error.
bool decodeMessage(const uint8_t *data, size_t size, msgpack::Value &out, std::string &error);

// Incremental splitter for a byte stream.
class FrameDecoder {
public:
    enum class Status { NeedMore, Frame, BadLength };

    void push(const uint8_t *data, size_t size);
    // Extracts the next complete payload. BadLength (0 or over the limit) is final: the stream is unusable.
    Status next(std::vector<uint8_t> &payload);
    size_t buffered() const { return buffer_.size() - start_; }
    // How many more bytes the frame being read needs (at least 1 while NeedMore).
    size_t wanted() const;

private:
    std::vector<uint8_t> buffer_;
    size_t start_ = 0;
    bool broken_ = false;
};

}  // namespace deid::framing
