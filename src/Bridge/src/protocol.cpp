#include "protocol.h"

#include <string>

#include "errors.h"

namespace deid::protocol {

using msgpack::Value;

namespace {

Value request(const char *type) {
    Value m = Value::map();
    m.set("type", type);
    return m;
}

[[noreturn]] void bad(const std::string &what) {
    throw BridgeError(BridgeError::Kind::Protocol, "malformed reply from deid serve: " + what);
}

const Value &field(const Value &m, const char *name) {
    const Value *v = m.find(name);
    if (v == nullptr) bad(std::string("missing field \"") + name + "\"");
    return *v;
}

int64_t intField(const Value &m, const char *name) {
    int64_t v = 0;
    if (!field(m, name).getInt(v)) bad(std::string("field \"") + name + "\" is not an integer");
    return v;
}

double doubleField(const Value &m, const char *name) {
    double v = 0;
    if (!field(m, name).getDouble(v)) bad(std::string("field \"") + name + "\" is not a number");
    return v;
}

bool boolField(const Value &m, const char *name) {
    bool v = false;
    if (!field(m, name).getBool(v)) bad(std::string("field \"") + name + "\" is not a boolean");
    return v;
}

std::string strField(const Value &m, const char *name) {
    const std::string *s = field(m, name).str();
    if (s == nullptr) bad(std::string("field \"") + name + "\" is not a string");
    return *s;
}

}  // namespace

Value makeHello(const std::string &client) {
    Value m = request("hello");
    m.set("protocol", kVersion);
    m.set("client", client);
    return m;
}

Value makePing() { return request("ping"); }

Value makeRender(const RenderRequest &r) {
    Value m = request("render");
    m.set("session", r.session);
    m.set("clip", r.clip);
    m.set("frame", static_cast<long long>(r.frame));
    m.set("slot", r.slot);
    m.set("width", r.width);
    m.set("height", r.height);
    m.set("depth", r.depth);
    m.set("method", r.method);
    m.set("seed", static_cast<long long>(r.seed));
    m.set("strength", r.strength);
    m.set("maskScale", r.maskScale);
    m.set("feather", r.feather);
    m.set("threshold", r.threshold);
    m.set("policy", r.policy);
    Value ids = Value::map();
    for (const auto &entry : r.identities) ids.set(std::to_string(entry.first), entry.second);
    m.set("identities", std::move(ids));
    m.set("showBoxes", r.showBoxes);
    m.set("analysis", r.analysis);
    if (r.windowCount > 0) {
        m.set("windowFirst", static_cast<long long>(r.windowFirst));
        m.set("windowCount", static_cast<long long>(r.windowCount));
    }
    if (!r.fingerprint.empty()) m.set("fingerprint", r.fingerprint);
    if (!r.content.empty()) m.set("content", r.content);
    if (r.probe) m.set("probe", true);
    if (r.prefetch) m.set("prefetch", true);
    return m;
}

Value makeAnalyzeBegin(const AnalyzeBegin &r) {
    Value m = request("analyze-begin");
    m.set("session", r.session);
    m.set("clip", r.clip);
    m.set("frames", static_cast<long long>(r.frames));
    m.set("fps", r.fps);
    m.set("width", r.width);
    m.set("height", r.height);
    if (!r.fingerprint.empty()) m.set("fingerprint", r.fingerprint);
    return m;
}

Value makeAnalyzeFrame(const AnalyzeFrame &r) {
    Value m = request("analyze-frame");
    m.set("session", r.session);
    m.set("frame", static_cast<long long>(r.frame));
    m.set("slot", r.slot);
    m.set("width", r.width);
    m.set("height", r.height);
    m.set("depth", r.depth);
    return m;
}

Value makeAnalyzeEnd(const std::string &session) {
    Value m = request("analyze-end");
    m.set("session", session);
    return m;
}

Value makeClearCache(const std::string &session, const std::string &fingerprint) {
    Value m = request("clear-cache");
    m.set("session", session);
    if (!fingerprint.empty()) m.set("fingerprint", fingerprint);
    return m;
}

void expectReply(const Value &reply, const char *expectedType) {
    if (!reply.isMap()) bad("not a map");
    const Value *type = reply.find("type");
    if (type == nullptr || !type->isStr()) bad("no \"type\" string");
    if (*type->str() == "error") {
        const Value *message = reply.find("message");
        std::string text = (message != nullptr && message->isStr() && !message->str()->empty())
                               ? *message->str()
                               : std::string("(no message)");
        throw BridgeError(BridgeError::Kind::Server, "deid serve: " + text);
    }
    if (*type->str() != expectedType)
        bad("expected \"" + std::string(expectedType) + "\", got \"" + *type->str() + "\"");
}

Welcome parseWelcome(const Value &reply) {
    expectReply(reply, "welcome");
    Welcome w;
    const int64_t protocol = intField(reply, "protocol");
    if (protocol != kVersion)
        throw BridgeError(BridgeError::Kind::Protocol,
                          "deid serve speaks protocol " + std::to_string(protocol) + ", this plugin speaks " +
                              std::to_string(kVersion));
    w.protocol = kVersion;
    w.server = strField(reply, "server");
    w.pid = intField(reply, "pid");
    return w;
}

Rendered parseRendered(const Value &reply) {
    expectReply(reply, "rendered");
    Rendered r;
    r.faces = intField(reply, "faces");
    r.analysed = boolField(reply, "analysed");
    return r;
}

Analysis parseAnalysis(const Value &reply) {
    expectReply(reply, "analysis");
    Analysis a;
    a.path = strField(reply, "path");
    const Value &ids = field(reply, "identities");
    const msgpack::Array *items = ids.arrayItems();
    if (items == nullptr) bad("field \"identities\" is not an array");
    for (const Value &item : *items) {
        if (!item.isMap()) bad("an identity is not a map");
        Identity id;
        id.id = intField(item, "id");
        id.first = doubleField(item, "first");
        id.last = doubleField(item, "last");
        id.label = strField(item, "label");
        if (id.id < 1) bad("identity number " + std::to_string(id.id) + " is not positive");
        for (const Identity &seen : a.identities)
            if (seen.id == id.id) bad("identity " + std::to_string(id.id) + " listed twice");
        a.identities.push_back(std::move(id));
    }
    return a;
}

void parseOk(const Value &reply) { expectReply(reply, "ok"); }

bool parseProbe(const Value &reply, Rendered &rendered) {
    if (reply.isMap()) {
        const Value *type = reply.find("type");
        if (type != nullptr && type->isStr() && *type->str() == "miss") return false;
    }
    rendered = parseRendered(reply);
    return true;
}

bool parseCandidate(const Value &reply, Rendered &rendered, std::string &content) {
    if (reply.isMap()) {
        const Value *type = reply.find("type");
        if (type != nullptr && type->isStr() && *type->str() == "miss") return false;
    }
    expectReply(reply, "candidate");
    rendered.faces = intField(reply, "faces");
    rendered.analysed = boolField(reply, "analysed");
    content = strField(reply, "content");
    return true;
}

bool parseAnalyzeBegun(const Value &reply, Analysis &analysis) {
    if (reply.isMap()) {
        const Value *type = reply.find("type");
        if (type != nullptr && type->isStr() && *type->str() == "ok") return false;
    }
    analysis = parseAnalysis(reply);
    return true;
}

}  // namespace deid::protocol
