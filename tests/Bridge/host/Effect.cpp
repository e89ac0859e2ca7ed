#include "Effect.h"

#include "Diagnostics.h"
#include "Host.h"
#include "Plugin.h"
#include "Registry.h"

#include <chrono>
#include <cmath>
#include <cstring>

namespace ofxtest {

namespace {

constexpr double kTimeEpsilon = 1e-6;

std::string clipPrefName(const char* prefix, const std::string& clip) { return std::string(prefix) + clip; }

struct ImageMemoryBlock {
    std::vector<std::uint8_t> bytes;
    int locks = 0;
};

std::mutex gImageMemoryMutex;
size_t gImageMemoryLive = 0;

}  // namespace

size_t liveImageMemoryBlocks() {
    std::lock_guard<std::mutex> lock(gImageMemoryMutex);
    return gImageMemoryLive;
}

// ---------------------------------------------------------------------------------------------------------------
// Clip

Clip::Clip(ImageEffect& owner, std::string name, bool descriptor)
    : owner_(owner), name_(std::move(name)), props_(std::string(descriptor ? "clip descriptor '" : "clip '") + name_ + "'", this) {
    props_.defineString(kOfxPropType, {kOfxTypeClip}, true);
    props_.defineString(kOfxPropName, {name_}, true);
    props_.defineString(kOfxPropLabel, {name_});
    props_.defineString(kOfxPropShortLabel, {name_});
    props_.defineString(kOfxPropLongLabel, {name_});
    props_.defineString(kOfxImageEffectPropSupportedComponents, {}, false, 0);
    props_.defineInt(kOfxImageEffectPropTemporalClipAccess, {0});
    props_.defineInt(kOfxImageClipPropOptional, {0});
    props_.defineString(kOfxImageClipPropFieldExtraction, {kOfxImageFieldDoubled});
    props_.defineInt(kOfxImageClipPropIsMask, {0});
    props_.defineInt(kOfxImageEffectPropSupportsTiles, {1});
    Registry<Clip>::add(this);
}

Clip::~Clip() {
    Registry<Clip>::remove(this);
    magic_ = 0;
}

Clip* Clip::fromHandle(OfxImageClipHandle handle) {
    if (handle == nullptr || !Registry<Clip>::contains(handle)) return nullptr;
    auto* c = reinterpret_cast<Clip*>(handle);
    return c->magic_ == kMagic ? c : nullptr;
}

// ---------------------------------------------------------------------------------------------------------------
// Image

Image::Image(Clip& clip, double time, std::shared_ptr<ImageBuffer> buffer, const std::string& uniqueId)
    : clip_(clip), time_(time), buffer_(std::move(buffer)), props_("image of clip '" + clip.name() + "'", this) {
    const bool ro = true;
    const int w = buffer_->width(), h = buffer_->height();
    props_.defineString(kOfxPropType, {kOfxTypeImage}, ro);
    props_.defineString(kOfxImageEffectPropPixelDepth, {depthName(buffer_->depth())}, ro);
    props_.defineString(kOfxImageEffectPropComponents, {kOfxImageComponentRGBA}, ro);
    props_.defineString(kOfxImageEffectPropPreMultiplication, {kOfxImageOpaque}, ro);
    props_.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, ro);
    props_.defineDouble(kOfxImagePropPixelAspectRatio, {1.0}, ro);
    props_.definePointer(kOfxImagePropData, {buffer_->data()}, ro);
    props_.defineInt(kOfxImagePropBounds, {0, 0, w, h}, ro);
    props_.defineInt(kOfxImagePropRegionOfDefinition, {0, 0, w, h}, ro);
    props_.defineInt(kOfxImagePropRowBytes, {static_cast<int>(buffer_->rowBytes())}, ro);
    props_.defineString(kOfxImagePropField, {kOfxImageFieldNone}, ro);
    props_.defineString(kOfxImagePropUniqueIdentifier, {uniqueId}, ro);
    Registry<Image>::add(this);
}

Image::~Image() { Registry<Image>::remove(this); }

Image* Image::fromHandle(OfxPropertySetHandle handle) {
    PropertySet* set = PropertySet::fromHandle(handle);
    if (set == nullptr || !Registry<Image>::contains(set->owner())) return nullptr;
    return static_cast<Image*>(set->owner());
}

// ---------------------------------------------------------------------------------------------------------------
// ImageEffect

ImageEffect::ImageEffect(LoadedPlugin& plugin, bool instance, std::string context)
    : plugin_(plugin),
      instance_(instance),
      context_(std::move(context)),
      props_(instance ? "image effect instance" : context_.empty() ? "image effect descriptor" : "image effect descriptor (" + context_ + ")", this),
      params_(std::make_unique<ParamSet>(!instance, [this] { return currentTime(); })) {
    if (!instance_) defineDescriptorProperties();
    Registry<ImageEffect>::add(this);
}

ImageEffect::~ImageEffect() {
    Registry<ImageEffect>::remove(this);
    std::vector<Image*> images;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        images.swap(liveImages_);
    }
    for (Image* image : images) delete image;
    magic_ = 0;
}

ImageEffect* ImageEffect::fromHandle(const void* handle) {
    if (handle == nullptr || !Registry<ImageEffect>::contains(handle)) return nullptr;
    auto* e = static_cast<ImageEffect*>(const_cast<void*>(handle));
    return e->magic_ == kMagic ? e : nullptr;
}

void ImageEffect::defineDescriptorProperties() {
    props_.defineString(kOfxPropType, {kOfxTypeImageEffect}, true);
    props_.defineString(kOfxPropLabel, {""});
    props_.defineString(kOfxPropShortLabel, {""});
    props_.defineString(kOfxPropLongLabel, {""});
    props_.defineInt(kOfxPropVersion, {}, false, 0);
    props_.defineString(kOfxPropVersionLabel, {""});
    props_.defineString(kOfxPropPluginDescription, {""});
    props_.defineString(kOfxPropIcon, {"", ""});
    props_.defineString(kOfxImageEffectPropSupportedContexts, {}, false, 0);
    props_.defineString(kOfxImageEffectPluginPropGrouping, {""});
    props_.defineInt(kOfxImageEffectPluginPropSingleInstance, {0});
    props_.defineString(kOfxImageEffectPluginRenderThreadSafety, {kOfxImageEffectRenderInstanceSafe});
    props_.defineInt(kOfxImageEffectPluginPropHostFrameThreading, {1});
    props_.definePointer(kOfxImageEffectPluginPropOverlayInteractV1, {nullptr});
    props_.definePointer(kOfxImageEffectPluginPropOverlayInteractV2, {nullptr});
    props_.defineInt(kOfxImageEffectPropSupportsMultiResolution, {1});
    props_.defineInt(kOfxImageEffectPropSupportsTiles, {1});
    props_.defineInt(kOfxImageEffectPropTemporalClipAccess, {0});
    props_.defineString(kOfxImageEffectPropSupportedPixelDepths, {}, false, 0);
    props_.defineInt(kOfxImageEffectPluginPropFieldRenderTwiceAlways, {1});
    props_.defineInt(kOfxImageEffectPropSupportsMultipleClipDepths, {0});
    props_.defineInt(kOfxImageEffectPropSupportsMultipleClipPARs, {0});
    props_.defineString(kOfxImageEffectPropClipPreferencesSlaveParam, {}, false, 0);
    props_.defineString(kOfxImageEffectPropNoSpatialAwareness, {"false"});
    props_.defineString(kOfxPluginPropFilePath, {plugin_.binary().bundlePath()}, true);
}

const FrameSource* ImageEffect::primaryInput() const {
    auto it = setup_.inputs.find(kOfxImageEffectSimpleSourceClipName);
    if (it != setup_.inputs.end()) return it->second;
    return setup_.inputs.empty() ? nullptr : setup_.inputs.begin()->second;
}

void ImageEffect::setupInstance(ImageEffect& descriptor, const InstanceSetup& setup) {
    setup_ = setup;
    outputFill = setup.outputFill;
    const FrameSource* input = primaryInput();
    const double w = input ? input->width() : 0, h = input ? input->height() : 0;
    const double frames = input ? input->frameCount() : 0;
    const double fps = input ? input->fps() : 25.0;
    const bool ro = true;

    props_.copyFrom(descriptor.props(), 1);
    props_.defineString(kOfxPropType, {kOfxTypeImageEffectInstance}, ro);
    props_.defineString(kOfxImageEffectPropContext, {context_}, ro);
    props_.definePointer(kOfxPropInstanceData, {nullptr});
    props_.defineDouble(kOfxImageEffectPropProjectSize, {w, h}, ro);
    props_.defineDouble(kOfxImageEffectPropProjectOffset, {0.0, 0.0}, ro);
    props_.defineDouble(kOfxImageEffectPropProjectExtent, {w, h}, ro);
    props_.defineDouble(kOfxImageEffectPropProjectPixelAspectRatio, {1.0}, ro);
    props_.defineDouble(kOfxImageEffectInstancePropEffectDuration, {frames}, ro);
    props_.defineInt(kOfxImageEffectInstancePropSequentialRender, {0});
    props_.setReadOnly(kOfxImageEffectPropSupportsTiles, false);
    props_.defineDouble(kOfxImageEffectPropFrameRate, {fps}, ro);
    props_.defineInt(kOfxPropIsInteractive, {setup.interactive ? 1 : 0}, ro);
    props_.definePointer(kOfxImageEffectPropPluginHandle, {plugin_.descriptor() ? static_cast<void*>(plugin_.descriptor()->handle()) : nullptr}, ro);

    PropertySet& host = Host::get().props();
    params_->hostAnimatesStrings = host.getInt(kOfxParamHostPropSupportsStringAnimation) != 0;
    params_->hostAnimatesBooleans = host.getInt(kOfxParamHostPropSupportsBooleanAnimation) != 0;
    params_->hostAnimatesChoices = host.getInt(kOfxParamHostPropSupportsChoiceAnimation) != 0;
    params_->hostAnimatesCustom = host.getInt(kOfxParamHostPropSupportsCustomAnimation) != 0;
    params_->instantiateFrom(descriptor.params());
    if (setup.copyParamsFrom != nullptr) {
        for (const auto& p : params_->params())
            if (Param* from = setup.copyParamsFrom->param(p->name())) p->copyValuesFrom(*from);
    }
    params_->onPluginChange = [this](const std::string& name) { queuePluginEdit(name); };

    for (Clip* d : descriptor.clips()) {
        auto c = std::make_unique<Clip>(*this, d->name(), false);
        c->props().copyFrom(d->props(), 1);
        auto in = setup.inputs.find(d->name());
        c->frames = d->isOutput() ? input : (in != setup.inputs.end() ? in->second : nullptr);
        c->depth = setup.layout.depth;
        const FrameSource* f = c->frames;
        const double last = f ? f->frameCount() - 1 : 0;
        const double rate = f ? f->fps() : fps;
        const char* depth = f ? depthName(c->depth) : kOfxBitDepthNone;
        const char* comps = f ? kOfxImageComponentRGBA : kOfxImageComponentNone;
        c->props().defineString(kOfxImageEffectPropPixelDepth, {depth}, ro);
        c->props().defineString(kOfxImageEffectPropComponents, {comps}, ro);
        c->props().defineString(kOfxImageClipPropUnmappedPixelDepth, {depth}, ro);
        c->props().defineString(kOfxImageClipPropUnmappedComponents, {comps}, ro);
        c->props().defineString(kOfxImageEffectPropPreMultiplication, {kOfxImageOpaque}, ro);
        c->props().defineDouble(kOfxImagePropPixelAspectRatio, {1.0}, ro);
        c->props().defineDouble(kOfxImageEffectPropFrameRate, {rate}, ro);
        c->props().defineDouble(kOfxImageEffectPropFrameRange, {0.0, last}, ro);
        c->props().defineString(kOfxImageClipPropFieldOrder, {kOfxImageFieldNone}, ro);
        c->props().defineInt(kOfxImageClipPropConnected, {f ? 1 : 0}, ro);
        c->props().defineDouble(kOfxImageEffectPropUnmappedFrameRange, {0.0, last}, ro);
        c->props().defineDouble(kOfxImageEffectPropUnmappedFrameRate, {rate}, ro);
        c->props().defineInt(kOfxImageClipPropContinuousSamples, {0}, ro);
        clips_.push_back(std::move(c));
    }
}

Clip* ImageEffect::clip(const std::string& name) {
    for (auto& c : clips_)
        if (c->name() == name) return c.get();
    return nullptr;
}

std::vector<Clip*> ImageEffect::clips() {
    std::vector<Clip*> out;
    for (auto& c : clips_) out.push_back(c.get());
    return out;
}

int ImageEffect::liveImages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(liveImages_.size());
}

OfxStatus ImageEffect::action(const char* name, PropertySet* inArgs, PropertySet* outArgs) {
    ++actionDepth_;
    const OfxStatus st = plugin_.callAction(name, handle(), inArgs, outArgs);
    --actionDepth_;
    if (instance_ && actionDepth_ == 0 && std::strcmp(name, kOfxActionDestroyInstance) != 0) deliverPluginEdits();
    return st;
}

void ImageEffect::queuePluginEdit(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!pendingEdits_.empty() && pendingEdits_.back() == name) return;
    pendingEdits_.push_back(name);
}

void ImageEffect::deliverPluginEdits() {
    if (delivering_) return;
    delivering_ = true;
    const int kRounds = 8;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::string> batch;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            batch.swap(pendingEdits_);
        }
        if (batch.empty()) break;
        PropertySet bracket("instance changed bracket arguments");
        bracket.defineString(kOfxPropChangeReason, {kOfxChangePluginEdited}, true);
        action(kOfxActionBeginInstanceChanged, &bracket);
        for (const auto& name : batch) {
            PropertySet in("instance changed arguments");
            in.defineString(kOfxPropType, {kOfxTypeParameter}, true);
            in.defineString(kOfxPropName, {name}, true);
            in.defineString(kOfxPropChangeReason, {kOfxChangePluginEdited}, true);
            in.defineDouble(kOfxPropTime, {currentTime()}, true);
            in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
            const OfxStatus st = action(kOfxActionInstanceChanged, &in);
            if (st != kOfxStatOK && st != kOfxStatReplyDefault)
                Diagnostics::get().warning("InstanceChanged(" + name + ", plugin edited) returned " + statusName(st));
            std::lock_guard<std::mutex> lock(mutex_);
            deliveredEdits_.push_back(name);
        }
        action(kOfxActionEndInstanceChanged, &bracket);
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!pendingEdits_.empty()) {
            Diagnostics::get().violation("the plugin keeps changing parameters in answer to its own changes ('" + pendingEdits_.front() + "')");
            pendingEdits_.clear();
        }
    }
    delivering_ = false;
}

std::vector<std::string> ImageEffect::pluginEditedParams() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return deliveredEdits_;
}

OfxStatus ImageEffect::userEdited(const std::string& param, double time) {
    setCurrentTime(time);
    PropertySet bracket("instance changed bracket arguments");
    bracket.defineString(kOfxPropChangeReason, {kOfxChangeUserEdited}, true);
    action(kOfxActionBeginInstanceChanged, &bracket);
    PropertySet in("instance changed arguments");
    in.defineString(kOfxPropType, {kOfxTypeParameter}, true);
    in.defineString(kOfxPropName, {param}, true);
    in.defineString(kOfxPropChangeReason, {kOfxChangeUserEdited}, true);
    in.defineDouble(kOfxPropTime, {time}, true);
    in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
    ++actionDepth_;  // the edits the plugin makes now are delivered after the whole bracket
    const OfxStatus st = action(kOfxActionInstanceChanged, &in);
    action(kOfxActionEndInstanceChanged, &bracket);
    --actionDepth_;
    deliverPluginEdits();
    return st;
}

OfxStatus ImageEffect::syncPrivateData() { return action(kOfxActionSyncPrivateData); }

OfxStatus ImageEffect::getClipPreferences() {
    PropertySet out("clip preferences arguments");
    for (Clip* c : clips()) {
        const bool connected = c->frames != nullptr;
        out.defineString(clipPrefName("OfxImageClipPropComponents_", c->name()), {connected ? kOfxImageComponentRGBA : kOfxImageComponentNone});
        out.defineString(clipPrefName("OfxImageClipPropDepth_", c->name()), {connected ? depthName(setup_.layout.depth) : kOfxBitDepthNone});
        out.defineDouble(clipPrefName("OfxImageClipPropPAR_", c->name()), {1.0});
    }
    const FrameSource* input = primaryInput();
    out.defineDouble(kOfxImageEffectPropFrameRate, {input ? input->fps() : 25.0});
    out.defineString(kOfxImageClipPropFieldOrder, {kOfxImageFieldNone});
    out.defineString(kOfxImageEffectPropPreMultiplication, {kOfxImageOpaque});
    out.defineInt(kOfxImageClipPropContinuousSamples, {0});
    out.defineInt(kOfxImageEffectFrameVarying, {0});
    const OfxStatus st = action(kOfxImageEffectActionGetClipPreferences, nullptr, &out);
    if (st != kOfxStatOK && st != kOfxStatReplyDefault) return st;

    const auto pluginDepths = props_.getStrings(kOfxImageEffectPropSupportedPixelDepths);
    std::string chosen;
    for (Clip* c : clips()) {
        if (c->frames == nullptr) continue;
        const std::string depth = out.getString(clipPrefName("OfxImageClipPropDepth_", c->name()));
        const std::string comps = out.getString(clipPrefName("OfxImageClipPropComponents_", c->name()));
        PixelDepth d;
        if (!depthFromName(depth, &d)) {
            Diagnostics::get().violation("clip preferences: unsupported depth '" + depth + "' for clip " + c->name());
            continue;
        }
        bool pluginSupports = pluginDepths.empty();
        for (const auto& s : pluginDepths) pluginSupports |= s == depth;
        if (!pluginSupports)
            Diagnostics::get().violation("clip preferences: depth " + depth + " for clip " + c->name() + " is not among the plugin's supported depths");
        if (!chosen.empty() && chosen != depth)
            Diagnostics::get().violation("clip preferences ask for several depths, but the host said it supports one per effect");
        chosen = depth;
        if (comps != kOfxImageComponentRGBA && comps != kOfxImageComponentAlpha)
            Diagnostics::get().violation("clip preferences: unsupported components '" + comps + "' for clip " + c->name());
        c->depth = d;
        c->props().setString(kOfxImageEffectPropPixelDepth, 0, depth);
        c->props().setString(kOfxImageEffectPropComponents, 0, comps);
    }
    const std::string premult = out.getString(kOfxImageEffectPropPreMultiplication);
    if (Clip* output = clip(kOfxImageEffectOutputClipName)) output->props().setString(kOfxImageEffectPropPreMultiplication, 0, premult);
    return st;
}

OfxStatus ImageEffect::getRegionOfDefinition(double time, OfxRectD* rod) {
    const FrameSource* input = primaryInput();
    const double w = input ? input->width() : 0, h = input ? input->height() : 0;
    PropertySet in("region of definition arguments");
    in.defineDouble(kOfxPropTime, {time}, true);
    in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
    PropertySet out("region of definition results");
    out.defineDouble(kOfxImageEffectPropRegionOfDefinition, {0.0, 0.0, w, h});
    const OfxStatus st = action(kOfxImageEffectActionGetRegionOfDefinition, &in, &out);
    if (rod != nullptr) {
        rod->x1 = out.getDouble(kOfxImageEffectPropRegionOfDefinition, 0);
        rod->y1 = out.getDouble(kOfxImageEffectPropRegionOfDefinition, 1);
        rod->x2 = out.getDouble(kOfxImageEffectPropRegionOfDefinition, 2);
        rod->y2 = out.getDouble(kOfxImageEffectPropRegionOfDefinition, 3);
    }
    return st;
}

static void sequenceArgs(PropertySet& in, double first, double last, bool interactive) {
    in.defineDouble(kOfxImageEffectPropFrameRange, {first, last}, true);
    in.defineDouble(kOfxImageEffectPropFrameStep, {1.0}, true);
    in.defineInt(kOfxPropIsInteractive, {interactive ? 1 : 0}, true);
    in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
    in.defineInt(kOfxImageEffectPropSequentialRenderStatus, {1}, true);
    in.defineInt(kOfxImageEffectPropInteractiveRenderStatus, {interactive ? 1 : 0}, true);
}

OfxStatus ImageEffect::beginSequenceRender(double first, double last) {
    PropertySet in("begin sequence render arguments");
    sequenceArgs(in, first, last, setup_.interactive);
    return action(kOfxImageEffectActionBeginSequenceRender, &in);
}

OfxStatus ImageEffect::endSequenceRender(double first, double last) {
    PropertySet in("end sequence render arguments");
    sequenceArgs(in, first, last, setup_.interactive);
    return action(kOfxImageEffectActionEndSequenceRender, &in);
}

RenderOutcome ImageEffect::render(double time) {
    RenderOutcome outcome;
    setCurrentTime(time);
    const FrameSource* input = primaryInput();
    if (input == nullptr) return outcome;
    const int w = input->width(), h = input->height();
    const double wd = w, hd = h;

    {  // Regions of interest, as a tiling host asks before fetching inputs.
        PropertySet in("regions of interest arguments");
        in.defineDouble(kOfxPropTime, {time}, true);
        in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
        in.defineDouble(kOfxImageEffectPropRegionOfInterest, {0.0, 0.0, wd, hd}, true);
        PropertySet out("regions of interest results");
        for (Clip* c : clips())
            if (!c->isOutput()) out.defineDouble(clipPrefName("OfxImageClipPropRoI_", c->name()), {0.0, 0.0, wd, hd});
        const OfxStatus st = action(kOfxImageEffectActionGetRegionsOfInterest, &in, &out);
        if (st != kOfxStatOK && st != kOfxStatReplyDefault)
            Diagnostics::get().warning("GetRegionsOfInterest returned " + statusName(st));
    }
    {  // Frames needed.
        PropertySet in("frames needed arguments");
        in.defineDouble(kOfxPropTime, {time}, true);
        PropertySet out("frames needed results");
        for (Clip* c : clips())
            if (!c->isOutput()) out.defineDouble(clipPrefName("OfxImageClipPropFrameRange_", c->name()), {time, time}, false, 0);
        const OfxStatus st = action(kOfxImageEffectActionGetFramesNeeded, &in, &out);
        if (st != kOfxStatOK && st != kOfxStatReplyDefault)
            Diagnostics::get().warning("GetFramesNeeded returned " + statusName(st));
        for (Clip* c : clips())
            if (!c->isOutput()) {
                const auto range = out.getDoubles(clipPrefName("OfxImageClipPropFrameRange_", c->name()));
                if (range.size() % 2 != 0 || range.empty())
                    Diagnostics::get().violation("GetFramesNeeded gave " + std::to_string(range.size()) + " values for clip '" + c->name() + "' (pairs needed)");
                outcome.framesNeeded[c->name()] = range;
            }
    }
    {  // Identity: a host passes the named input through instead of rendering.
        PropertySet in("is identity arguments");
        in.defineDouble(kOfxPropTime, {time}, true);
        in.defineString(kOfxImageEffectPropFieldToRender, {kOfxImageFieldNone}, true);
        in.defineInt(kOfxImageEffectPropRenderWindow, {0, 0, w, h}, true);
        in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
        PropertySet out("is identity results");
        out.defineString(kOfxPropName, {""});
        out.defineDouble(kOfxPropTime, {time});
        const OfxStatus st = action(kOfxImageEffectActionIsIdentity, &in, &out);
        if (st == kOfxStatOK) {
            outcome.identity = true;
            outcome.identityClip = out.getString(kOfxPropName);
            outcome.identityTime = out.getDouble(kOfxPropTime);
            Clip* from = clip(outcome.identityClip);
            ImageLayout layout = setup_.layout;
            if (Clip* o = clip(kOfxImageEffectOutputClipName)) layout.depth = o->depth;
            outcome.output = std::make_shared<ImageBuffer>(w, h, layout);
            const int frame = static_cast<int>(std::lround(outcome.identityTime));
            if (from && from->frames && frame >= 0 && frame < from->frames->frameCount()) {
                outcome.output->fillFromTopDownRGBA8(from->frames->frame(frame));
                outcome.status = kOfxStatOK;
            } else {
                Diagnostics::get().violation("IsIdentity named clip '" + outcome.identityClip + "' at time " + std::to_string(outcome.identityTime) + ", which the host cannot pass through");
                outcome.status = kOfxStatFailed;
            }
            return outcome;
        }
        if (st != kOfxStatReplyDefault) Diagnostics::get().warning("IsIdentity returned " + statusName(st));
    }

    ImageLayout layout = setup_.layout;
    if (Clip* o = clip(kOfxImageEffectOutputClipName)) layout.depth = o->depth;
    auto output = std::make_shared<ImageBuffer>(w, h, layout);
    output->fill(outputFill);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        renderOutputs_[time] = output;
    }
    const int imagesBefore = liveImages();
    PropertySet in("render arguments");
    in.defineDouble(kOfxPropTime, {time}, true);
    in.defineString(kOfxImageEffectPropFieldToRender, {kOfxImageFieldNone}, true);
    in.defineInt(kOfxImageEffectPropRenderWindow, {0, 0, w, h}, true);
    in.defineDouble(kOfxImageEffectPropRenderScale, {1.0, 1.0}, true);
    in.defineInt(kOfxImageEffectPropSequentialRenderStatus, {0}, true);
    in.defineInt(kOfxImageEffectPropInteractiveRenderStatus, {setup_.interactive ? 1 : 0}, true);
    in.defineInt(kOfxImageEffectPropRenderQualityDraft, {0}, true);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        hostImageSeconds_ = 0.0;
    }
    const auto start = std::chrono::steady_clock::now();
    outcome.status = action(kOfxImageEffectActionRender, &in);
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        outcome.hostImageSeconds = hostImageSeconds_;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        renderOutputs_.erase(time);
    }
    outcome.imagesNotReleased = liveImages() - imagesBefore;
    if (outcome.imagesNotReleased > 0)
        Diagnostics::get().violation(std::to_string(outcome.imagesNotReleased) + " image(s) fetched during a render were not released by its end");
    outcome.guardsIntact = output->guardsIntact();
    if (!outcome.guardsIntact) Diagnostics::get().violation("the plugin wrote outside the output image's memory");
    outcome.output = output;
    return outcome;
}

OfxStatus ImageEffect::ofxClipDefine(const char* name, OfxPropertySetHandle* props) {
    if (name == nullptr) return kOfxStatErrValue;
    if (instance_ || context_.empty()) {
        Diagnostics::get().violation(std::string("clipDefine('") + name + "') outside describe-in-context");
        return kOfxStatErrUnsupported;
    }
    if (clip(name) != nullptr) {
        Diagnostics::get().violation(std::string("clipDefine('") + name + "') twice");
        return kOfxStatErrExists;
    }
    clips_.push_back(std::make_unique<Clip>(*this, name, true));
    if (props != nullptr) *props = clips_.back()->props().handle();
    return kOfxStatOK;
}

OfxStatus ImageEffect::ofxClipGetHandle(const char* name, OfxImageClipHandle* out, OfxPropertySetHandle* props) {
    if (name == nullptr || out == nullptr) return kOfxStatErrValue;
    if (!instance_) Diagnostics::get().warning(std::string("clipGetHandle('") + name + "') on a descriptor");
    Clip* c = clip(name);
    if (c == nullptr) {
        Diagnostics::get().warning(std::string("clipGetHandle('") + name + "'): no such clip");
        return kOfxStatErrUnknown;
    }
    *out = c->handle();
    if (props != nullptr) *props = c->props().handle();
    return kOfxStatOK;
}

OfxStatus ImageEffect::ofxClipGetImage(Clip& c, double time, const OfxRectD*, OfxPropertySetHandle* image) {
    const auto started = std::chrono::steady_clock::now();
    struct Timed {
        ImageEffect& self;
        std::chrono::steady_clock::time_point started;
        ~Timed() {
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::lock_guard<std::mutex> lock(self.mutex_);
            self.hostImageSeconds_ += s;
        }
    } timed{*this, started};
    if (image == nullptr) return kOfxStatErrValue;
    *image = nullptr;
    if (!instance_) {
        Diagnostics::get().violation("clipGetImage on a descriptor's clip");
        return kOfxStatErrBadHandle;
    }
    if (ActionScope::current().empty())
        Diagnostics::get().warning("clipGetImage('" + c.name() + "') outside any action (from a plugin thread)");
    if (onClipGetImage) onClipGetImage(c, time);
    if (refuseClipGetImage && refuseClipGetImage(c, time)) return kOfxStatFailed;

    std::shared_ptr<ImageBuffer> buffer;
    std::string uid;
    if (c.isOutput()) {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& entry : renderOutputs_)
            if (std::fabs(entry.first - time) < kTimeEpsilon) buffer = entry.second;
        if (!buffer) {
            Diagnostics::get().warning("clipGetImage('Output') at time " + std::to_string(time) + " outside a render of that time");
            return kOfxStatFailed;
        }
        uid = "Output@" + std::to_string(time);
    } else {
        if (c.frames == nullptr) return kOfxStatFailed;
        const long frame = std::lround(time);
        if (frame < 0 || frame >= c.frames->frameCount()) return kOfxStatFailed;
        if (std::fabs(time - static_cast<double>(frame)) > kTimeEpsilon)
            Diagnostics::get().warning("clipGetImage at fractional time " + std::to_string(time) + " (continuous samples are off)");
        ImageLayout layout = setup_.layout;
        layout.depth = c.depth;
        buffer = std::make_shared<ImageBuffer>(c.frames->width(), c.frames->height(), layout);
        buffer->fillFromTopDownRGBA8(c.frames->frame(static_cast<int>(frame)));
        uid = c.name() + "@" + std::to_string(frame) + "/" + depthName(c.depth);
    }
    auto* img = new Image(c, time, buffer, uid);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        liveImages_.push_back(img);
    }
    *image = img->props().handle();
    return kOfxStatOK;
}

void ImageEffect::imageReleased(Image* image) {
    const auto started = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = liveImages_.begin(); it != liveImages_.end(); ++it)
            if (*it == image) {
                liveImages_.erase(it);
                break;
            }
    }
    delete image;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard<std::mutex> lock(mutex_);
    hostImageSeconds_ += s;
}

// ---------------------------------------------------------------------------------------------------------------
// The image effect suite

namespace {

ImageEffect* resolveEffect(OfxImageEffectHandle h, const char* fn) {
    ImageEffect* e = ImageEffect::fromHandle(h);
    if (e == nullptr) Diagnostics::get().violation(std::string(fn) + " on a bad image effect handle");
    return e;
}

Clip* resolveClip(OfxImageClipHandle h, const char* fn) {
    Clip* c = Clip::fromHandle(h);
    if (c == nullptr) Diagnostics::get().violation(std::string(fn) + " on a bad clip handle");
    return c;
}

OfxStatus getPropertySet(OfxImageEffectHandle effect, OfxPropertySetHandle* props) {
    ImageEffect* e = resolveEffect(effect, "getPropertySet");
    if (e == nullptr) return kOfxStatErrBadHandle;
    if (props == nullptr) return kOfxStatErrValue;
    *props = e->props().handle();
    return kOfxStatOK;
}

OfxStatus getParamSet(OfxImageEffectHandle effect, OfxParamSetHandle* params) {
    ImageEffect* e = resolveEffect(effect, "getParamSet");
    if (e == nullptr) return kOfxStatErrBadHandle;
    if (params == nullptr) return kOfxStatErrValue;
    *params = e->params().handle();
    return kOfxStatOK;
}

OfxStatus clipDefine(OfxImageEffectHandle effect, const char* name, OfxPropertySetHandle* props) {
    ImageEffect* e = resolveEffect(effect, "clipDefine");
    return e ? e->ofxClipDefine(name, props) : kOfxStatErrBadHandle;
}

OfxStatus clipGetHandle(OfxImageEffectHandle effect, const char* name, OfxImageClipHandle* clip, OfxPropertySetHandle* props) {
    ImageEffect* e = resolveEffect(effect, "clipGetHandle");
    return e ? e->ofxClipGetHandle(name, clip, props) : kOfxStatErrBadHandle;
}

OfxStatus clipGetPropertySet(OfxImageClipHandle clip, OfxPropertySetHandle* props) {
    Clip* c = resolveClip(clip, "clipGetPropertySet");
    if (c == nullptr) return kOfxStatErrBadHandle;
    if (props == nullptr) return kOfxStatErrValue;
    *props = c->props().handle();
    return kOfxStatOK;
}

OfxStatus clipGetImage(OfxImageClipHandle clip, OfxTime time, const OfxRectD* region, OfxPropertySetHandle* image) {
    Clip* c = resolveClip(clip, "clipGetImage");
    return c ? c->owner().ofxClipGetImage(*c, time, region, image) : kOfxStatErrBadHandle;
}

OfxStatus clipReleaseImage(OfxPropertySetHandle image) {
    Image* img = Image::fromHandle(image);
    if (img == nullptr) {
        Diagnostics::get().violation("clipReleaseImage on a handle that is not a live image (released twice?)");
        return kOfxStatErrBadHandle;
    }
    img->clip().owner().imageReleased(img);
    return kOfxStatOK;
}

OfxStatus clipGetRegionOfDefinition(OfxImageClipHandle clip, OfxTime, OfxRectD* bounds) {
    Clip* c = resolveClip(clip, "clipGetRegionOfDefinition");
    if (c == nullptr) return kOfxStatErrBadHandle;
    if (bounds == nullptr) return kOfxStatErrValue;
    const FrameSource* f = c->frames ? c->frames : c->owner().primaryInput();
    if (f == nullptr) return kOfxStatFailed;
    *bounds = OfxRectD{0.0, 0.0, static_cast<double>(f->width()), static_cast<double>(f->height())};
    return kOfxStatOK;
}

int abortEffect(OfxImageEffectHandle effect) {
    ImageEffect* e = resolveEffect(effect, "abort");
    return e && e->abortFlag.load() ? 1 : 0;
}

OfxStatus imageMemoryAlloc(OfxImageEffectHandle effect, size_t bytes, OfxImageMemoryHandle* memory) {
    if (effect != nullptr && ImageEffect::fromHandle(effect) == nullptr)
        Diagnostics::get().violation("imageMemoryAlloc with a bad image effect handle");
    if (memory == nullptr) return kOfxStatErrValue;
    auto* block = new ImageMemoryBlock;
    try {
        block->bytes.resize(bytes ? bytes : 1);
    } catch (...) {
        delete block;
        return kOfxStatErrMemory;
    }
    Registry<ImageMemoryBlock>::add(block);
    {
        std::lock_guard<std::mutex> lock(gImageMemoryMutex);
        ++gImageMemoryLive;
    }
    *memory = reinterpret_cast<OfxImageMemoryHandle>(block);
    return kOfxStatOK;
}

ImageMemoryBlock* resolveMemory(OfxImageMemoryHandle h, const char* fn) {
    if (h == nullptr || !Registry<ImageMemoryBlock>::contains(h)) {
        Diagnostics::get().violation(std::string(fn) + " on a bad image memory handle");
        return nullptr;
    }
    return reinterpret_cast<ImageMemoryBlock*>(h);
}

OfxStatus imageMemoryFree(OfxImageMemoryHandle memory) {
    ImageMemoryBlock* block = resolveMemory(memory, "imageMemoryFree");
    if (block == nullptr) return kOfxStatErrBadHandle;
    if (block->locks != 0) Diagnostics::get().warning("imageMemoryFree on a block that is still locked");
    Registry<ImageMemoryBlock>::remove(block);
    {
        std::lock_guard<std::mutex> lock(gImageMemoryMutex);
        --gImageMemoryLive;
    }
    delete block;
    return kOfxStatOK;
}

OfxStatus imageMemoryLock(OfxImageMemoryHandle memory, void** ptr) {
    ImageMemoryBlock* block = resolveMemory(memory, "imageMemoryLock");
    if (block == nullptr) return kOfxStatErrBadHandle;
    if (ptr == nullptr) return kOfxStatErrValue;
    ++block->locks;
    *ptr = block->bytes.data();
    return kOfxStatOK;
}

OfxStatus imageMemoryUnlock(OfxImageMemoryHandle memory) {
    ImageMemoryBlock* block = resolveMemory(memory, "imageMemoryUnlock");
    if (block == nullptr) return kOfxStatErrBadHandle;
    if (block->locks == 0) {
        Diagnostics::get().violation("imageMemoryUnlock on a block that is not locked");
        return kOfxStatErrValue;
    }
    --block->locks;
    return kOfxStatOK;
}

const OfxImageEffectSuiteV1 kImageEffectSuite = {
    getPropertySet, getParamSet, clipDefine, clipGetHandle, clipGetPropertySet, clipGetImage, clipReleaseImage,
    clipGetRegionOfDefinition, abortEffect, imageMemoryAlloc, imageMemoryFree, imageMemoryLock, imageMemoryUnlock,
};

}  // namespace

const OfxImageEffectSuiteV1* imageEffectSuite() { return &kImageEffectSuite; }

}  // namespace ofxtest
