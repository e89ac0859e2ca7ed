// MockDeid.ofx: a small image effect with the same parameter names as Deid, used to test the OpenFX test host
// itself (loading, actions, parameters, temporal clip access, image layouts, messages) without the real plugin
// or a server. Its "anonymization" is exact and easy to predict: inside a fixed box (the middle of the picture,
// measured from the top-left like a face box) every colour channel is inverted while person1_anonymize is 1;
// everything else is copied from Source. Analyze clip reads every frame and stores a checksum.
#include "ofx/ofx_constants.h"
#include "ofx/ofx_core.h"
#include "ofx/ofx_suites.h"

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#define MOCK_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

const OfxHost* gHost = nullptr;
bool gOfxSetHostCalled = false;
const OfxPropertySuiteV1* gProp = nullptr;
const OfxImageEffectSuiteV1* gEffect = nullptr;
const OfxParameterSuiteV1* gParam = nullptr;
const OfxMemorySuiteV1* gMemory = nullptr;
const OfxMultiThreadSuiteV1* gThread = nullptr;
const OfxMessageSuiteV2* gMessage = nullptr;
const OfxProgressSuiteV2* gProgress = nullptr;

struct Instance {
    OfxImageClipHandle source = nullptr;
    OfxImageClipHandle output = nullptr;
    OfxParamHandle anonymize = nullptr;
    OfxParamHandle label = nullptr;
    OfxParamHandle analysisPath = nullptr;
    OfxParamHandle simulateFailure = nullptr;
    OfxParamHandle strength = nullptr;
    int analysedFrames = 0;
};

Instance* instanceOf(OfxImageEffectHandle effect) {
    OfxPropertySetHandle props = nullptr;
    void* data = nullptr;
    if (gEffect->getPropertySet(effect, &props) != kOfxStatOK) return nullptr;
    if (gProp->propGetPointer(props, kOfxPropInstanceData, 0, &data) != kOfxStatOK) return nullptr;
    return static_cast<Instance*>(data);
}

OfxStatus load() {
    if (gHost == nullptr) return kOfxStatErrMissingHostFeature;
    gProp = static_cast<const OfxPropertySuiteV1*>(gHost->fetchSuite(gHost->host, kOfxPropertySuite, 1));
    gEffect = static_cast<const OfxImageEffectSuiteV1*>(gHost->fetchSuite(gHost->host, kOfxImageEffectSuite, 1));
    gParam = static_cast<const OfxParameterSuiteV1*>(gHost->fetchSuite(gHost->host, kOfxParameterSuite, 1));
    gMemory = static_cast<const OfxMemorySuiteV1*>(gHost->fetchSuite(gHost->host, kOfxMemorySuite, 1));
    gThread = static_cast<const OfxMultiThreadSuiteV1*>(gHost->fetchSuite(gHost->host, kOfxMultiThreadSuite, 1));
    gMessage = static_cast<const OfxMessageSuiteV2*>(gHost->fetchSuite(gHost->host, kOfxMessageSuite, 2));
    gProgress = static_cast<const OfxProgressSuiteV2*>(gHost->fetchSuite(gHost->host, kOfxProgressSuite, 2));
    if (!gProp || !gEffect || !gParam || !gMemory || !gThread || !gMessage || !gProgress) return kOfxStatErrMissingHostFeature;
    return kOfxStatOK;
}

OfxStatus describe(OfxImageEffectHandle effect) {
    OfxPropertySetHandle props = nullptr;
    gEffect->getPropertySet(effect, &props);
    gProp->propSetString(props, kOfxPropLabel, 0, "Mock Deid");
    gProp->propSetString(props, kOfxImageEffectPluginPropGrouping, 0, "Test");
    const char* contexts[] = {kOfxImageEffectContextFilter};
    gProp->propSetStringN(props, kOfxImageEffectPropSupportedContexts, 1, contexts);
    const char* depths[] = {kOfxBitDepthByte, kOfxBitDepthShort, kOfxBitDepthFloat};
    gProp->propSetStringN(props, kOfxImageEffectPropSupportedPixelDepths, 3, depths);
    gProp->propSetInt(props, kOfxImageEffectPropTemporalClipAccess, 0, 1);
    gProp->propSetInt(props, kOfxImageEffectPropSupportsTiles, 0, 0);
    gProp->propSetInt(props, kOfxImageEffectPluginPropHostFrameThreading, 0, 0);
    gProp->propSetString(props, kOfxImageEffectPluginRenderThreadSafety, 0, kOfxImageEffectRenderInstanceSafe);
    gProp->propSetInt(props, kOfxPropVersion, 0, 1);
    return kOfxStatOK;
}

OfxPropertySetHandle define(OfxParamSetHandle set, const char* type, const char* name) {
    OfxPropertySetHandle p = nullptr;
    gParam->paramDefine(set, type, name, &p);
    return p;
}

OfxStatus describeInContext(OfxImageEffectHandle effect) {
    OfxPropertySetHandle clip = nullptr;
    gEffect->clipDefine(effect, kOfxImageEffectSimpleSourceClipName, &clip);
    gProp->propSetString(clip, kOfxImageEffectPropSupportedComponents, 0, kOfxImageComponentRGBA);
    gProp->propSetInt(clip, kOfxImageEffectPropTemporalClipAccess, 0, 1);
    gEffect->clipDefine(effect, kOfxImageEffectOutputClipName, &clip);
    gProp->propSetString(clip, kOfxImageEffectPropSupportedComponents, 0, kOfxImageComponentRGBA);

    OfxParamSetHandle set = nullptr;
    gEffect->getParamSet(effect, &set);
    OfxPropertySetHandle p = define(set, kOfxParamTypeChoice, "method");
    const char* options[] = {"Blur", "Pixelate", "Solid"};
    gProp->propSetStringN(p, kOfxParamPropChoiceOption, 3, options);
    p = define(set, kOfxParamTypeDouble, "strength");
    gProp->propSetDouble(p, kOfxParamPropDefault, 0, 1.0);
    define(set, kOfxParamTypePushButton, "analyze");
    p = define(set, kOfxParamTypeString, "person1_label");
    gProp->propSetString(p, kOfxParamPropDefault, 0, "(not analysed)");
    gProp->propSetInt(p, kOfxParamPropAnimates, 0, 0);
    p = define(set, kOfxParamTypeInteger, "person1_anonymize");
    gProp->propSetInt(p, kOfxParamPropDefault, 0, 1);
    p = define(set, kOfxParamTypeString, "analysis_path");
    gProp->propSetInt(p, kOfxParamPropSecret, 0, 1);
    gProp->propSetInt(p, kOfxParamPropAnimates, 0, 0);
    p = define(set, kOfxParamTypeBoolean, "simulate_failure");
    gProp->propSetInt(p, kOfxParamPropAnimates, 0, 0);
    p = define(set, kOfxParamTypePage, "page");
    const char* children[] = {"method", "strength", "analyze", "person1_label", "person1_anonymize"};
    gProp->propSetStringN(p, kOfxParamPropPageChild, 5, children);
    return kOfxStatOK;
}

OfxStatus createInstance(OfxImageEffectHandle effect) {
    void* mem = nullptr;
    if (gMemory->memoryAlloc(effect, sizeof(Instance), &mem) != kOfxStatOK) return kOfxStatErrMemory;
    auto* inst = new (mem) Instance();
    gEffect->clipGetHandle(effect, kOfxImageEffectSimpleSourceClipName, &inst->source, nullptr);
    gEffect->clipGetHandle(effect, kOfxImageEffectOutputClipName, &inst->output, nullptr);
    OfxParamSetHandle set = nullptr;
    gEffect->getParamSet(effect, &set);
    gParam->paramGetHandle(set, "person1_anonymize", &inst->anonymize, nullptr);
    gParam->paramGetHandle(set, "person1_label", &inst->label, nullptr);
    gParam->paramGetHandle(set, "analysis_path", &inst->analysisPath, nullptr);
    gParam->paramGetHandle(set, "simulate_failure", &inst->simulateFailure, nullptr);
    gParam->paramGetHandle(set, "strength", &inst->strength, nullptr);
    OfxPropertySetHandle props = nullptr;
    gEffect->getPropertySet(effect, &props);
    return gProp->propSetPointer(props, kOfxPropInstanceData, 0, inst);
}

OfxStatus destroyInstance(OfxImageEffectHandle effect) {
    Instance* inst = instanceOf(effect);
    if (inst == nullptr) return kOfxStatOK;
    inst->~Instance();
    gMemory->memoryFree(inst);
    OfxPropertySetHandle props = nullptr;
    gEffect->getPropertySet(effect, &props);
    gProp->propSetPointer(props, kOfxPropInstanceData, 0, nullptr);
    return kOfxStatOK;
}

struct ImageView {
    std::uint8_t* data = nullptr;
    int rowBytes = 0;
    int bounds[4] = {0, 0, 0, 0};
    int componentBytes = 1;
};

bool view(OfxPropertySetHandle image, ImageView* v) {
    void* data = nullptr;
    char* depth = nullptr;
    if (gProp->propGetPointer(image, kOfxImagePropData, 0, &data) != kOfxStatOK) return false;
    if (gProp->propGetInt(image, kOfxImagePropRowBytes, 0, &v->rowBytes) != kOfxStatOK) return false;
    if (gProp->propGetIntN(image, kOfxImagePropBounds, 4, v->bounds) != kOfxStatOK) return false;
    if (gProp->propGetString(image, kOfxImageEffectPropPixelDepth, 0, &depth) != kOfxStatOK) return false;
    v->data = static_cast<std::uint8_t*>(data);
    v->componentBytes = std::strcmp(depth, kOfxBitDepthFloat) == 0 ? 4 : std::strcmp(depth, kOfxBitDepthShort) == 0 ? 2 : 1;
    return true;
}

OfxStatus analyze(OfxImageEffectHandle effect, Instance* inst) {
    OfxPropertySetHandle clipProps = nullptr;
    gEffect->clipGetPropertySet(inst->source, &clipProps);
    double range[2] = {0, 0};
    gProp->propGetDoubleN(clipProps, kOfxImageEffectPropFrameRange, 2, range);
    gProgress->progressStart(effect, "Mock analysis", "mock.analyze");
    std::uint32_t checksum = 0;
    inst->analysedFrames = 0;
    for (double t = range[0]; t <= range[1]; t += 1.0) {
        OfxPropertySetHandle image = nullptr;
        if (gEffect->clipGetImage(inst->source, t, nullptr, &image) != kOfxStatOK) {
            gProgress->progressEnd(effect);
            gMessage->message(effect, kOfxMessageError, "mock.analyze", "no source frame at %g", t);
            return kOfxStatFailed;
        }
        ImageView v;
        view(image, &v);
        checksum = checksum * 31u + v.data[0];
        gEffect->clipReleaseImage(image);
        ++inst->analysedFrames;
        gProgress->progressUpdate(effect, (t - range[0] + 1.0) / (range[1] - range[0] + 1.0));
    }
    gProgress->progressEnd(effect);
    char text[64];
    std::snprintf(text, sizeof text, "/tmp/mock-%08x.deid", checksum);
    OfxParamSetHandle set = nullptr;
    gEffect->getParamSet(effect, &set);
    gParam->paramEditBegin(set, "Analyze clip");
    gParam->paramSetValue(inst->analysisPath, text);
    std::snprintf(text, sizeof text, "Person 1 (%d frames)", inst->analysedFrames);
    gParam->paramSetValue(inst->label, text);
    gParam->paramEditEnd(set);
    return kOfxStatOK;
}

OfxStatus instanceChanged(OfxImageEffectHandle effect, OfxPropertySetHandle inArgs) {
    char* type = nullptr;
    char* name = nullptr;
    char* reason = nullptr;
    gProp->propGetString(inArgs, kOfxPropType, 0, &type);
    gProp->propGetString(inArgs, kOfxPropName, 0, &name);
    gProp->propGetString(inArgs, kOfxPropChangeReason, 0, &reason);
    Instance* inst = instanceOf(effect);
    if (inst == nullptr || type == nullptr || std::strcmp(type, kOfxTypeParameter) != 0) return kOfxStatReplyDefault;
    if (std::strcmp(name, "analyze") == 0 && std::strcmp(reason, kOfxChangeUserEdited) == 0) return analyze(effect, inst);
    return kOfxStatOK;
}

struct RowJob {
    ImageView src, dst;
    int width, height;
    bool hide;
};

// The box, in top-down picture coordinates: x in [w/4, w/2), rows from the top in [h/4, h/2).
void renderRows(unsigned int index, unsigned int count, void* arg) {
    auto* job = static_cast<RowJob*>(arg);
    const int pixelBytes = 4 * job->src.componentBytes;
    for (int y = static_cast<int>(index); y < job->height; y += static_cast<int>(count)) {
        const int fromTop = job->height - 1 - y;
        const std::uint8_t* s = job->src.data + static_cast<std::ptrdiff_t>(y) * job->src.rowBytes;
        std::uint8_t* d = job->dst.data + static_cast<std::ptrdiff_t>(y) * job->dst.rowBytes;
        std::memcpy(d, s, static_cast<size_t>(job->width) * pixelBytes);
        if (!job->hide || fromTop < job->height / 4 || fromTop >= job->height / 2) continue;
        for (int x = job->width / 4; x < job->width / 2; ++x)
            for (int c = 0; c < 3; ++c) {
                const size_t at = static_cast<size_t>(x) * pixelBytes + static_cast<size_t>(c) * job->src.componentBytes;
                if (job->src.componentBytes == 1) {
                    d[at] = static_cast<std::uint8_t>(255 - s[at]);
                } else if (job->src.componentBytes == 2) {
                    std::uint16_t v;
                    std::memcpy(&v, s + at, 2);
                    v = static_cast<std::uint16_t>(65535 - v);
                    std::memcpy(d + at, &v, 2);
                } else {
                    float v;
                    std::memcpy(&v, s + at, 4);
                    v = 1.0f - v;
                    std::memcpy(d + at, &v, 4);
                }
            }
    }
}

OfxStatus render(OfxImageEffectHandle effect, OfxPropertySetHandle inArgs) {
    Instance* inst = instanceOf(effect);
    if (inst == nullptr) return kOfxStatFailed;
    double time = 0;
    gProp->propGetDouble(inArgs, kOfxPropTime, 0, &time);
    int fail = 0;
    gParam->paramGetValueAtTime(inst->simulateFailure, time, &fail);
    if (fail) {
        gMessage->setPersistentMessage(effect, kOfxMessageError, "mock.render", "simulated failure at frame %g", time);
        return kOfxStatFailed;  // fail closed: the output is left as the host gave it
    }
    int hide = 1;
    gParam->paramGetValueAtTime(inst->anonymize, time, &hide);
    OfxPropertySetHandle src = nullptr, dst = nullptr;
    if (gEffect->clipGetImage(inst->source, time, nullptr, &src) != kOfxStatOK) return kOfxStatFailed;
    if (gEffect->clipGetImage(inst->output, time, nullptr, &dst) != kOfxStatOK) {
        gEffect->clipReleaseImage(src);
        return kOfxStatFailed;
    }
    RowJob job;
    view(src, &job.src);
    view(dst, &job.dst);
    job.width = job.src.bounds[2] - job.src.bounds[0];
    job.height = job.src.bounds[3] - job.src.bounds[1];
    job.hide = hide != 0;
    gThread->multiThread(renderRows, 3, &job);
    gEffect->clipReleaseImage(src);
    gEffect->clipReleaseImage(dst);
    gMessage->clearPersistentMessage(effect);
    return kOfxStatOK;
}

OfxStatus mainEntry(const char* action, const void* handle, OfxPropertySetHandle inArgs, OfxPropertySetHandle) {
    auto effect = static_cast<OfxImageEffectHandle>(const_cast<void*>(handle));
    if (std::strcmp(action, kOfxActionLoad) == 0) return load();
    if (std::strcmp(action, kOfxActionUnload) == 0) return kOfxStatOK;
    if (std::strcmp(action, kOfxActionDescribe) == 0) return describe(effect);
    if (std::strcmp(action, kOfxImageEffectActionDescribeInContext) == 0) return describeInContext(effect);
    if (std::strcmp(action, kOfxActionCreateInstance) == 0) return createInstance(effect);
    if (std::strcmp(action, kOfxActionDestroyInstance) == 0) return destroyInstance(effect);
    if (std::strcmp(action, kOfxActionInstanceChanged) == 0) return instanceChanged(effect, inArgs);
    if (std::strcmp(action, kOfxImageEffectActionRender) == 0) return render(effect, inArgs);
    return kOfxStatReplyDefault;
}

void setHost(OfxHost* host) { gHost = host; }

OfxPlugin gPlugin = {kOfxImageEffectPluginApi, 1, "org.deid.MockDeid", 1, 0, setHost, mainEntry};

}  // namespace

MOCK_EXPORT OfxStatus OfxSetHost(const OfxHost* host) {
    gOfxSetHostCalled = true;
    gHost = host;
    return kOfxStatOK;
}
MOCK_EXPORT int OfxGetNumberOfPlugins(void) { return 1; }
MOCK_EXPORT OfxPlugin* OfxGetPlugin(int nth) { return nth == 0 ? &gPlugin : nullptr; }
// Lets the self-test see whether the host called OfxSetHost (a test-only export; the host never resolves it).
MOCK_EXPORT int MockOfxSetHostCalled(void) { return gOfxSetHostCalled ? 1 : 0; }
