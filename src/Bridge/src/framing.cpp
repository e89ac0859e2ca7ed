#include "framing.h"

#include "errors.h"

namespace deid::framing {

uint32_t readLength(const uint8_t h[kHeaderSize]) {
    return static_cast<uint32_t>(h[0]) | (static_cast<uint32_t>(h[1]) << 8) | (static_cast<uint32_t>(h[2]) << 16) |
           (static_cast<uint32_t>(h[3]) << 24);
}

void writeLength(uint32_t n, uint8_t h[kHeaderSize]) {
    h[0] = static_cast<uint8_t>(n);
    h[1] = static_cast<uint8_t>(n >> 8);
    h[2] = static_cast<uint8_t>(n >> 16);
    h[3] = static_cast<uint8_t>(n >> 24);
}

std::vector<uint8_t> encodeFrame(const msgpack::Value &message) {
    if (!message.isMap()) throw BridgeError(BridgeError::Kind::Protocol, "a message must be a map");
    std::vector<uint8_t> out(kHeaderSize);
    msgpack::encode(message, out);
    const size_t n = out.size() - kHeaderSize;
    if (n > kMaxPayload) throw BridgeError(BridgeError::Kind::Protocol, "message exceeds 1 MiB");
    writeLength(static_cast<uint32_t>(n), out.data());
    return out;
}

bool decodeMessage(const uint8_t *data, size_t size, msgpack::Value &out, std::string &error) {
    if (size < 1 || size > kMaxPayload) {
        error = "message length out of range";
        return false;
    }
    msgpack::Value v;
    const msgpack::DecodeResult r = msgpack::decode(data, size, v);
    if (!r.ok) {
        error = "malformed MessagePack: " + r.error;
        return false;
    }
    if (!v.isMap()) {
        error = "message is not a map";
        return false;
    }
    const msgpack::Value *type = v.find("type");
    if (type == nullptr || !type->isStr()) {
        error = "message has no \"type\" string";
        return false;
    }
    out = std::move(v);
    return true;
}

void FrameDecoder::push(const uint8_t *data, size_t size) {
    if (broken_ || size == 0) return;
    // Drop consumed bytes before growing.
    if (start_ > 0 && start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ > 64 * 1024) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    buffer_.insert(buffer_.end(), data, data + size);
}

size_t FrameDecoder::wanted() const {
    const size_t have = buffered();
    if (have < kHeaderSize) return kHeaderSize - have;
    const uint32_t n = readLength(buffer_.data() + start_);
    if (!lengthValid(n)) return 0;
    const size_t total = kHeaderSize + n;
    return have >= total ? 0 : total - have;
}

FrameDecoder::Status FrameDecoder::next(std::vector<uint8_t> &payload) {
    if (broken_) return Status::BadLength;
    const size_t have = buffered();
    if (have < kHeaderSize) return Status::NeedMore;
    const uint32_t n = readLength(buffer_.data() + start_);
    if (!lengthValid(n)) {
        broken_ = true;
        buffer_.clear();
        start_ = 0;
        return Status::BadLength;
    }
    if (have < kHeaderSize + n) return Status::NeedMore;
    const auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(start_ + kHeaderSize);
    payload.assign(begin, begin + n);
    start_ += kHeaderSize + n;
    return Status::Frame;
}

}  // namespace deid::framing
