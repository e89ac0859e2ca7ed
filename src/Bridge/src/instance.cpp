#include "instance.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <random>
#include <vector>

#include "clip_fingerprint.h"
#include "content_hash.h"
#include "errors.h"
#include "frame_window.h"
#include "host.h"
#include "params.h"
#include "pixels.h"
#include "protocol.h"

namespace deid {

namespace {

using Kind = BridgeError::Kind;

constexpr const char *kClientName = "Deid.ofx 0.1";
constexpr long long kMaxAnalyzeFrames = 10'000'000;

[[noreturn]] void hostError(const std::string &what) { throw BridgeError(Kind::Host, what); }

std::string newSessionId() {
    std::random_device rd;
    char buf[40];
    std::snprintf(buf, sizeof buf, "ofx-%08x%08x%08x%08x", rd(), rd(), rd(), rd());
    return buf;
}

OfxParamHandle paramHandle(OfxParamSetHandle set, const char *name) {
    OfxParamHandle h = nullptr;
    if (host::suites().param->paramGetHandle(set, name, &h, nullptr) != kOfxStatOK || h == nullptr)
        hostError(std::string("the host has no parameter ") + name);
    return h;
}

int intAt(OfxParamHandle p, OfxTime t, const char *name) {
    int v = 0;
    if (host::suites().param->paramGetValueAtTime(p, t, &v) != kOfxStatOK)
        hostError(std::string("cannot read parameter ") + name);
    return v;
}

// The value of the last key at or before t (the first key's before it). Who is hidden changes in steps, whatever
// interpolation the host applies between keys: a host that blends keys 1 and 0 of an integer would otherwise reveal
// the person from halfway between them.
int stepIntAt(OfxParamHandle p, OfxTime t, const char *name) {
    const auto &param = *host::suites().param;
    unsigned int keys = 0;
    if (param.paramGetNumKeys(p, &keys) != kOfxStatOK || keys == 0) return intAt(p, t, name);
    OfxTime chosen = 0;
    for (unsigned int k = 0; k < keys; ++k) {
        OfxTime keyTime = 0;
        if (param.paramGetKeyTime(p, k, &keyTime) != kOfxStatOK)
            hostError(std::string("cannot read the keys of parameter ") + name);
        if (k == 0 || keyTime <= t + 1e-6) chosen = keyTime;
        if (keyTime > t + 1e-6) break;
    }
    return intAt(p, chosen, name);
}

double doubleAt(OfxParamHandle p, OfxTime t, const char *name) {
    double v = 0;
    if (host::suites().param->paramGetValueAtTime(p, t, &v) != kOfxStatOK)
        hostError(std::string("cannot read parameter ") + name);
    return v;
}

struct ClipInfo {
    double start = 0;
    double end = 0;
    double fps = 0;
};

ClipInfo clipInfo(OfxImageClipHandle clip) {
    OfxPropertySetHandle props = nullptr;
    if (host::suites().effect->clipGetPropertySet(clip, &props) != kOfxStatOK || props == nullptr)
        hostError("cannot read the Source clip's properties");
    ClipInfo info;
    double range[2] = {0, 0};
    if (host::suites().prop->propGetDoubleN(props, kOfxImageEffectPropFrameRange, 2, range) != kOfxStatOK)
        hostError("the host did not give the Source clip's frame range");
    info.start = range[0];
    info.end = range[1];
    double fps = 0;
    if (host::suites().prop->propGetDouble(props, kOfxImageEffectPropFrameRate, 0, &fps) == kOfxStatOK) info.fps = fps;
    return info;
}

// The index of the clip's last frame, 0 when the host's range is unusable.
int64_t lastFrameIndex(const ClipInfo &clip) {
    const double span = std::floor(clip.end - clip.start + 0.5);
    return span >= 0 && span <= 1e12 ? static_cast<int64_t>(span) : 0;
}

bool clipConnected(OfxImageClipHandle clip) {
    OfxPropertySetHandle props = nullptr;
    if (host::suites().effect->clipGetPropertySet(clip, &props) != kOfxStatOK || props == nullptr) return false;
    int connected = 1;
    host::tryInt(props, kOfxImageClipPropConnected, connected);
    return connected != 0;
}

ImageInfo describeImage(OfxPropertySetHandle img, const char *what) {
    const host::Suites &s = host::suites();
    ImageInfo info;
    const std::string components = host::getString(img, kOfxImageEffectPropComponents);
    info.ofxDepth = host::getString(img, kOfxImageEffectPropPixelDepth);
    if (components != kOfxImageComponentRGBA)
        throw BridgeError(Kind::Host, std::string("unsupported pixel format: the ") + what + " image is " +
                                          components + ", RGBA is needed");
    info.depth = pixels::protocolDepth(info.ofxDepth.c_str());
    info.image.pixelBytes = pixels::pixelBytesForDepth(info.ofxDepth.c_str());
    if (info.depth == nullptr || info.image.pixelBytes == 0)
        throw BridgeError(Kind::Host, std::string("unsupported pixel depth ") + info.ofxDepth + " for the " + what +
                                          " image (8-bit, 16-bit or float needed)");
    int bounds[4] = {0, 0, 0, 0};
    if (s.prop->propGetIntN(img, kOfxImagePropBounds, 4, bounds) != kOfxStatOK)
        hostError(std::string("the host gave no bounds for the ") + what + " image");
    info.image.bounds = {bounds[0], bounds[1], bounds[2], bounds[3]};
    info.image.rowBytes = host::getInt(img, kOfxImagePropRowBytes);
    info.image.data = host::getPointer(img, kOfxImagePropData);
    std::string error;
    if (!pixels::validate(info.image, error)) hostError(std::string("unusable ") + what + " image: " + error);
    return info;
}

int dimension(int64_t v, const char *what) {
    if (v <= 0 || v > 1000000) hostError(std::string("image ") + what + " out of range");
    return static_cast<int>(v);
}

}  // namespace

// ---------------------------------------------------------------- lifetime

Instance::Instance(OfxImageEffectHandle effect) : effect_(effect), connection_(kClientName) {
    const host::Suites &s = host::suites();
    if (s.effect->clipGetHandle(effect, kOfxImageEffectSimpleSourceClipName, &source_, nullptr) != kOfxStatOK ||
        source_ == nullptr)
        hostError("the host has no Source clip");
    if (s.effect->clipGetHandle(effect, kOfxImageEffectOutputClipName, &output_, nullptr) != kOfxStatOK ||
        output_ == nullptr)
        hostError("the host has no Output clip");
    if (s.effect->getParamSet(effect, &paramSet_) != kOfxStatOK || paramSet_ == nullptr)
        hostError("the host has no parameter set");

    method_ = paramHandle(paramSet_, params::kMethod);
    strength_ = paramHandle(paramSet_, params::kStrength);
    maskSize_ = paramHandle(paramSet_, params::kMaskSize);
    feather_ = paramHandle(paramSet_, params::kFeather);
    seed_ = paramHandle(paramSet_, params::kSeed);
    threshold_ = paramHandle(paramSet_, params::kThreshold);
    policy_ = paramHandle(paramSet_, params::kPolicy);
    showBoxes_ = paramHandle(paramSet_, params::kShowBoxes);
    analysisPath_ = paramHandle(paramSet_, params::kAnalysisPath);
    identitiesJson_ = paramHandle(paramSet_, params::kIdentitiesJson);
    for (int i = 0; i < kPersonSlots; ++i) {
        personLabel_[i] = paramHandle(paramSet_, params::personLabel(i + 1).c_str());
        personAnonymize_[i] = paramHandle(paramSet_, params::personAnonymize(i + 1).c_str());
    }
    session_ = newSessionId();
}

Instance::~Instance() = default;

Instance *Instance::from(OfxImageEffectHandle effect) {
    OfxPropertySetHandle props = nullptr;
    if (effect == nullptr || host::suites().effect->getPropertySet(effect, &props) != kOfxStatOK || props == nullptr)
        return nullptr;
    void *p = nullptr;
    if (host::suites().prop->propGetPointer(props, kOfxPropInstanceData, 0, &p) != kOfxStatOK) return nullptr;
    return static_cast<Instance *>(p);
}

void Instance::attach() {
    OfxPropertySetHandle props = nullptr;
    if (host::suites().effect->getPropertySet(effect_, &props) != kOfxStatOK || props == nullptr)
        hostError("the host has no property set for the instance");
    if (host::suites().prop->propSetPointer(props, kOfxPropInstanceData, 0, this) != kOfxStatOK)
        hostError("the host refused the instance data");
}

std::string Instance::paramString(OfxParamHandle p) {
    char *v = nullptr;
    if (host::suites().param->paramGetValue(p, &v) != kOfxStatOK) hostError("cannot read a string parameter");
    return v != nullptr ? std::string(v) : std::string();
}

std::string Instance::paramStringAt(OfxParamHandle p, OfxTime t) {
    char *v = nullptr;
    if (host::suites().param->paramGetValueAtTime(p, t, &v) != kOfxStatOK) hostError("cannot read a string parameter");
    return v != nullptr ? std::string(v) : std::string();
}

std::string Instance::clipKey(double start, double end, double fps) const {
    // "<session>:<first>-<last>@<fps>", independent of the host's numeric locale.
    auto number = [](double v) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        return std::string(buf, r.ptr);
    };
    return session_ + ":" + number(start) + "-" + number(end) + "@" + number(fps);
}

// ---------------------------------------------------------------- messages

void Instance::reportRenderError(const std::string &text) {
    try {
        std::lock_guard<std::mutex> lock(messageMutex_);
        const std::string message = "Deid: " + text;
        if (host::setPersistentMessage(effect_, kOfxMessageError, message)) {
            persistentSet_ = true;
            lastMessage_ = message;
            return;
        }
        // Without persistent messages, show each distinct error once rather than once per frame.
        if (message != lastMessage_) {
            lastMessage_ = message;
            host::showMessage(effect_, kOfxMessageError, message);
        }
    } catch (...) {
    }
}

void Instance::clearRenderError() {
    try {
        std::lock_guard<std::mutex> lock(messageMutex_);
        if (persistentSet_) host::clearPersistentMessage(effect_);
        persistentSet_ = false;
        lastMessage_.clear();
    } catch (...) {
    }
}

// ---------------------------------------------------------------- render

OfxStatus Instance::render(OfxPropertySetHandle inArgs) {
    try {
        const OfxTime time = host::getDouble(inArgs, kOfxPropTime);
        renderFrame(time, inArgs);
        clearRenderError();
        return kOfxStatOK;
    } catch (const std::bad_alloc &) {
        reportRenderError("out of memory");
    } catch (const std::exception &e) {
        reportRenderError(e.what());
    } catch (...) {
        reportRenderError("unexpected error");
    }
    return kOfxStatFailed;
}

OfxStatus Instance::framesNeeded(OfxPropertySetHandle inArgs, OfxPropertySetHandle outArgs) {
    // Hosts that honour this action provide, or can only provide, the frames it names: without an analysis a
    // render reads its neighbours too.
    try {
        const OfxTime time = host::getDouble(inArgs, kOfxPropTime);
        if (!paramStringAt(analysisPath_, time).empty()) return kOfxStatReplyDefault;
        const ClipInfo clip = clipInfo(source_);
        const double index = std::floor(time - clip.start + 0.5);
        if (!(index >= 0) || index > 1e12) return kOfxStatReplyDefault;
        const int64_t frame = static_cast<int64_t>(index);
        const frames::Range r = frames::around(frame, lastFrameIndex(clip), frames::kWindowRadius);
        double range[2] = {time - static_cast<double>(frame - r.first), time + static_cast<double>(r.last - frame)};
        const std::string name = std::string("OfxImageClipPropFrameRange_") + kOfxImageEffectSimpleSourceClipName;
        if (host::suites().prop->propSetDoubleN(outArgs, name.c_str(), 2, range) != kOfxStatOK)
            return kOfxStatReplyDefault;
        return kOfxStatOK;
    } catch (...) {
        // The render reads whatever neighbours the host gives and copes without them.
        return kOfxStatReplyDefault;
    }
}

protocol::RenderRequest Instance::requestAt(OfxTime time, int64_t &lastFrame) {
    // Every parameter at that time.
    protocol::RenderRequest req;
    req.session = session_;
    const int methodIndex = intAt(method_, time, params::kMethod);
    const char *method = params::methodName(methodIndex);
    if (method == nullptr) throw BridgeError(Kind::Host, "unknown method #" + std::to_string(methodIndex));
    req.method = method;
    const int policyIndex = intAt(policy_, time, params::kPolicy);
    const char *policy = params::policyName(policyIndex);
    if (policy == nullptr) throw BridgeError(Kind::Host, "unknown default policy #" + std::to_string(policyIndex));
    req.policy = policy;
    req.strength = doubleAt(strength_, time, params::kStrength);
    req.maskScale = doubleAt(maskSize_, time, params::kMaskSize);
    req.feather = doubleAt(feather_, time, params::kFeather);
    req.seed = intAt(seed_, time, params::kSeed);
    req.threshold = doubleAt(threshold_, time, params::kThreshold);
    req.showBoxes = intAt(showBoxes_, time, params::kShowBoxes) != 0;
    req.analysis = paramStringAt(analysisPath_, time);

    std::vector<SlotIdentity> slots;
    std::string error;
    if (!slotsFromJson(paramStringAt(identitiesJson_, time), slots, error))
        throw BridgeError(Kind::Host, "the stored list of people is unreadable (" + error + "); run Analyze clip again");
    for (const SlotIdentity &slot : slots) {
        const std::string name = params::personAnonymize(slot.slot);
        req.identities.emplace_back(slot.id, stepIntAt(personAnonymize_[slot.slot - 1], time, name.c_str()) != 0);
    }

    const ClipInfo clip = clipInfo(source_);
    const double index = std::floor(time - clip.start + 0.5);
    if (!(index >= 0) || index > 1e12)
        throw BridgeError(Kind::Host, "time " + std::to_string(time) + " is outside the Source clip");
    req.frame = static_cast<int64_t>(index);
    req.clip = clipKey(clip.start, clip.end, clip.fps);
    lastFrame = lastFrameIndex(clip);
    return req;
}

void Instance::renderFrame(OfxTime time, OfxPropertySetHandle inArgs) {
    const host::Suites &s = host::suites();
    int64_t lastFrame = 0;
    protocol::RenderRequest req = requestAt(time, lastFrame);

    std::lock_guard<std::mutex> lock(ioMutex_);

    host::ClipImage outputImage(output_, time, "Output");
    const ImageInfo dst = describeImage(outputImage.handle(), "Output");
    pixels::Rect window = dst.image.bounds;
    int win[4] = {0, 0, 0, 0};
    if (s.prop->propGetIntN(inArgs, kOfxImageEffectPropRenderWindow, 4, win) == kOfxStatOK)
        window = {win[0], win[1], win[2], win[3]};

    try {
        renderInto(time, req, dst, window, lastFrame);
    } catch (...) {
        // Whatever the host does with a failed frame, it must not show unprocessed pixels.
        std::string ignored;
        pixels::clear(dst.image, window, ignored);
        throw;
    }
}

void Instance::renderInto(OfxTime time, protocol::RenderRequest &req, const ImageInfo &dst, const pixels::Rect &window,
                          int64_t lastFrame) {
    host::ClipImage sourceImage(source_, time, "Source");
    const ImageInfo src = describeImage(sourceImage.handle(), "Source");
    if (src.ofxDepth != dst.ofxDepth)
        throw BridgeError(Kind::Host, "unsupported pixel format: Source is " + src.ofxDepth + " but Output is " +
                                          dst.ofxDepth);

    size_t frameBytes = 0;
    if (!pixels::packedSize(src.image.bounds, src.image.pixelBytes, frameBytes))
        throw BridgeError(Kind::Host, "the Source image is too large");
    req.width = dimension(src.image.bounds.width(), "width");
    req.height = dimension(src.image.bounds.height(), "height");
    req.depth = src.depth;

    req.fingerprint = clipFingerprint(time - static_cast<double>(req.frame), lastFrame, src);

    // An analysis already knows every frame's faces; without one the server sees only what it is sent.
    const bool withNeighbours = req.analysis.empty();
    const frames::Range wanted = withNeighbours ? frames::around(req.frame, lastFrame, frames::kWindowRadius)
                                                : frames::Range{req.frame, req.frame};
    const size_t capacity = static_cast<size_t>(wanted.count());
    if (frameBytes > std::numeric_limits<size_t>::max() / capacity)
        throw BridgeError(Kind::Host, "the Source image is too large");

    std::string error;
    const std::string dir = connection_.ensureDirectory();
    uint8_t *const mem = slot_.ensure(dir, frameBytes * capacity);
    const size_t slotSize = slot_.size();
    req.slot = slot_.path();

    // The direction the playhead travels, from the previous frame this instance rendered.
    const int direction = previousFrame_ == req.frame - 1 ? 1 : previousFrame_ == req.frame + 1 ? -1 : 0;
    previousFrame_ = req.frame;

    if (!withNeighbours) {
        // A frame rendered before comes back without the source travelling: the server knows it by the clip, the
        // frame, the source's hash and the settings, and writes the result into the slot. The early probe goes
        // out before the source is hashed, so the server copies its candidate while the plugin hashes; the
        // candidate counts only if it was rendered from a source with the same hash.
        req.probe = true;
        protocol::Rendered rendered;
        if (connection_.connected()) {
            try {
                connection_.send(protocol::makeRender(req));
                req.content = content::toHex(content::hashImage(src.image));
                std::string candidate;
                if (protocol::parseCandidate(connection_.receive(), rendered, candidate) && candidate == req.content) {
                    if (!pixels::unpack(mem, slotSize, src.image.bounds, dst.image, window, error))
                        throw BridgeError(Kind::Host, error);
                    return;
                }
            } catch (const BridgeError &e) {
                // A connection that died while idle: the probe below reconnects.
                if (e.kind() != Kind::Transport) throw;
            }
        }
        if (req.content.empty()) req.content = content::toHex(content::hashImage(src.image));
        if (protocol::parseProbe(exchange(protocol::makeRender(req), nullptr), rendered)) {
            if (!pixels::unpack(mem, slotSize, src.image.bounds, dst.image, window, error))
                throw BridgeError(Kind::Host, error);
            return;
        }
        req.probe = false;
    } else {
        req.content = content::toHex(content::hashImage(src.image));
    }
    // After this frame, in new ground while playing or stepping: the next frames go to the server to be rendered in
    // the background, so they are ready when the host asks.
    struct Ahead {
        Instance &self;
        OfxTime time;
        int direction;
        int64_t lastFrame;
        const ImageInfo &like;
        const protocol::RenderRequest &req;
        ~Ahead() {
            if (direction != 0 && !req.analysis.empty()) self.renderAhead(time, direction, lastFrame, like, req.fingerprint);
        }
    } ahead{*this, time, direction, lastFrame, src, req};

    auto place = [&](int64_t frame) { return mem + static_cast<size_t>(frame - wanted.first) * frameBytes; };
    if (!pixels::pack(src.image, place(req.frame), frameBytes, error)) throw BridgeError(Kind::Host, error);
    const frames::Range got = frames::gather(wanted, req.frame, [&](int64_t frame) {
        return packNeighbour(time + static_cast<double>(frame - req.frame), src, place(frame), frameBytes);
    });
    // Missing earlier neighbours leave a gap at the start of the slot; the protocol wants the window from byte 0.
    if (got.first != wanted.first) std::memmove(mem, place(got.first), static_cast<size_t>(got.count()) * frameBytes);
    uint8_t *const target = mem + static_cast<size_t>(req.frame - got.first) * frameBytes;
    if (withNeighbours) {
        req.windowFirst = got.first;
        req.windowCount = got.count();
    }

    // The server may have died while writing the result, so a resend puts the frame in again; it writes nowhere
    // else in the slot.
    protocol::parseRendered(exchange(protocol::makeRender(req), [&] {
        if (!pixels::pack(src.image, target, frameBytes, error)) throw BridgeError(Kind::Host, error);
    }));

    if (!pixels::unpack(target, slotSize - static_cast<size_t>(target - mem), src.image.bounds, dst.image, window,
                        error))
        throw BridgeError(Kind::Host, error);
}

msgpack::Value Instance::exchange(const msgpack::Value &request, const std::function<void()> &repeat) {
    for (int attempt = 0;; ++attempt) {
        try {
            return connection_.request(request);
        } catch (const BridgeError &e) {
            // A connection may have outlived its server, and a server that was just killed can take a moment to be
            // gone from the socket: reconnect (starting the server again if need be), twice at most. A request is
            // safe to repeat: it renders the same frame into the same place. Anything else fails the render.
            if (attempt < 2 && e.kind() == Kind::Transport) {
                if (repeat) repeat();
                continue;
            }
            throw;
        }
    }
}

std::string Instance::clipFingerprint(double start, int64_t lastFrame, const ImageInfo &like) {
    const pixels::Rect &b = like.image.bounds;
    char key[160];
    std::snprintf(key, sizeof key, "%.6f|%lld|%d,%d,%d,%d", start, static_cast<long long>(lastFrame), b.x1, b.y1, b.x2,
                  b.y2);
    if (fingerprintKey_ == key) return fingerprint_;
    try {
        fingerprint::Builder builder(lastFrame + 1, dimension(b.width(), "width"), dimension(b.height(), "height"));
        for (const int64_t frame : fingerprint::sampledFrames(lastFrame + 1)) {
            host::ClipImage image(source_, start + static_cast<double>(frame), "Source");
            const ImageInfo info = describeImage(image.handle(), "Source");
            const pixels::Rect &a = info.image.bounds;
            if (a.x1 != b.x1 || a.y1 != b.y1 || a.x2 != b.x2 || a.y2 != b.y2) return {};
            const std::vector<uint8_t> thumb = fingerprint::thumbnail(info.image, info.depth);
            if (thumb.empty()) return {};
            builder.add(frame, thumb);
        }
        fingerprintKey_ = key;
        fingerprint_ = builder.finish();
        return fingerprint_;
    } catch (const BridgeError &) {
        // Without a fingerprint frames are still cached by content, only not found again after a restart.
        return {};
    }
}

void Instance::renderAhead(OfxTime time, int direction, int64_t lastFrame, const ImageInfo &like, const std::string &fingerprint) {
    // A favour, never a failure: anything that goes wrong here leaves the frames to be rendered when asked for.
    try {
        if (std::uncaught_exceptions() > 0) return;  // the frame itself failed: nothing more
        std::string error;
        for (int k = 1; k <= kRenderAhead; ++k) {
            const OfxTime t = time + static_cast<double>(direction * k);
            int64_t last = 0;
            protocol::RenderRequest ahead = requestAt(t, last);
            if (ahead.frame < 0 || ahead.frame > lastFrame || ahead.analysis.empty()) return;
            host::ClipImage image(source_, t, "Source");
            const ImageInfo info = describeImage(image.handle(), "Source");
            const pixels::Rect &a = info.image.bounds, &b = like.image.bounds;
            if (info.ofxDepth != like.ofxDepth || a.x1 != b.x1 || a.y1 != b.y1 || a.x2 != b.x2 || a.y2 != b.y2) return;
            size_t frameBytes = 0;
            if (!pixels::packedSize(info.image.bounds, info.image.pixelBytes, frameBytes)) return;
            uint8_t *const mem = slot_.ensure(connection_.ensureDirectory(), frameBytes);
            if (!pixels::pack(info.image, mem, slot_.size(), error)) return;
            ahead.width = dimension(a.width(), "width");
            ahead.height = dimension(a.height(), "height");
            ahead.depth = info.depth;
            ahead.fingerprint = fingerprint;
            ahead.content = content::toHex(content::hashImage(info.image));
            ahead.slot = slot_.path();
            ahead.prefetch = true;
            connection_.request(protocol::makeRender(ahead));
        }
    } catch (...) {
    }
}

bool Instance::packNeighbour(OfxTime time, const ImageInfo &like, uint8_t *out, size_t bytes) {
    // A neighbour only helps the detector: one the host cannot give, or gives in another shape, narrows the
    // window instead of failing the render.
    try {
        host::ClipImage image(source_, time, "Source");
        const ImageInfo info = describeImage(image.handle(), "Source");
        const pixels::Rect &a = info.image.bounds, &b = like.image.bounds;
        if (info.ofxDepth != like.ofxDepth || a.x1 != b.x1 || a.y1 != b.y1 || a.x2 != b.x2 || a.y2 != b.y2)
            return false;
        std::string error;
        return pixels::pack(info.image, out, bytes, error);
    } catch (const BridgeError &) {
        return false;
    }
}

// ---------------------------------------------------------------- analysis

void Instance::analyze() {
    if (!clipConnected(source_)) throw BridgeError(Kind::Host, "the Source clip is not connected");
    const ClipInfo clip = clipInfo(source_);
    const double span = std::floor(clip.end - clip.start + 0.5);
    if (!(span >= 0) || span + 1 > static_cast<double>(kMaxAnalyzeFrames))
        throw BridgeError(Kind::Host, "the Source clip's frame range is unusable");
    const int64_t frames = static_cast<int64_t>(span) + 1;
    const std::string clipId = clipKey(clip.start, clip.end, clip.fps);

    std::lock_guard<std::mutex> lock(ioMutex_);
    host::Progress progress(effect_, "Deid: analyzing the clip", "org.deid.Deid.analyze");
    const std::string dir = connection_.ensureDirectory();
    std::string error;
    std::string fingerprint;
    {
        host::ClipImage first(source_, clip.start, "Source");
        fingerprint = clipFingerprint(clip.start, frames - 1, describeImage(first.handle(), "Source"));
    }

    for (int64_t i = 0; i < frames; ++i) {
        const OfxTime t = clip.start + static_cast<double>(i);
        protocol::AnalyzeFrame fr;
        {
            host::ClipImage image(source_, t, "Source");
            const ImageInfo info = describeImage(image.handle(), "Source");
            size_t bytes = 0;
            if (!pixels::packedSize(info.image.bounds, info.image.pixelBytes, bytes))
                throw BridgeError(Kind::Host, "the Source image is too large");
            uint8_t *mem = slot_.ensure(dir, bytes);
            if (!pixels::pack(info.image, mem, slot_.size(), error)) throw BridgeError(Kind::Host, error);
            fr.width = dimension(info.image.bounds.width(), "width");
            fr.height = dimension(info.image.bounds.height(), "height");
            fr.depth = info.depth;
        }
        if (i == 0) {
            protocol::AnalyzeBegin begin;
            begin.session = session_;
            begin.clip = clipId;
            begin.frames = frames;
            begin.fps = clip.fps;
            begin.width = fr.width;
            begin.height = fr.height;
            begin.fingerprint = fingerprint;
            protocol::Analysis known;
            if (protocol::parseAnalyzeBegun(connection_.request(protocol::makeAnalyzeBegin(begin)), known)) {
                // Analysed before, by this or another instance or host: nothing to send.
                progress.update(1.0);
                applyAnalysis(known.path, assignSlots(known.identities));
                return;
            }
        }
        fr.session = session_;
        fr.frame = i;
        fr.slot = slot_.path();
        protocol::parseOk(connection_.request(protocol::makeAnalyzeFrame(fr)));
        if (!progress.update(static_cast<double>(i + 1) / static_cast<double>(frames)))
            throw BridgeError(Kind::Cancelled, "analysis cancelled");
    }
    const protocol::Analysis result = protocol::parseAnalysis(connection_.request(protocol::makeAnalyzeEnd(session_)));
    applyAnalysis(result.path, assignSlots(result.identities));
}

void Instance::applyAnalysis(const std::string &path, const std::vector<SlotIdentity> &slots) {
    const host::Suites &s = host::suites();
    std::vector<SlotIdentity> previous;
    std::string error;
    if (!slotsFromJson(paramString(identitiesJson_), previous, error)) previous.clear();

    auto find = [](const std::vector<SlotIdentity> &list, int slot) -> const SlotIdentity * {
        for (const SlotIdentity &e : list)
            if (e.slot == slot) return &e;
        return nullptr;
    };

    const std::string json = slotsToJson(slots);
    bool ok = true;
    s.param->paramEditBegin(paramSet_, "Analyze clip");
    for (int slot = 1; slot <= kPersonSlots; ++slot) {
        const SlotIdentity *now = find(slots, slot);
        const SlotIdentity *before = find(previous, slot);
        const bool samePerson = now != nullptr && before != nullptr && now->id == before->id &&
                                now->first == before->first && now->last == before->last;
        if (!samePerson) {
            // A slot that now shows someone else starts again from "anonymize": keys set for the person
            // it showed before must not reveal a different one.
            s.param->paramDeleteAllKeys(personAnonymize_[slot - 1]);
            ok &= s.param->paramSetValue(personAnonymize_[slot - 1], 1) == kOfxStatOK;
        }
        const std::string label = now != nullptr ? slotLabel(*now) : std::string(unusedSlotLabel());
        s.param->paramSetValue(personLabel_[slot - 1], label.c_str());
    }
    ok &= s.param->paramSetValue(analysisPath_, path.c_str()) == kOfxStatOK;
    ok &= s.param->paramSetValue(identitiesJson_, json.c_str()) == kOfxStatOK;
    s.param->paramEditEnd(paramSet_);

    {
        std::lock_guard<std::mutex> lock(stateMutex_);
        statePath_ = path;
        stateIdentities_ = json;
        stateDirty_ = !ok;
    }
    updateSlotsEnabled(slots);
}

void Instance::updateSlotsEnabled(const std::vector<SlotIdentity> &slots) {
    for (int slot = 1; slot <= kPersonSlots; ++slot) {
        bool used = false;
        for (const SlotIdentity &e : slots) used = used || e.slot == slot;
        OfxPropertySetHandle props = nullptr;
        if (host::suites().param->paramGetPropertySet(personAnonymize_[slot - 1], &props) == kOfxStatOK &&
            props != nullptr)
            host::setInt(props, kOfxParamPropEnabled, used ? 1 : 0);
    }
}

void Instance::reloadState() {
    const std::string path = paramString(analysisPath_);
    const std::string json = paramString(identitiesJson_);
    std::vector<SlotIdentity> slots;
    std::string error;
    if (!slotsFromJson(json, slots, error)) slots.clear();
    {
        std::lock_guard<std::mutex> lock(stateMutex_);
        statePath_ = path;
        stateIdentities_ = json;
        stateDirty_ = false;
    }
    updateSlotsEnabled(slots);
}

void Instance::clearCache() {
    std::lock_guard<std::mutex> lock(ioMutex_);
    protocol::parseOk(connection_.request(protocol::makeClearCache(session_, fingerprint_)));
}

OfxStatus Instance::syncPrivateData() {
    std::lock_guard<std::mutex> lock(stateMutex_);
    if (!stateDirty_) return kOfxStatOK;
    const host::Suites &s = host::suites();
    bool ok = s.param->paramSetValue(analysisPath_, statePath_.c_str()) == kOfxStatOK;
    ok &= s.param->paramSetValue(identitiesJson_, stateIdentities_.c_str()) == kOfxStatOK;
    stateDirty_ = !ok;
    return ok ? kOfxStatOK : kOfxStatFailed;
}

// ---------------------------------------------------------------- changes

OfxStatus Instance::instanceChanged(OfxPropertySetHandle inArgs) {
    std::string type, name, reason;
    host::tryString(inArgs, kOfxPropType, type);
    host::tryString(inArgs, kOfxPropName, name);
    host::tryString(inArgs, kOfxPropChangeReason, reason);
    if (type != kOfxTypeParameter) return kOfxStatReplyDefault;

    if (reason == kOfxChangeUserEdited && (name == params::kAnalyze || name == params::kClearCache)) {
        const bool analyzing = name == params::kAnalyze;
        try {
            if (analyzing)
                analyze();
            else
                clearCache();
            return kOfxStatOK;
        } catch (const BridgeError &e) {
            if (e.kind() == Kind::Cancelled) return kOfxStatOK;
            host::showMessage(effect_, kOfxMessageError,
                              std::string(analyzing ? "Deid: Analyze clip failed: " : "Deid: Clear cache failed: ") +
                                  e.what());
        } catch (const std::bad_alloc &) {
            host::showMessage(effect_, kOfxMessageError, "Deid: out of memory");
        } catch (const std::exception &e) {
            host::showMessage(effect_, kOfxMessageError, std::string("Deid: ") + e.what());
        }
        return kOfxStatFailed;
    }

    if ((name == params::kAnalysisPath || name == params::kIdentitiesJson) && reason != kOfxChangePluginEdited)
        reloadState();  // undo, paste, a preset: the host changed our state
    return kOfxStatOK;
}

}  // namespace deid
