// A small MessagePack value type with a strict encoder and decoder.
// Supports nil, bool, integers (signed and unsigned), float32/float64, str, array and maps with string keys.
// bin and ext are rejected on decode. Decoding never reads past the buffer and never allocates more
// elements than the input could possibly hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace deid::msgpack {

class Value;
using Array = std::vector<Value>;
using Map = std::vector<std::pair<std::string, Value>>;  // insertion order; keys unique

enum class Type { Nil, Bool, Int, UInt, Double, Str, Array, Map };

class Value {
public:
    Value() = default;  // nil
    Value(std::nullptr_t) {}
    Value(bool b) : type_(Type::Bool), b_(b) {}
    Value(int v) : type_(Type::Int), i_(v) {}
    Value(long v) : type_(Type::Int), i_(v) {}
    Value(long long v) : type_(Type::Int), i_(v) {}
    Value(unsigned v) : type_(Type::UInt), u_(v) {}
    Value(unsigned long v) : type_(Type::UInt), u_(v) {}
    Value(unsigned long long v) : type_(Type::UInt), u_(v) {}
    Value(double d) : type_(Type::Double), d_(d) {}
    Value(const char *s) : type_(Type::Str), s_(s ? s : "") {}
    Value(std::string s) : type_(Type::Str), s_(std::move(s)) {}
    Value(Array a);
    Value(Map m);

    static Value array() { return Value(Array{}); }
    static Value map() { return Value(Map{}); }

    Type type() const { return type_; }
    bool isNil() const { return type_ == Type::Nil; }
    bool isBool() const { return type_ == Type::Bool; }
    bool isInteger() const { return type_ == Type::Int || type_ == Type::UInt; }
    bool isNumber() const { return isInteger() || type_ == Type::Double; }
    bool isStr() const { return type_ == Type::Str; }
    bool isArray() const { return type_ == Type::Array; }
    bool isMap() const { return type_ == Type::Map; }

    // Typed reads; return false (and leave out untouched) if the value has another type or does not fit.
    bool getBool(bool &out) const;
    bool getInt(int64_t &out) const;
    bool getInt(int &out) const;
    bool getUInt(uint64_t &out) const;
    bool getDouble(double &out) const;  // accepts integers too
    const std::string *str() const { return type_ == Type::Str ? &s_ : nullptr; }
    const Array *arrayItems() const { return type_ == Type::Array ? arr_.get() : nullptr; }
    const Map *mapItems() const { return type_ == Type::Map ? map_.get() : nullptr; }
    Array *arrayItems() { return type_ == Type::Array ? arr_.get() : nullptr; }

    // Map access. find returns nullptr when absent or when this is not a map.
    const Value *find(const std::string &key) const;
    // Sets (replacing) a key; this must be a map.
    Value &set(const std::string &key, Value v);
    // Appends to an array; this must be an array.
    Value &push(Value v);

    Value(const Value &other);
    Value &operator=(const Value &other);
    Value(Value &&) noexcept = default;
    Value &operator=(Value &&) noexcept = default;
    ~Value() = default;

private:
    Type type_ = Type::Nil;
    bool b_ = false;
    int64_t i_ = 0;
    uint64_t u_ = 0;
    double d_ = 0.0;
    std::string s_;
    std::unique_ptr<Array> arr_;
    std::unique_ptr<Map> map_;
};

// Appends the encoding of v to out.
void encode(const Value &v, std::vector<uint8_t> &out);
std::vector<uint8_t> encode(const Value &v);

struct DecodeResult {
    bool ok = false;
    std::string error;  // set when !ok
};

// Decodes exactly one value occupying all of [data, data+size). Map keys must be strings and unique.
// Nesting deeper than maxDepth is rejected.
DecodeResult decode(const uint8_t *data, size_t size, Value &out, int maxDepth = 32);

}  // namespace deid::msgpack
