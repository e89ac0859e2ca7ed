#include "host.h"

#include "errors.h"

namespace deid::host {

namespace {
const OfxHost *g_host = nullptr;
Suites g_suites;

template <typename T> const T *fetch(const char *name, int version) {
    if (g_host == nullptr || g_host->fetchSuite == nullptr) return nullptr;
    return static_cast<const T *>(g_host->fetchSuite(g_host->host, name, version));
}

[[noreturn]] void hostError(const std::string &what) { throw BridgeError(BridgeError::Kind::Host, what); }
}  // namespace

void setHost(const OfxHost *host) { g_host = host; }
const OfxHost *currentHost() { return g_host; }

bool fetchSuites() {
    Suites s;
    s.prop = fetch<OfxPropertySuiteV1>(kOfxPropertySuite, 1);
    s.effect = fetch<OfxImageEffectSuiteV1>(kOfxImageEffectSuite, 1);
    s.param = fetch<OfxParameterSuiteV1>(kOfxParameterSuite, 1);
    s.memory = fetch<OfxMemorySuiteV1>(kOfxMemorySuite, 1);
    s.thread = fetch<OfxMultiThreadSuiteV1>(kOfxMultiThreadSuite, 1);
    s.message2 = fetch<OfxMessageSuiteV2>(kOfxMessageSuite, 2);
    s.message1 = fetch<OfxMessageSuiteV1>(kOfxMessageSuite, 1);
    s.progress2 = fetch<OfxProgressSuiteV2>(kOfxProgressSuite, 2);
    s.progress1 = fetch<OfxProgressSuiteV1>(kOfxProgressSuite, 1);
    g_suites = s;
    return s.prop != nullptr && s.effect != nullptr && s.param != nullptr;
}

const Suites &suites() { return g_suites; }

void setString(OfxPropertySetHandle p, const char *name, const char *value, int index) {
    g_suites.prop->propSetString(p, name, index, value);
}
void setInt(OfxPropertySetHandle p, const char *name, int value, int index) {
    g_suites.prop->propSetInt(p, name, index, value);
}
void setDouble(OfxPropertySetHandle p, const char *name, double value, int index) {
    g_suites.prop->propSetDouble(p, name, index, value);
}
void setStrings(OfxPropertySetHandle p, const char *name, const std::vector<const char *> &values) {
    for (size_t i = 0; i < values.size(); ++i) g_suites.prop->propSetString(p, name, static_cast<int>(i), values[i]);
}

bool tryString(OfxPropertySetHandle p, const char *name, std::string &out, int index) {
    char *v = nullptr;
    if (g_suites.prop->propGetString(p, name, index, &v) != kOfxStatOK || v == nullptr) return false;
    out = v;
    return true;
}

bool tryInt(OfxPropertySetHandle p, const char *name, int &out, int index) {
    return g_suites.prop->propGetInt(p, name, index, &out) == kOfxStatOK;
}

std::string getString(OfxPropertySetHandle p, const char *name, int index) {
    std::string s;
    if (!tryString(p, name, s, index)) hostError(std::string("host did not provide ") + name);
    return s;
}

int getInt(OfxPropertySetHandle p, const char *name, int index) {
    int v = 0;
    if (!tryInt(p, name, v, index)) hostError(std::string("host did not provide ") + name);
    return v;
}

double getDouble(OfxPropertySetHandle p, const char *name, int index) {
    double v = 0;
    if (g_suites.prop->propGetDouble(p, name, index, &v) != kOfxStatOK)
        hostError(std::string("host did not provide ") + name);
    return v;
}

void *getPointer(OfxPropertySetHandle p, const char *name, int index) {
    void *v = nullptr;
    if (g_suites.prop->propGetPointer(p, name, index, &v) != kOfxStatOK)
        hostError(std::string("host did not provide ") + name);
    return v;
}

static const char kMessageId[] = "org.deid.Deid";

void showMessage(OfxImageEffectHandle effect, const char *type, const std::string &text) {
    try {
        if (g_suites.message2 != nullptr && g_suites.message2->message != nullptr)
            g_suites.message2->message(effect, type, kMessageId, "%s", text.c_str());
        else if (g_suites.message1 != nullptr && g_suites.message1->message != nullptr)
            g_suites.message1->message(effect, type, kMessageId, "%s", text.c_str());
    } catch (...) {
    }
}

bool setPersistentMessage(OfxImageEffectHandle effect, const char *type, const std::string &text) {
    if (g_suites.message2 == nullptr || g_suites.message2->setPersistentMessage == nullptr) return false;
    g_suites.message2->setPersistentMessage(effect, type, kMessageId, "%s", text.c_str());
    return true;
}

bool clearPersistentMessage(OfxImageEffectHandle effect) {
    if (g_suites.message2 == nullptr || g_suites.message2->clearPersistentMessage == nullptr) return false;
    g_suites.message2->clearPersistentMessage(effect);
    return true;
}

Progress::Progress(OfxImageEffectHandle effect, const char *label, const char *messageId) : effect_(effect) {
    if (g_suites.progress2 != nullptr && g_suites.progress2->progressStart != nullptr)
        started_ = g_suites.progress2->progressStart(effect_, label, messageId) == kOfxStatOK;
    else if (g_suites.progress1 != nullptr && g_suites.progress1->progressStart != nullptr)
        started_ = g_suites.progress1->progressStart(effect_, label) == kOfxStatOK;
}

Progress::~Progress() {
    if (!started_) return;
    if (g_suites.progress2 != nullptr)
        g_suites.progress2->progressEnd(effect_);
    else if (g_suites.progress1 != nullptr)
        g_suites.progress1->progressEnd(effect_);
}

bool Progress::update(double fraction) {
    if (!started_) return true;
    OfxStatus st = kOfxStatOK;
    if (g_suites.progress2 != nullptr)
        st = g_suites.progress2->progressUpdate(effect_, fraction);
    else if (g_suites.progress1 != nullptr)
        st = g_suites.progress1->progressUpdate(effect_, fraction);
    return st != kOfxStatReplyNo;
}

ClipImage::ClipImage(OfxImageClipHandle clip, OfxTime time, const char *what) {
    OfxPropertySetHandle h = nullptr;
    const OfxStatus st = g_suites.effect->clipGetImage(clip, time, nullptr, &h);
    if (st != kOfxStatOK || h == nullptr)
        hostError(std::string("the host gave no ") + what + " image at time " + std::to_string(time) +
                  " (status " + std::to_string(st) + ")");
    handle_ = h;
}

ClipImage::~ClipImage() { reset(); }

ClipImage::ClipImage(ClipImage &&other) noexcept : handle_(other.handle_) { other.handle_ = nullptr; }

ClipImage &ClipImage::operator=(ClipImage &&other) noexcept {
    if (this != &other) {
        reset();
        handle_ = other.handle_;
        other.handle_ = nullptr;
    }
    return *this;
}

void ClipImage::reset() {
    if (handle_ != nullptr) g_suites.effect->clipReleaseImage(handle_);
    handle_ = nullptr;
}

}  // namespace deid::host
