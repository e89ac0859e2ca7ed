// The OpenFX entry points of Deid.ofx: the plugin description, the action dispatcher and the exported
// C functions. No C++ exception leaves this file.
#include <cstring>
#include <memory>
#include <new>

#include "errors.h"
#include "host.h"
#include "instance.h"
#include "params.h"

#if defined(_WIN32)
#define DEID_EXPORT extern "C" __declspec(dllexport)
#else
#define DEID_EXPORT extern "C" __attribute__((visibility("default")))
#endif

namespace deid {
namespace {

constexpr const char *kPluginIdentifier = "org.deid.Deid";
constexpr unsigned kVersionMajor = 0;
constexpr unsigned kVersionMinor = 1;

OfxStatus describe(OfxImageEffectHandle effect) {
    OfxPropertySetHandle props = nullptr;
    if (host::suites().effect->getPropertySet(effect, &props) != kOfxStatOK || props == nullptr)
        return kOfxStatErrBadHandle;
    host::setString(props, kOfxPropLabel, "Deid");
    host::setString(props, kOfxPropShortLabel, "Deid");
    host::setString(props, kOfxPropLongLabel, "Deid face de-identification");
    host::setString(props, kOfxPropVersionLabel, "0.1");
    host::setInt(props, kOfxPropVersion, static_cast<int>(kVersionMajor), 0);
    host::setInt(props, kOfxPropVersion, static_cast<int>(kVersionMinor), 1);
    host::setString(props, kOfxPropPluginDescription,
                    "Finds the faces in a clip, follows them and hides them (blur, pixelate or a solid fill). "
                    "Analyze clip lists the people so each can be kept or hidden over time.");
    host::setString(props, kOfxImageEffectPluginPropGrouping, "Filter");
    host::setStrings(props, kOfxImageEffectPropSupportedContexts,
                     {kOfxImageEffectContextFilter, kOfxImageEffectContextGeneral});
    host::setStrings(props, kOfxImageEffectPropSupportedPixelDepths,
                     {kOfxBitDepthByte, kOfxBitDepthShort, kOfxBitDepthFloat});
    host::setInt(props, kOfxImageEffectPluginPropSingleInstance, 0);
    host::setInt(props, kOfxImageEffectPluginPropHostFrameThreading, 0);
    host::setInt(props, kOfxImageEffectPropSupportsMultiResolution, 0);
    host::setInt(props, kOfxImageEffectPropSupportsTiles, 0);
    host::setInt(props, kOfxImageEffectPropTemporalClipAccess, 1);
    host::setInt(props, kOfxImageEffectPropSupportsMultipleClipDepths, 0);
    host::setInt(props, kOfxImageEffectPropSupportsMultipleClipPARs, 0);
    host::setInt(props, kOfxImageEffectPluginPropFieldRenderTwiceAlways, 0);
    host::setString(props, kOfxImageEffectPluginRenderThreadSafety, kOfxImageEffectRenderInstanceSafe);
    return kOfxStatOK;
}

OfxStatus describeInContext(OfxImageEffectHandle effect, OfxPropertySetHandle inArgs) {
    std::string context;
    host::tryString(inArgs, kOfxImageEffectPropContext, context);
    if (context != kOfxImageEffectContextFilter && context != kOfxImageEffectContextGeneral)
        return kOfxStatErrUnsupported;

    const host::Suites &s = host::suites();
    OfxPropertySetHandle clip = nullptr;
    if (s.effect->clipDefine(effect, kOfxImageEffectSimpleSourceClipName, &clip) != kOfxStatOK || clip == nullptr)
        return kOfxStatFailed;
    host::setString(clip, kOfxImageEffectPropSupportedComponents, kOfxImageComponentRGBA);
    host::setInt(clip, kOfxImageEffectPropTemporalClipAccess, 1);
    host::setInt(clip, kOfxImageEffectPropSupportsTiles, 0);
    host::setInt(clip, kOfxImageClipPropOptional, 0);
    host::setInt(clip, kOfxImageClipPropIsMask, 0);

    clip = nullptr;
    if (s.effect->clipDefine(effect, kOfxImageEffectOutputClipName, &clip) != kOfxStatOK || clip == nullptr)
        return kOfxStatFailed;
    host::setString(clip, kOfxImageEffectPropSupportedComponents, kOfxImageComponentRGBA);
    host::setInt(clip, kOfxImageEffectPropSupportsTiles, 0);

    OfxParamSetHandle paramSet = nullptr;
    if (s.effect->getParamSet(effect, &paramSet) != kOfxStatOK || paramSet == nullptr) return kOfxStatFailed;
    params::describe(paramSet);
    return kOfxStatOK;
}

OfxStatus createInstance(OfxImageEffectHandle effect) {
    auto instance = std::make_unique<Instance>(effect);
    instance->reloadState();
    instance->attach();
    instance.release();  // owned by the effect until kOfxActionDestroyInstance
    return kOfxStatOK;
}

OfxStatus destroyInstance(OfxImageEffectHandle effect) {
    Instance *instance = Instance::from(effect);
    if (instance == nullptr) return kOfxStatOK;
    OfxPropertySetHandle props = nullptr;
    if (host::suites().effect->getPropertySet(effect, &props) == kOfxStatOK && props != nullptr)
        host::suites().prop->propSetPointer(props, kOfxPropInstanceData, 0, nullptr);
    delete instance;
    return kOfxStatOK;
}

OfxStatus dispatch(const char *action, OfxImageEffectHandle effect, OfxPropertySetHandle inArgs,
                   OfxPropertySetHandle outArgs) {
    if (std::strcmp(action, kOfxActionLoad) == 0)
        return host::fetchSuites() ? kOfxStatOK : kOfxStatErrMissingHostFeature;
    if (std::strcmp(action, kOfxActionUnload) == 0) return kOfxStatOK;

    // Hosts must send Load first; tolerate one that does not.
    if (host::suites().prop == nullptr && !host::fetchSuites()) return kOfxStatErrMissingHostFeature;

    if (std::strcmp(action, kOfxActionDescribe) == 0) return describe(effect);
    if (std::strcmp(action, kOfxImageEffectActionDescribeInContext) == 0) return describeInContext(effect, inArgs);
    if (std::strcmp(action, kOfxActionCreateInstance) == 0) return createInstance(effect);
    if (std::strcmp(action, kOfxActionDestroyInstance) == 0) return destroyInstance(effect);

    if (std::strcmp(action, kOfxImageEffectActionRender) == 0) {
        Instance *instance = Instance::from(effect);
        return instance != nullptr ? instance->render(inArgs) : kOfxStatFailed;
    }
    if (std::strcmp(action, kOfxImageEffectActionGetFramesNeeded) == 0) {
        Instance *instance = Instance::from(effect);
        return instance != nullptr && outArgs != nullptr ? instance->framesNeeded(inArgs, outArgs)
                                                         : kOfxStatReplyDefault;
    }
    if (std::strcmp(action, kOfxActionInstanceChanged) == 0) {
        Instance *instance = Instance::from(effect);
        return instance != nullptr ? instance->instanceChanged(inArgs) : kOfxStatReplyDefault;
    }
    if (std::strcmp(action, kOfxActionSyncPrivateData) == 0) {
        Instance *instance = Instance::from(effect);
        return instance != nullptr ? instance->syncPrivateData() : kOfxStatOK;
    }
    // Not identity, default regions, default clip preferences, and everything else.
    return kOfxStatReplyDefault;
}

OfxStatus mainEntry(const char *action, const void *handle, OfxPropertySetHandle inArgs,
                    OfxPropertySetHandle outArgs) {
    if (action == nullptr) return kOfxStatErrBadHandle;
    try {
        return dispatch(action, static_cast<OfxImageEffectHandle>(const_cast<void *>(handle)), inArgs, outArgs);
    } catch (const std::bad_alloc &) {
        return kOfxStatErrMemory;
    } catch (...) {
        return kOfxStatFailed;
    }
}

void setHostCallback(OfxHost *host) { host::setHost(host); }

OfxPlugin g_plugin = {
    kOfxImageEffectPluginApi, kOfxImageEffectPluginApiVersion, kPluginIdentifier, kVersionMajor, kVersionMinor, &setHostCallback, &mainEntry,
};

}  // namespace
}  // namespace deid

DEID_EXPORT OfxStatus OfxSetHost(const OfxHost *host) {
    deid::host::setHost(host);
    return kOfxStatOK;
}

DEID_EXPORT int OfxGetNumberOfPlugins(void) { return 1; }

DEID_EXPORT OfxPlugin *OfxGetPlugin(int nth) { return nth == 0 ? &deid::g_plugin : nullptr; }
