// Self-test of the OpenFX test host against MockDeid.ofx (built next to it): loading with and without
// OfxSetHost, the action sequence, a push button that reads the whole clip, keyframes, renders in every image
// layout and depth, fail-closed reporting, and clean teardown. Proves the host before it judges the real plugin.
//
//   host_selftest --bundle <MockDeid.ofx.bundle> [--no-ofxsethost]
#include "Diagnostics.h"
#include "Effect.h"
#include "FrameSource.h"
#include "Host.h"
#include "Plugin.h"
#include "TestSupport.h"

#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <string>

using namespace ofxtest;

namespace {

Checks checks;

// What MockDeid renders: Source with the colour channels inverted in the box while person1_anonymize is 1.
std::vector<std::uint8_t> expectedFrame(const FrameSource& src, int frame, bool hide) {
    std::vector<std::uint8_t> out(src.frame(frame), src.frame(frame) + src.frameBytes());
    if (!hide) return out;
    const int w = src.width(), h = src.height();
    for (int top = h / 4; top < h / 2; ++top)
        for (int x = w / 4; x < w / 2; ++x)
            for (int c = 0; c < 3; ++c) {
                std::uint8_t& v = out[(static_cast<size_t>(top) * w + x) * 4 + c];
                v = static_cast<std::uint8_t>(255 - v);
            }
    return out;
}

std::string layoutName(const ImageLayout& l) {
    std::string s = depthName(l.depth);
    s += l.negativeRowBytes ? ", negative row bytes" : ", positive row bytes";
    if (l.rowPadding) s += ", padded rows";
    return s;
}

// Renders the whole clip into top-down 8-bit frames; checks every render and compares with the expectation.
std::vector<std::vector<std::uint8_t>> renderAll(ImageEffect& fx, const FrameSource& src, int keyFrame) {
    std::vector<std::vector<std::uint8_t>> frames;
    const std::string what = layoutName(fx.setup().layout);
    bool allOk = true, allMatch = true, noIdentity = true, guards = true;
    checks.check(fx.beginSequenceRender(0, src.frameCount() - 1) == kOfxStatReplyDefault, what + ": BeginSequenceRender");
    for (int t = 0; t < src.frameCount(); ++t) {
        OfxRectD rod{};
        fx.getRegionOfDefinition(t, &rod);
        RenderOutcome r = fx.render(t);
        allOk &= r.status == kOfxStatOK;
        noIdentity &= !r.identity;
        guards &= r.guardsIntact;
        frames.push_back(r.output ? r.output->toTopDownRGBA8() : std::vector<std::uint8_t>());
        allMatch &= frames.back() == expectedFrame(src, t, t < keyFrame);
    }
    fx.endSequenceRender(0, src.frameCount() - 1);
    checks.check(allOk, what + ": every render returned kOfxStatOK");
    checks.check(noIdentity, what + ": no frame was passed through as identity");
    checks.check(guards, what + ": nothing written outside the output images");
    checks.check(allMatch, what + ": every output equals the expected picture (box hidden before frame " + std::to_string(keyFrame) + ")");
    return frames;
}

}  // namespace

int main(int argc, char** argv) {
    std::string bundle;
    bool callSetHost = true;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--bundle") && i + 1 < argc) bundle = argv[++i];
        else if (!std::strcmp(argv[i], "--no-ofxsethost")) callSetHost = false;
    }
    if (bundle.empty()) {
        std::fprintf(stderr, "usage: host_selftest --bundle <MockDeid.ofx.bundle> [--no-ofxsethost]\n");
        return 2;
    }
    std::printf("host self-test (%s OfxSetHost)\n", callSetHost ? "calling" : "not calling");

    // ---- Loading
    std::string error;
    auto binary = PluginBinary::open(bundle, callSetHost, &error);
    if (!checks.check(binary != nullptr, "dlopen the bundle's Contents/Linux-x86-64 binary" + (error.empty() ? "" : ": " + error)))
        return checks.finish("host_selftest");
    checks.check(binary->exportsOfxSetHost(), "the binary exports OfxSetHost");
    checks.check(binary->calledOfxSetHost() == callSetHost, callSetHost ? "OfxSetHost called" : "OfxSetHost not called");
    if (void* self = dlopen(binary->binaryPath().c_str(), RTLD_NOW | RTLD_NOLOAD)) {
        auto probe = reinterpret_cast<int (*)()>(dlsym(self, "MockOfxSetHostCalled"));
        checks.check(probe && probe() == (callSetHost ? 1 : 0), "the plugin saw OfxSetHost exactly when the host called it");
        dlclose(self);
    }
    checks.check(binary->pluginCount() == 1, "OfxGetNumberOfPlugins is 1");
    OfxPlugin* ofx = binary->plugin(0);
    checks.check(ofx && std::string(ofx->pluginApi) == kOfxImageEffectPluginApi && ofx->apiVersion == 1, "OfxGetPlugin(0) is an image effect, API 1");
    LoadedPlugin plugin(*binary, ofx);
    checks.check(plugin.load() == kOfxStatOK, "Load");
    checks.check(plugin.describe() == kOfxStatOK, "Describe");
    const auto contexts = plugin.descriptor()->props().getStrings(kOfxImageEffectPropSupportedContexts);
    checks.check(std::find(contexts.begin(), contexts.end(), kOfxImageEffectContextFilter) != contexts.end(), "Filter among the supported contexts");
    checks.check(plugin.describeInContext(kOfxImageEffectContextFilter) == kOfxStatOK, "DescribeInContext(Filter)");
    ImageEffect* desc = plugin.contextDescriptor(kOfxImageEffectContextFilter);
    checks.check(desc->clip("Source") && desc->clip("Output"), "Source and Output clips defined");
    for (const char* name : {"method", "strength", "analyze", "person1_label", "person1_anonymize", "analysis_path"})
        checks.check(desc->param(name) != nullptr, std::string("parameter '") + name + "' defined");

    // ---- Frames: synthetic, and a few decoded frames of the shared clip when it is there.
    auto synthetic = FrameSource::synthetic(64, 36, 12);
    const std::string clip = mediaDir(DEID_REPO_ROOT) + "/video/short_hamilton_clip.mp4";
    std::unique_ptr<FrameSource> decoded;
    if (fileExists(clip)) {
        decoded = FrameSource::decodeVideo(clip, &error, 20);
        checks.check(decoded && decoded->frameCount() == 20 && decoded->width() == 640 && decoded->height() == 360,
                     "ffmpeg decodes the shared clip to rgba (20 frames, 640x360)" + (decoded ? "" : ": " + error));
    } else {
        checks.note("shared clip not found at " + clip + "; decoding not tested");
    }
    const size_t allocationsBefore = Host::get().liveAllocations();

    for (const FrameSource* src : {synthetic.get(), decoded.get()}) {
        if (src == nullptr) continue;
        std::printf("frames %dx%d x %d\n", src->width(), src->height(), src->frameCount());
        const int key = src->frameCount() / 2;
        InstanceSetup setup;
        setup.inputs["Source"] = src;
        OfxStatus st;
        auto fx = plugin.createInstance(kOfxImageEffectContextFilter, setup, &st);
        checks.check(st == kOfxStatOK, "CreateInstance");
        checks.check(fx->instanceData() != nullptr, "the plugin set kOfxPropInstanceData on the instance");
        checks.check(fx->getClipPreferences() == kOfxStatReplyDefault, "GetClipPreferences (defaults)");

        // Analyze clip: a push button whose handler reads every frame of the clip.
        int fetched = 0;
        fx->onClipGetImage = [&](Clip& c, double) { fetched += c.name() == "Source" ? 1 : 0; };
        Host::get().clearRecords();
        checks.check(fx->userEdited("analyze", 0) == kOfxStatOK, "InstanceChanged(analyze, user edited)");
        fx->onClipGetImage = nullptr;
        checks.check(fetched == src->frameCount(), "the plugin fetched every frame of the clip (temporal access): " + std::to_string(fetched));
        const auto progress = Host::get().progress();
        checks.check(progress.size() == static_cast<size_t>(src->frameCount()) + 2 && progress.front().event == "start" &&
                         progress.back().event == "end" && progress[progress.size() - 2].value == 1.0,
                     "progress: start, one update per frame up to 1, end");
        checks.check(fx->param("person1_label")->value().text == "Person 1 (" + std::to_string(src->frameCount()) + " frames)",
                     "the plugin wrote person1_label");
        checks.check(!fx->param("analysis_path")->value().text.empty(), "the plugin wrote analysis_path");
        const auto edited = fx->pluginEditedParams();
        checks.check(std::find(edited.begin(), edited.end(), "analysis_path") != edited.end(),
                     "the host sent InstanceChanged(plugin edited) for the plugin's own edits");

        // Keyframes: person1 hidden until `key`, visible from `key` on (constant keys).
        Param* anon = fx->param("person1_anonymize");
        checks.check(anon->setInterpolation(Interpolation::Step) && anon->setKey(0, ParamValue::ofInt(1)) && anon->setKey(key, ParamValue::ofInt(0)),
                     "keyframes person1_anonymize 1 @0, 0 @" + std::to_string(key));
        checks.check(fx->userEdited("person1_anonymize", key) == kOfxStatOK, "InstanceChanged(person1_anonymize)");

        const auto reference = renderAll(*fx, *src, key);

        // Other layouts and depths on duplicated instances (parameters copied before CreateInstance).
        for (ImageLayout layout : {ImageLayout{PixelDepth::Byte, true, 0}, ImageLayout{PixelDepth::Byte, false, 24},
                                   ImageLayout{PixelDepth::Byte, true, 24}, ImageLayout{PixelDepth::Short, false, 0},
                                   ImageLayout{PixelDepth::Short, true, 0}, ImageLayout{PixelDepth::Float, false, 0},
                                   ImageLayout{PixelDepth::Float, true, 0}}) {
            InstanceSetup other = setup;
            other.layout = layout;
            other.copyParamsFrom = fx.get();
            auto dup = plugin.createInstance(kOfxImageEffectContextFilter, other, &st);
            dup->getClipPreferences();
            checks.check(dup->clip("Source")->props().getString(kOfxImageEffectPropPixelDepth) == depthName(layout.depth),
                         layoutName(layout) + ": Source clip delivers the host's depth");
            const auto frames = renderAll(*dup, *src, key);
            checks.check(frames == reference, layoutName(layout) + ": byte-identical to the positive-row-bytes 8-bit run");
            checks.check(plugin.destroyInstance(dup) == kOfxStatOK, layoutName(layout) + ": DestroyInstance");
        }

        // Fail closed: the plugin fails the render, says why, and leaves the output as the host gave it.
        fx->param("simulate_failure")->setValue(ParamValue::ofInt(1));
        fx->userEdited("simulate_failure", 1);
        RenderOutcome failed = fx->render(1);
        checks.check(failed.status == kOfxStatFailed, "a failing render returns kOfxStatFailed");
        MessageRecord pm;
        const bool hasMessage = Host::get().persistentMessage(fx->handle(), &pm);
        checks.check(hasMessage && pm.type == kOfxMessageError, "a persistent error message is set: " + pm.text);
        const auto out = failed.output->toTopDownRGBA8();
        checks.check(out != std::vector<std::uint8_t>(src->frame(1), src->frame(1) + src->frameBytes()), "the failed output is not the source frame");
        checks.check(std::all_of(out.begin(), out.end(), [](std::uint8_t v) { return v == 0; }), "the failed output is untouched (as the host zeroed it)");
        fx->param("simulate_failure")->setValue(ParamValue::ofInt(0));
        fx->userEdited("simulate_failure", 1);
        checks.check(fx->render(1).status == kOfxStatOK && !Host::get().persistentMessage(fx->handle()), "the next good render clears the message");

        checks.check(fx->syncPrivateData() == kOfxStatReplyDefault, "SyncPrivateData");
        checks.check(plugin.destroyInstance(fx) == kOfxStatOK, "DestroyInstance");
    }
    checks.check(Host::get().liveAllocations() == allocationsBefore, "every memory suite block was freed");
    checks.check(plugin.unload() == kOfxStatOK, "Unload");
    const auto violations = Diagnostics::get().violations();
    checks.check(violations.empty(), "no OpenFX protocol violations" + (violations.empty() ? "" : ": " + violations.front()));
    return checks.finish("host_selftest");
}
