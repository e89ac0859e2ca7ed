// Minimal JSON reader/writer over msgpack::Value, used for the identities persisted in a hidden
// string parameter. Objects become maps (string keys), numbers become integers when they are written
// without fraction or exponent and fit in 64 bits, otherwise doubles.
#pragma once

#include <string>

#include "msgpack.h"

namespace deid::json {

std::string write(const msgpack::Value &v);
bool parse(const std::string &text, msgpack::Value &out, std::string &error, int maxDepth = 32);

}  // namespace deid::json
