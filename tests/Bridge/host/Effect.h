// Image effects as a host keeps them: the plugin's descriptors (general and per context), effect instances with
// their clips and parameters, the images handed out by clipGetImage, and the actions a host sends.
#pragma once

#include "FrameSource.h"
#include "ImageBuffer.h"
#include "Ofx.h"
#include "Param.h"
#include "PropertySet.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ofxtest {

class ImageEffect;
class LoadedPlugin;

class Clip {
public:
    Clip(ImageEffect& owner, std::string name, bool descriptor);
    ~Clip();
    Clip(const Clip&) = delete;
    Clip& operator=(const Clip&) = delete;

    OfxImageClipHandle handle() { return reinterpret_cast<OfxImageClipHandle>(this); }
    static Clip* fromHandle(OfxImageClipHandle handle);

    const std::string& name() const { return name_; }
    bool isOutput() const { return name_ == kOfxImageEffectOutputClipName; }
    ImageEffect& owner() { return owner_; }
    PropertySet& props() { return props_; }

    // Instances only: the frames of an input clip (null: not connected), the depth images are delivered in.
    const FrameSource* frames = nullptr;
    PixelDepth depth = PixelDepth::Byte;

private:
    static constexpr std::uint32_t kMagic = 0x434c4950;  // "CLIP"
    std::uint32_t magic_ = kMagic;
    ImageEffect& owner_;
    std::string name_;
    PropertySet props_;
};

// One image handed to the plugin: its property set is the handle.
class Image {
public:
    Image(Clip& clip, double time, std::shared_ptr<ImageBuffer> buffer, const std::string& uniqueId);
    ~Image();
    static Image* fromHandle(OfxPropertySetHandle handle);
    PropertySet& props() { return props_; }
    Clip& clip() { return clip_; }
    double time() const { return time_; }

private:
    Clip& clip_;
    double time_;
    std::shared_ptr<ImageBuffer> buffer_;
    PropertySet props_;
};

struct InstanceSetup {
    // Frames for each input clip by name (normally just "Source"); every clip's time runs 0..frameCount-1.
    std::map<std::string, const FrameSource*> inputs;
    ImageLayout layout;               // depth offered to the plugin (the clips' unmapped depth) and row layout
    bool interactive = false;         // kOfxPropIsInteractive
    ImageEffect* copyParamsFrom = nullptr;  // a "duplicated" / reloaded instance: values set before CreateInstance
    // What the output image holds before the plugin renders into it.
    std::uint8_t outputFill = 0;
};

struct RenderOutcome {
    OfxStatus status = kOfxStatFailed;
    std::shared_ptr<ImageBuffer> output;  // the host's output image after the render
    bool identity = false;                // the plugin asked for its input to be passed through (IsIdentity)
    std::string identityClip;
    double identityTime = 0.0;
    bool guardsIntact = true;             // nothing written outside the output image's memory
    int imagesNotReleased = 0;            // images fetched in this render and not released when it returned
    double seconds = 0.0;
    // Of those, the time spent in the host's own image calls (clipGetImage making a Source image, clipReleaseImage):
    // what any plugin pays for the images it asks for.
    double hostImageSeconds = 0.0;
    // What GetFramesNeeded answered for each input clip (first, last time); the host's default (time, time) when
    // the plugin left it.
    std::map<std::string, std::vector<double>> framesNeeded;
};

class ImageEffect {
public:
    // Descriptor (general or in a context) or instance.
    ImageEffect(LoadedPlugin& plugin, bool instance, std::string context);
    ~ImageEffect();
    ImageEffect(const ImageEffect&) = delete;
    ImageEffect& operator=(const ImageEffect&) = delete;

    OfxImageEffectHandle handle() { return reinterpret_cast<OfxImageEffectHandle>(this); }
    static ImageEffect* fromHandle(const void* handle);

    bool isInstance() const { return instance_; }
    const std::string& context() const { return context_; }
    LoadedPlugin& plugin() { return plugin_; }
    PropertySet& props() { return props_; }
    ParamSet& params() { return *params_; }
    Clip* clip(const std::string& name);
    std::vector<Clip*> clips();
    Param* param(const std::string& name) { return params_->find(name); }
    void* instanceData() const { return props_.getPointer(kOfxPropInstanceData); }

    double currentTime() const { return currentTime_.load(); }
    void setCurrentTime(double t) { currentTime_.store(t); }
    std::atomic<bool> abortFlag{false};
    // Called from clipGetImage (before the image is made) on whatever thread the plugin uses.
    std::function<void(Clip&, double)> onClipGetImage;
    // Asked after onClipGetImage: true makes clipGetImage fail (kOfxStatFailed), as a host that cannot give that
    // frame would.
    std::function<bool(Clip&, double)> refuseClipGetImage;
    std::uint8_t outputFill = 0;

    // ---- Actions (instances). Each returns the plugin's status.
    OfxStatus action(const char* name, PropertySet* inArgs = nullptr, PropertySet* outArgs = nullptr);
    OfxStatus getClipPreferences();
    OfxStatus getRegionOfDefinition(double time, OfxRectD* rod);
    OfxStatus beginSequenceRender(double first, double last);
    OfxStatus endSequenceRender(double first, double last);
    RenderOutcome render(double time);
    // A user edit of a parameter in the editor: Begin/InstanceChanged/End with kOfxChangeUserEdited.
    OfxStatus userEdited(const std::string& param, double time);
    OfxStatus syncPrivateData();
    // Delivers the parameter changes the plugin made (kOfxChangePluginEdited) that are still pending; called
    // after every action, and by tests that wait for work the plugin does on its own threads.
    void deliverPluginEdits();
    std::vector<std::string> pluginEditedParams() const;  // every name delivered so far, in order
    int liveImages() const;

    // Internal (suite implementation).
    OfxStatus ofxClipDefine(const char* name, OfxPropertySetHandle* props);
    OfxStatus ofxClipGetHandle(const char* name, OfxImageClipHandle* clip, OfxPropertySetHandle* props);
    OfxStatus ofxClipGetImage(Clip& clip, double time, const OfxRectD* region, OfxPropertySetHandle* image);
    void imageReleased(Image* image);
    void setupInstance(ImageEffect& descriptor, const InstanceSetup& setup);
    const InstanceSetup& setup() const { return setup_; }
    // How the host lays out the images of later renders: row order and padding (the depth stays the clips').
    void setImageLayout(bool negativeRowBytes, int rowPadding) {
        setup_.layout.negativeRowBytes = negativeRowBytes;
        setup_.layout.rowPadding = rowPadding;
    }
    const FrameSource* primaryInput() const;

private:
    void queuePluginEdit(const std::string& name);
    void defineDescriptorProperties();

    static constexpr std::uint32_t kMagic = 0x45464658;  // "EFFX"
    std::uint32_t magic_ = kMagic;
    LoadedPlugin& plugin_;
    bool instance_;
    std::string context_;
    PropertySet props_;
    std::unique_ptr<ParamSet> params_;
    std::vector<std::unique_ptr<Clip>> clips_;
    std::atomic<double> currentTime_{0.0};
    InstanceSetup setup_;

    mutable std::mutex mutex_;
    std::map<double, std::shared_ptr<ImageBuffer>> renderOutputs_;  // output images of renders in flight
    double hostImageSeconds_ = 0.0;  // time in clipGetImage / clipReleaseImage since the current render began
    std::vector<Image*> liveImages_;
    std::vector<std::string> pendingEdits_;
    std::vector<std::string> deliveredEdits_;
    int actionDepth_ = 0;
    bool delivering_ = false;
};

size_t liveImageMemoryBlocks();

}  // namespace ofxtest
