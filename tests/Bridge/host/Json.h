// A small JSON reader for the documents the tests consume (the analysis export of `deid identities --json`, the
// plugin's identities list). Numbers are doubles; objects keep their member order.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ofxtest {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool boolean = false;
    double number = 0.0;
    std::string text;
    std::vector<JsonValue> items;                             // Array
    std::vector<std::pair<std::string, JsonValue>> members;   // Object

    const JsonValue* find(const std::string& key) const;     // Object member, or null
    bool isNull() const { return type == Type::Null; }
    double numberOr(double fallback) const { return type == Type::Number ? number : fallback; }
};

bool parseJson(const std::string& text, JsonValue* out, std::string* error);

}  // namespace ofxtest
