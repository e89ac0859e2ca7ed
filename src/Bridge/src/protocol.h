// Requests and replies of protocol v1 (docs/BRIDGE.md), independent of any transport.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "msgpack.h"

namespace deid::protocol {

constexpr int kVersion = 1;

struct RenderRequest {
    std::string session;
    std::string clip;
    int64_t frame = 0;
    std::string slot;
    int width = 0;
    int height = 0;
    std::string depth;   // byte | short | float
    std::string method;  // blur | pixelate | solid | replace
    int64_t seed = 0;    // replace: which new faces
    double strength = 1.0;
    double maskScale = 1.0;
    double feather = 0.25;
    double threshold = 0.5;
    std::string policy;  // anonymize-everyone | anonymize-only-listed
    std::vector<std::pair<int64_t, bool>> identities;  // identity number -> anonymized at this frame
    bool showBoxes = false;
    std::string analysis;  // path of the .deid file, or empty
    // With windowCount > 0 the slot holds frames windowFirst .. windowFirst+windowCount-1, one after another, and
    // the result is written over `frame`'s place among them; with 0 it holds `frame` alone and no window is sent.
    int64_t windowFirst = 0;
    int64_t windowCount = 0;
    // The clip's content fingerprint (clip_fingerprint.h) and the hash of this frame's source pixels
    // (content_hash.h), which key the server's caches; empty when unknown.
    std::string fingerprint;
    std::string content;
    // The slot does not hold the source yet: render from the cache or answer "miss" (see docs/BRIDGE.md).
    bool probe = false;
    // The frame is ahead of the playhead: queue it to be rendered in the background; the reply is "queued".
    bool prefetch = false;
};

struct AnalyzeBegin {
    std::string session;
    std::string clip;
    int64_t frames = 0;
    double fps = 0.0;
    int width = 0;
    int height = 0;
    std::string fingerprint;  // the clip's content fingerprint: a clip analysed before is not analysed again
};

struct AnalyzeFrame {
    std::string session;
    int64_t frame = 0;
    std::string slot;
    int width = 0;
    int height = 0;
    std::string depth;
};

msgpack::Value makeHello(const std::string &client);
msgpack::Value makePing();
msgpack::Value makeRender(const RenderRequest &r);
msgpack::Value makeAnalyzeBegin(const AnalyzeBegin &r);
msgpack::Value makeAnalyzeFrame(const AnalyzeFrame &r);
msgpack::Value makeAnalyzeEnd(const std::string &session);
// fingerprint: the effect's clip, so only its frames are dropped; empty drops every clip's.
msgpack::Value makeClearCache(const std::string &session, const std::string &fingerprint);

// Throws BridgeError(Server) with the server's text for an "error" reply, BridgeError(Protocol) for a
// reply of another type than expected.
void expectReply(const msgpack::Value &reply, const char *expectedType);

struct Welcome {
    int protocol = 0;
    std::string server;
    int64_t pid = 0;
};

struct Rendered {
    int64_t faces = 0;
    bool analysed = false;
};

struct Identity {
    int64_t id = 0;
    double first = 0.0;  // seconds
    double last = 0.0;   // seconds
    std::string label;
};

struct Analysis {
    std::string path;
    std::vector<Identity> identities;
};

// Each parser checks the type (via expectReply) and every field; throws BridgeError on any mismatch.
Welcome parseWelcome(const msgpack::Value &reply);
Rendered parseRendered(const msgpack::Value &reply);
// The reply to a probing render: true with `rendered` filled for a frame served from the cache, false for "miss".
bool parseProbe(const msgpack::Value &reply, Rendered &rendered);
// The reply to an early probe (sent without `content`): true with `rendered` and `content` (the hash of the source
// the cached frame was rendered from) for a "candidate", false for "miss".
bool parseCandidate(const msgpack::Value &reply, Rendered &rendered, std::string &content);
// The reply to analyze-begin: true with `analysis` filled when the clip was analysed before ("analysis"), false
// when the frames are wanted ("ok").
bool parseAnalyzeBegun(const msgpack::Value &reply, Analysis &analysis);
Analysis parseAnalysis(const msgpack::Value &reply);
void parseOk(const msgpack::Value &reply);

}  // namespace deid::protocol
