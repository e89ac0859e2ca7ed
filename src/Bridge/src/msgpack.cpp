#include "msgpack.h"

#include <cstring>
#include <limits>
#include <stdexcept>

namespace deid::msgpack {

Value::Value(Array a) : type_(Type::Array), arr_(std::make_unique<Array>(std::move(a))) {}
Value::Value(Map m) : type_(Type::Map), map_(std::make_unique<Map>(std::move(m))) {}

Value::Value(const Value &o)
    : type_(o.type_), b_(o.b_), i_(o.i_), u_(o.u_), d_(o.d_), s_(o.s_),
      arr_(o.arr_ ? std::make_unique<Array>(*o.arr_) : nullptr),
      map_(o.map_ ? std::make_unique<Map>(*o.map_) : nullptr) {}

Value &Value::operator=(const Value &o) {
    if (this != &o) {
        Value copy(o);
        *this = std::move(copy);
    }
    return *this;
}

bool Value::getBool(bool &out) const {
    if (type_ != Type::Bool) return false;
    out = b_;
    return true;
}

bool Value::getInt(int64_t &out) const {
    if (type_ == Type::Int) {
        out = i_;
        return true;
    }
    if (type_ == Type::UInt && u_ <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        out = static_cast<int64_t>(u_);
        return true;
    }
    return false;
}

bool Value::getInt(int &out) const {
    int64_t v = 0;
    if (!getInt(v) || v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) return false;
    out = static_cast<int>(v);
    return true;
}

bool Value::getUInt(uint64_t &out) const {
    if (type_ == Type::UInt) {
        out = u_;
        return true;
    }
    if (type_ == Type::Int && i_ >= 0) {
        out = static_cast<uint64_t>(i_);
        return true;
    }
    return false;
}

bool Value::getDouble(double &out) const {
    switch (type_) {
    case Type::Double: out = d_; return true;
    case Type::Int: out = static_cast<double>(i_); return true;
    case Type::UInt: out = static_cast<double>(u_); return true;
    default: return false;
    }
}

const Value *Value::find(const std::string &key) const {
    if (type_ != Type::Map) return nullptr;
    for (const auto &kv : *map_)
        if (kv.first == key) return &kv.second;
    return nullptr;
}

Value &Value::set(const std::string &key, Value v) {
    if (type_ != Type::Map) throw std::logic_error("msgpack: set on a non-map value");
    for (auto &kv : *map_)
        if (kv.first == key) {
            kv.second = std::move(v);
            return *this;
        }
    map_->emplace_back(key, std::move(v));
    return *this;
}

Value &Value::push(Value v) {
    if (type_ != Type::Array) throw std::logic_error("msgpack: push on a non-array value");
    arr_->push_back(std::move(v));
    return *this;
}

// ---------------------------------------------------------------- encoding

namespace {

void put8(std::vector<uint8_t> &out, uint8_t b) { out.push_back(b); }

void putBE(std::vector<uint8_t> &out, uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void putUInt(std::vector<uint8_t> &out, uint64_t v) {
    if (v <= 0x7f) {
        put8(out, static_cast<uint8_t>(v));
    } else if (v <= 0xff) {
        put8(out, 0xcc);
        putBE(out, v, 1);
    } else if (v <= 0xffff) {
        put8(out, 0xcd);
        putBE(out, v, 2);
    } else if (v <= 0xffffffffu) {
        put8(out, 0xce);
        putBE(out, v, 4);
    } else {
        put8(out, 0xcf);
        putBE(out, v, 8);
    }
}

void putInt(std::vector<uint8_t> &out, int64_t v) {
    if (v >= 0) {
        putUInt(out, static_cast<uint64_t>(v));
    } else if (v >= -32) {
        put8(out, static_cast<uint8_t>(v));  // negative fixint 0xe0..0xff
    } else if (v >= std::numeric_limits<int8_t>::min()) {
        put8(out, 0xd0);
        putBE(out, static_cast<uint64_t>(v), 1);
    } else if (v >= std::numeric_limits<int16_t>::min()) {
        put8(out, 0xd1);
        putBE(out, static_cast<uint64_t>(v), 2);
    } else if (v >= std::numeric_limits<int32_t>::min()) {
        put8(out, 0xd2);
        putBE(out, static_cast<uint64_t>(v), 4);
    } else {
        put8(out, 0xd3);
        putBE(out, static_cast<uint64_t>(v), 8);
    }
}

void putStr(std::vector<uint8_t> &out, const std::string &s) {
    const size_t n = s.size();
    if (n <= 31) {
        put8(out, static_cast<uint8_t>(0xa0 | n));
    } else if (n <= 0xff) {
        put8(out, 0xd9);
        putBE(out, n, 1);
    } else if (n <= 0xffff) {
        put8(out, 0xda);
        putBE(out, n, 2);
    } else if (n <= 0xffffffffu) {
        put8(out, 0xdb);
        putBE(out, n, 4);
    } else {
        throw std::length_error("msgpack: string too long");
    }
    out.insert(out.end(), s.begin(), s.end());
}

void putContainerHeader(std::vector<uint8_t> &out, size_t n, uint8_t fix, uint8_t b16, uint8_t b32) {
    if (n <= 15) {
        put8(out, static_cast<uint8_t>(fix | n));
    } else if (n <= 0xffff) {
        put8(out, b16);
        putBE(out, n, 2);
    } else if (n <= 0xffffffffu) {
        put8(out, b32);
        putBE(out, n, 4);
    } else {
        throw std::length_error("msgpack: container too large");
    }
}

}  // namespace

void encode(const Value &v, std::vector<uint8_t> &out) {
    switch (v.type()) {
    case Type::Nil: put8(out, 0xc0); break;
    case Type::Bool: {
        bool b = false;
        v.getBool(b);
        put8(out, b ? 0xc3 : 0xc2);
        break;
    }
    case Type::Int: {
        int64_t i = 0;
        v.getInt(i);
        putInt(out, i);
        break;
    }
    case Type::UInt: {
        uint64_t u = 0;
        v.getUInt(u);
        putUInt(out, u);
        break;
    }
    case Type::Double: {
        double d = 0;
        v.getDouble(d);
        uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        put8(out, 0xcb);
        putBE(out, bits, 8);
        break;
    }
    case Type::Str: putStr(out, *v.str()); break;
    case Type::Array: {
        const Array &a = *v.arrayItems();
        putContainerHeader(out, a.size(), 0x90, 0xdc, 0xdd);
        for (const Value &item : a) encode(item, out);
        break;
    }
    case Type::Map: {
        const Map &m = *v.mapItems();
        putContainerHeader(out, m.size(), 0x80, 0xde, 0xdf);
        for (const auto &kv : m) {
            putStr(out, kv.first);
            encode(kv.second, out);
        }
        break;
    }
    }
}

std::vector<uint8_t> encode(const Value &v) {
    std::vector<uint8_t> out;
    encode(v, out);
    return out;
}

// ---------------------------------------------------------------- decoding

namespace {

class Reader {
public:
    Reader(const uint8_t *data, size_t size, int maxDepth) : p_(data), end_(data + size), maxDepth_(maxDepth) {}

    bool value(Value &out, int depth);
    bool atEnd() const { return p_ == end_; }
    const std::string &error() const { return error_; }
    size_t offset(const uint8_t *base) const { return static_cast<size_t>(p_ - base); }

private:
    size_t remaining() const { return static_cast<size_t>(end_ - p_); }

    bool fail(std::string msg) {
        if (error_.empty()) error_ = std::move(msg);
        return false;
    }

    bool readBE(int bytes, uint64_t &v) {
        if (remaining() < static_cast<size_t>(bytes)) return fail("truncated input");
        v = 0;
        for (int i = 0; i < bytes; ++i) v = (v << 8) | *p_++;
        return true;
    }

    bool readStrBody(uint64_t n, std::string &out) {
        if (n > remaining()) return fail("string length exceeds input");
        out.assign(reinterpret_cast<const char *>(p_), static_cast<size_t>(n));
        p_ += n;
        return true;
    }

    bool readStr(std::string &out);  // reads a str-typed value (used for map keys)
    bool array(uint64_t n, Value &out, int depth);
    bool map(uint64_t n, Value &out, int depth);

    const uint8_t *p_;
    const uint8_t *end_;
    int maxDepth_;
    std::string error_;
};

bool Reader::readStr(std::string &out) {
    if (remaining() < 1) return fail("truncated input");
    const uint8_t tag = *p_;
    uint64_t n = 0;
    if ((tag & 0xe0) == 0xa0) {
        ++p_;
        n = tag & 0x1f;
    } else if (tag == 0xd9 || tag == 0xda || tag == 0xdb) {
        ++p_;
        if (!readBE(tag == 0xd9 ? 1 : tag == 0xda ? 2 : 4, n)) return false;
    } else {
        return fail("map key is not a string");
    }
    return readStrBody(n, out);
}

bool Reader::array(uint64_t n, Value &out, int depth) {
    // Every element takes at least one byte: refuse counts the input cannot hold before allocating.
    if (n > remaining()) return fail("array length exceeds input");
    Array items;
    items.reserve(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
        Value item;
        if (!value(item, depth + 1)) return false;
        items.push_back(std::move(item));
    }
    out = Value(std::move(items));
    return true;
}

bool Reader::map(uint64_t n, Value &out, int depth) {
    if (n > remaining() / 2) return fail("map length exceeds input");
    Map items;
    items.reserve(static_cast<size_t>(n));
    for (uint64_t i = 0; i < n; ++i) {
        std::string key;
        if (!readStr(key)) return false;
        for (const auto &kv : items)
            if (kv.first == key) return fail("duplicate map key \"" + key + "\"");
        Value item;
        if (!value(item, depth + 1)) return false;
        items.emplace_back(std::move(key), std::move(item));
    }
    out = Value(std::move(items));
    return true;
}

bool Reader::value(Value &out, int depth) {
    if (depth > maxDepth_) return fail("nesting too deep");
    if (remaining() < 1) return fail("truncated input");
    const uint8_t tag = *p_++;
    uint64_t n = 0;

    if (tag <= 0x7f) {
        out = Value(static_cast<long long>(tag));
        return true;
    }
    if (tag >= 0xe0) {
        out = Value(static_cast<long long>(static_cast<int8_t>(tag)));
        return true;
    }
    if ((tag & 0xf0) == 0x80) return map(tag & 0x0f, out, depth);
    if ((tag & 0xf0) == 0x90) return array(tag & 0x0f, out, depth);
    if ((tag & 0xe0) == 0xa0) {
        std::string s;
        if (!readStrBody(tag & 0x1f, s)) return false;
        out = Value(std::move(s));
        return true;
    }

    switch (tag) {
    case 0xc0: out = Value(); return true;
    case 0xc2: out = Value(false); return true;
    case 0xc3: out = Value(true); return true;
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
        const int bytes = 1 << (tag - 0xcc);
        if (!readBE(bytes, n)) return false;
        if (n <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            out = Value(static_cast<long long>(n));
        else
            out = Value(static_cast<unsigned long long>(n));
        return true;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
        const int bytes = 1 << (tag - 0xd0);
        if (!readBE(bytes, n)) return false;
        int64_t v = 0;
        switch (bytes) {
        case 1: v = static_cast<int8_t>(n); break;
        case 2: v = static_cast<int16_t>(n); break;
        case 4: v = static_cast<int32_t>(n); break;
        default: v = static_cast<int64_t>(n); break;
        }
        out = Value(static_cast<long long>(v));
        return true;
    }
    case 0xca: {
        if (!readBE(4, n)) return false;
        const uint32_t bits = static_cast<uint32_t>(n);
        float f = 0;
        std::memcpy(&f, &bits, sizeof f);
        out = Value(static_cast<double>(f));
        return true;
    }
    case 0xcb: {
        if (!readBE(8, n)) return false;
        double d = 0;
        std::memcpy(&d, &n, sizeof d);
        out = Value(d);
        return true;
    }
    case 0xd9:
    case 0xda:
    case 0xdb: {
        if (!readBE(tag == 0xd9 ? 1 : tag == 0xda ? 2 : 4, n)) return false;
        std::string s;
        if (!readStrBody(n, s)) return false;
        out = Value(std::move(s));
        return true;
    }
    case 0xdc:
    case 0xdd:
        if (!readBE(tag == 0xdc ? 2 : 4, n)) return false;
        return array(n, out, depth);
    case 0xde:
    case 0xdf:
        if (!readBE(tag == 0xde ? 2 : 4, n)) return false;
        return map(n, out, depth);
    case 0xc4:
    case 0xc5:
    case 0xc6: return fail("bin values are not supported");
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: return fail("ext values are not supported");
    default: return fail("invalid type byte");  // 0xc1
    }
}

}  // namespace

DecodeResult decode(const uint8_t *data, size_t size, Value &out, int maxDepth) {
    DecodeResult r;
    if (data == nullptr && size != 0) {
        r.error = "null input";
        return r;
    }
    Reader reader(data, size, maxDepth);
    Value v;
    if (!reader.value(v, 0)) {
        r.error = reader.error();
        return r;
    }
    if (!reader.atEnd()) {
        r.error = "trailing bytes after value";
        return r;
    }
    out = std::move(v);
    r.ok = true;
    return r;
}

}  // namespace deid::msgpack
