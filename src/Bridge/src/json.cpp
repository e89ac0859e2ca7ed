#include "json.h"

#include <cerrno>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <system_error>

namespace deid::json {

using msgpack::Value;

namespace {

// Numbers are written and read independently of the host's LC_NUMERIC (a host may use a decimal comma).
void writeDouble(double d, std::string &out) {
#if defined(__cpp_lib_to_chars)
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
#else
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    const char *point = std::localeconv()->decimal_point;
    std::string text = buf;
    if (point != nullptr && std::strcmp(point, ".") != 0) {
        const size_t at = text.find(point);
        if (at != std::string::npos) text.replace(at, std::strlen(point), ".");
    }
    out += text;
#endif
}

bool readDouble(const std::string &text, double &out) {
#if defined(__cpp_lib_to_chars)
    const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
#else
    std::string local = text;
    const char *point = std::localeconv()->decimal_point;
    if (point != nullptr && std::strcmp(point, ".") != 0) {
        const size_t at = local.find('.');
        if (at != std::string::npos) local.replace(at, 1, point);
    }
    char *end = nullptr;
    errno = 0;
    out = std::strtod(local.c_str(), &end);
    return end != nullptr && *end == '\0' && errno != ERANGE;
#endif
}

void writeString(const std::string &s, std::string &out) {
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

void writeValue(const Value &v, std::string &out) {
    switch (v.type()) {
    case msgpack::Type::Nil: out += "null"; break;
    case msgpack::Type::Bool: {
        bool b = false;
        v.getBool(b);
        out += b ? "true" : "false";
        break;
    }
    case msgpack::Type::Int: {
        int64_t i = 0;
        v.getInt(i);
        out += std::to_string(i);
        break;
    }
    case msgpack::Type::UInt: {
        uint64_t u = 0;
        v.getUInt(u);
        out += std::to_string(u);
        break;
    }
    case msgpack::Type::Double: {
        double d = 0;
        v.getDouble(d);
        if (!std::isfinite(d)) {
            out += "null";
        } else {
            const size_t start = out.size();
            writeDouble(d, out);
            // Keep doubles recognisable as doubles when read back.
            if (out.find_first_of(".eE", start) == std::string::npos) out += ".0";
        }
        break;
    }
    case msgpack::Type::Str: writeString(*v.str(), out); break;
    case msgpack::Type::Array: {
        out.push_back('[');
        bool first = true;
        for (const Value &item : *v.arrayItems()) {
            if (!first) out.push_back(',');
            first = false;
            writeValue(item, out);
        }
        out.push_back(']');
        break;
    }
    case msgpack::Type::Map: {
        out.push_back('{');
        bool first = true;
        for (const auto &kv : *v.mapItems()) {
            if (!first) out.push_back(',');
            first = false;
            writeString(kv.first, out);
            out.push_back(':');
            writeValue(kv.second, out);
        }
        out.push_back('}');
        break;
    }
    }
}

class Parser {
public:
    Parser(const std::string &text, int maxDepth) : s_(text), maxDepth_(maxDepth) {}

    bool document(Value &out) {
        skipSpace();
        if (!value(out, 0)) return false;
        skipSpace();
        if (pos_ != s_.size()) return fail("trailing characters");
        return true;
    }
    const std::string &error() const { return error_; }

private:
    bool fail(const std::string &msg) {
        if (error_.empty()) error_ = msg + " at offset " + std::to_string(pos_);
        return false;
    }
    void skipSpace() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool literal(const char *word) {
        size_t i = 0;
        for (; word[i]; ++i)
            if (pos_ + i >= s_.size() || s_[pos_ + i] != word[i]) return fail("invalid literal");
        pos_ += i;
        return true;
    }

    static void appendUtf8(uint32_t cp, std::string &out) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }

    bool hex4(uint32_t &cp) {
        if (pos_ + 4 > s_.size()) return fail("truncated \\u escape");
        cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_++];
            cp <<= 4;
            if (c >= '0' && c <= '9') cp |= static_cast<uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') cp |= static_cast<uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') cp |= static_cast<uint32_t>(c - 'A' + 10);
            else return fail("invalid \\u escape");
        }
        return true;
    }

    bool string(std::string &out) {
        if (pos_ >= s_.size() || s_[pos_] != '"') return fail("expected string");
        ++pos_;
        while (true) {
            if (pos_ >= s_.size()) return fail("unterminated string");
            const unsigned char c = static_cast<unsigned char>(s_[pos_++]);
            if (c == '"') return true;
            if (c < 0x20) return fail("control character in string");
            if (c != '\\') {
                out.push_back(static_cast<char>(c));
                continue;
            }
            if (pos_ >= s_.size()) return fail("unterminated escape");
            const char e = s_[pos_++];
            switch (e) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t low = 0;
                    if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
                        return fail("unpaired surrogate");
                    pos_ += 2;
                    if (!hex4(low)) return false;
                    if (low < 0xdc00 || low > 0xdfff) return fail("unpaired surrogate");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return fail("unpaired surrogate");
                }
                appendUtf8(cp, out);
                break;
            }
            default: return fail("invalid escape");
            }
        }
    }

    bool number(Value &out) {
        const size_t start = pos_;
        bool integral = true;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        const size_t digits = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        if (pos_ == digits) return fail("invalid number");
        if (s_[digits] == '0' && pos_ - digits > 1) return fail("leading zero in number");
        if (pos_ < s_.size() && s_[pos_] == '.') {
            integral = false;
            ++pos_;
            const size_t frac = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == frac) return fail("invalid number");
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            integral = false;
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            const size_t exp = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == exp) return fail("invalid number");
        }
        const std::string text = s_.substr(start, pos_ - start);
        if (integral) {
            errno = 0;
            char *end = nullptr;
            const long long v = std::strtoll(text.c_str(), &end, 10);
            if (errno == 0 && end != nullptr && *end == '\0') {
                out = Value(v);
                return true;
            }
        }
        double d = 0;
        if (!readDouble(text, d) || !std::isfinite(d)) return fail("number out of range");
        out = Value(d);
        return true;
    }

    bool value(Value &out, int depth) {
        if (depth > maxDepth_) return fail("nesting too deep");
        if (pos_ >= s_.size()) return fail("unexpected end");
        const char c = s_[pos_];
        if (c == '{') {
            ++pos_;
            Value m = Value::map();
            skipSpace();
            if (pos_ < s_.size() && s_[pos_] == '}') {
                ++pos_;
                out = std::move(m);
                return true;
            }
            while (true) {
                skipSpace();
                std::string key;
                if (!string(key)) return false;
                if (m.find(key) != nullptr) return fail("duplicate key");
                skipSpace();
                if (pos_ >= s_.size() || s_[pos_] != ':') return fail("expected ':'");
                ++pos_;
                skipSpace();
                Value item;
                if (!value(item, depth + 1)) return false;
                m.set(key, std::move(item));
                skipSpace();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < s_.size() && s_[pos_] == '}') {
                    ++pos_;
                    out = std::move(m);
                    return true;
                }
                return fail("expected ',' or '}'");
            }
        }
        if (c == '[') {
            ++pos_;
            Value a = Value::array();
            skipSpace();
            if (pos_ < s_.size() && s_[pos_] == ']') {
                ++pos_;
                out = std::move(a);
                return true;
            }
            while (true) {
                skipSpace();
                Value item;
                if (!value(item, depth + 1)) return false;
                a.push(std::move(item));
                skipSpace();
                if (pos_ < s_.size() && s_[pos_] == ',') {
                    ++pos_;
                    continue;
                }
                if (pos_ < s_.size() && s_[pos_] == ']') {
                    ++pos_;
                    out = std::move(a);
                    return true;
                }
                return fail("expected ',' or ']'");
            }
        }
        if (c == '"') {
            std::string s;
            if (!string(s)) return false;
            out = Value(std::move(s));
            return true;
        }
        if (c == 't') {
            if (!literal("true")) return false;
            out = Value(true);
            return true;
        }
        if (c == 'f') {
            if (!literal("false")) return false;
            out = Value(false);
            return true;
        }
        if (c == 'n') {
            if (!literal("null")) return false;
            out = Value();
            return true;
        }
        return number(out);
    }

    const std::string &s_;
    size_t pos_ = 0;
    int maxDepth_;
    std::string error_;
};

}  // namespace

std::string write(const Value &v) {
    std::string out;
    writeValue(v, out);
    return out;
}

bool parse(const std::string &text, Value &out, std::string &error, int maxDepth) {
    Parser p(text, maxDepth);
    Value v;
    if (!p.document(v)) {
        error = p.error();
        return false;
    }
    out = std::move(v);
    return true;
}

}  // namespace deid::json
