#include "Json.h"

#include <cstdlib>

namespace ofxtest {

const JsonValue* JsonValue::find(const std::string& key) const {
    if (type != Type::Object) return nullptr;
    for (const auto& m : members)
        if (m.first == key) return &m.second;
    return nullptr;
}

namespace {

class Parser {
public:
    explicit Parser(const std::string& text) : s_(text) {}

    bool document(JsonValue* out, std::string* error) {
        if (!value(out, 0) || (skip(), pos_ != s_.size())) {
            if (error_.empty()) error_ = "trailing characters";
            *error = error_ + " at offset " + std::to_string(pos_);
            return false;
        }
        return true;
    }

private:
    void skip() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
    }
    bool fail(const char* why) {
        if (error_.empty()) error_ = why;
        return false;
    }
    bool literal(const char* word) {
        size_t n = 0;
        while (word[n]) ++n;
        if (s_.compare(pos_, n, word) != 0) return fail("bad literal");
        pos_ += n;
        return true;
    }
    static void appendUtf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    bool hex4(unsigned* v) {
        if (pos_ + 4 > s_.size()) return fail("short escape");
        *v = static_cast<unsigned>(std::strtoul(s_.substr(pos_, 4).c_str(), nullptr, 16));
        pos_ += 4;
        return true;
    }
    bool string(std::string* out) {
        if (s_[pos_] != '"') return fail("string expected");
        ++pos_;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            char c = s_[pos_++];
            if (c != '\\') {
                *out += c;
                continue;
            }
            if (pos_ >= s_.size()) return fail("bad escape");
            char e = s_[pos_++];
            switch (e) {
                case '"': *out += '"'; break;
                case '\\': *out += '\\'; break;
                case '/': *out += '/'; break;
                case 'b': *out += '\b'; break;
                case 'f': *out += '\f'; break;
                case 'n': *out += '\n'; break;
                case 'r': *out += '\r'; break;
                case 't': *out += '\t'; break;
                case 'u': {
                    unsigned cp = 0;
                    if (!hex4(&cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.compare(pos_, 2, "\\u") == 0) {
                        pos_ += 2;
                        unsigned lo = 0;
                        if (!hex4(&lo)) return false;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    appendUtf8(*out, cp);
                    break;
                }
                default: return fail("bad escape");
            }
        }
        if (pos_ >= s_.size()) return fail("unterminated string");
        ++pos_;
        return true;
    }
    bool value(JsonValue* out, int depth) {
        if (depth > 200) return fail("nested too deeply");
        skip();
        if (pos_ >= s_.size()) return fail("value expected");
        const char c = s_[pos_];
        if (c == '{') {
            out->type = JsonValue::Type::Object;
            ++pos_;
            skip();
            if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
            for (;;) {
                skip();
                std::string key;
                if (pos_ >= s_.size() || !string(&key)) return fail("member name expected");
                skip();
                if (pos_ >= s_.size() || s_[pos_] != ':') return fail("':' expected");
                ++pos_;
                JsonValue v;
                if (!value(&v, depth + 1)) return false;
                out->members.emplace_back(std::move(key), std::move(v));
                skip();
                if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
                if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
                return fail("',' or '}' expected");
            }
        }
        if (c == '[') {
            out->type = JsonValue::Type::Array;
            ++pos_;
            skip();
            if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
            for (;;) {
                JsonValue v;
                if (!value(&v, depth + 1)) return false;
                out->items.push_back(std::move(v));
                skip();
                if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
                if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
                return fail("',' or ']' expected");
            }
        }
        if (c == '"') {
            out->type = JsonValue::Type::String;
            return string(&out->text);
        }
        if (c == 't') { out->type = JsonValue::Type::Bool; out->boolean = true; return literal("true"); }
        if (c == 'f') { out->type = JsonValue::Type::Bool; out->boolean = false; return literal("false"); }
        if (c == 'n') { out->type = JsonValue::Type::Null; return literal("null"); }
        const char* begin = s_.c_str() + pos_;
        char* end = nullptr;
        out->number = std::strtod(begin, &end);
        if (end == begin) return fail("unexpected character");
        out->type = JsonValue::Type::Number;
        pos_ += static_cast<size_t>(end - begin);
        return true;
    }

    const std::string& s_;
    size_t pos_ = 0;
    std::string error_;
};

}  // namespace

bool parseJson(const std::string& text, JsonValue* out, std::string* error) {
    *out = JsonValue{};
    std::string ignored;
    return Parser(text).document(out, error ? error : &ignored);
}

}  // namespace ofxtest
