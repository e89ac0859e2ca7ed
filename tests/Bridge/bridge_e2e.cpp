// End-to-end test of Deid.ofx driven by the OpenFX test host, against a real `deid serve`.
//
//   bridge_e2e --bundle <Deid.ofx.bundle or its binary> [--deid <deid launcher>] [mode] [--no-ofxsethost]
//              [--out DIR | --default-out DIR]
//
// Modes:
//   (default)    the full scenario: Analyze clip, a keyframed identity, every frame rendered with positive and
//                with negative row bytes (byte-identical), 16-bit and float renders, fail-closed checks; the
//                8-bit output is written to $DEID_TEST_OUT for the .NET comparison with `deid render`.
//   --load-only  what needs no server: loading, describing, the parameters, that nothing starts in Load or
//                Describe, and that a render fails closed when `deid serve` cannot be started.
//   --quick      a few frames rendered without an analysis (used with --no-ofxsethost).
//
// Environment: DEID_MEDIA (shared media, default <repo>/../shared/media), DEID_EXECUTABLE (overridden by
// --deid), DEID_TEST_OUT (output folder; --out overrides it, --default-out is used without it, else a new temp
// folder), DEID_MODELS (passed to the server; default <repo>/../shared/models when it exists), DEID_E2E_KEEP=1
// keeps the runtime folder. The test makes its own runtime folder (mode 0700) and points DEID_RUNTIME_DIR at it.
// Output (full mode): bridge_output.rgba (every frame, 8-bit RGBA, top-down rows, concatenated),
// bridge_output.json (size, rate, settings, keyframes, the equivalent `deid render` arguments),
// bridge_selection.json (the keyframes as a `deid render --selection` document), bridge_faces.json.
// Exit status: 0 passed, 1 failed, 77 skipped (plugin, launcher or media missing).
#include "Diagnostics.h"
#include "Effect.h"
#include "FrameSource.h"
#include "Host.h"
#include "Json.h"
#include "Plugin.h"
#include "Process.h"
#include "ServerProcess.h"
#include "TestSupport.h"
#include "serve_stats.h"
#include "clip_fingerprint.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace ofxtest;

namespace {

constexpr int kSkip = 77;
Checks checks;

struct Options {
    std::string bundle;
    std::string deid;
    bool callSetHost = true;
    bool loadOnly = false;
    bool quick = false;
    std::string out;         // --out: always this folder
    std::string defaultOut;  // --default-out: this folder unless DEID_TEST_OUT is set
};

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string fmt(double v, int digits = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

int skip(const std::string& why) {
    std::printf("SKIPPED: %s\n", why.c_str());
    return kSkip;
}

// ---------------------------------------------------------------------------------------------------------------
// Ground truth: the faces of the analysis, from `deid identities <file> --json`.

struct Face {
    double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size, picture pixels (top-down)
    int identity = 0;                   // 0: a face of no identity
    double score = 1.0;
};

struct FaceTruth {
    bool available = false;
    std::vector<std::vector<Face>> frames;
};

// Detections scoring below `minScore` (the effect's detection threshold) are left out: the render ignores them.
FaceTruth loadFaces(const std::string& deid, const std::string& analysis, const std::string& outDir, double minScore) {
    FaceTruth truth;
    const std::string json = outDir + "/bridge_faces.json";
    ProcessResult r = runProcess({deid, "identities", analysis, "--json", json});
    if (r.exitCode != 0) {
        checks.note("`deid identities --json` failed (exit " + std::to_string(r.exitCode) + "): " + r.err.substr(0, 400));
        return truth;
    }
    std::ifstream in(json);
    std::stringstream text;
    text << in.rdbuf();
    JsonValue doc;
    std::string error;
    if (!parseJson(text.str(), &doc, &error)) {
        checks.note("cannot parse " + json + ": " + error);
        return truth;
    }
    const JsonValue* frames = doc.find("frames");
    if (frames == nullptr || frames->type != JsonValue::Type::Array) return truth;
    for (const auto& f : frames->items) {
        std::vector<Face> faces;
        if (const JsonValue* list = f.find("faces"))
            for (const auto& face : list->items) {
                const JsonValue* box = face.find("box");
                if (box == nullptr || box->items.size() != 4) continue;
                Face x;
                x.x = box->items[0].numberOr(0);
                x.y = box->items[1].numberOr(0);
                x.w = box->items[2].numberOr(0);
                x.h = box->items[3].numberOr(0);
                const JsonValue* id = face.find("identity");
                x.identity = id ? static_cast<int>(id->numberOr(0)) : 0;
                if (const JsonValue* score = face.find("score")) x.score = score->numberOr(1.0);
                if (x.score >= minScore) faces.push_back(x);
            }
        truth.frames.push_back(std::move(faces));
    }
    truth.available = true;
    return truth;
}

// Pixels near any face detected within `window` frames of `frame` (box grown `scale` times around its centre):
// the only places a correct render may change.
// `only`, when given, picks the faces that count.
std::vector<std::uint8_t> faceArea(const FaceTruth& truth, int frame, int w, int h, int window, double scale,
                                   const std::function<bool(const Face&)>& only = nullptr) {
    std::vector<std::uint8_t> mask(static_cast<size_t>(w) * h, 0);
    const int first = std::max(0, frame - window);
    const int last = std::min(static_cast<int>(truth.frames.size()) - 1, frame + window);
    for (int f = first; f <= last; ++f)
        for (const Face& face : truth.frames[f]) {
            if (only && !only(face)) continue;
            const double cx = face.x + face.w / 2, cy = face.y + face.h / 2;
            const double half = std::max(face.w, face.h) * scale / 2;
            const int x0 = std::max(0, static_cast<int>(cx - half)), x1 = std::min(w, static_cast<int>(cx + half) + 1);
            const int y0 = std::max(0, static_cast<int>(cy - half)), y1 = std::min(h, static_cast<int>(cy + half) + 1);
            for (int y = y0; y < y1; ++y) std::memset(&mask[static_cast<size_t>(y) * w + x0], 1, static_cast<size_t>(std::max(0, x1 - x0)));
        }
    return mask;
}

// ---------------------------------------------------------------------------------------------------------------

struct PluginInfo {
    int personSlots = 0;
    std::string unusedLabel;
    std::map<std::string, ParamKind> kinds;
};

// Load, Describe and DescribeInContext(Filter), checking the plugin's declarations.
bool describePlugin(LoadedPlugin& plugin, const std::string& runtime, PluginInfo* info) {
    const auto noServer = [&](const std::string& when) {
        const ServerLookup s = findServer(runtime, false);
        checks.check(s.pids.empty() && !fileExists(runtime + "/serve.sock"), "no deid serve started by " + when);
    };
    OfxPlugin* ofx = plugin.ofx();
    checks.check(std::string(ofx->pluginApi) == kOfxImageEffectPluginApi && ofx->apiVersion == 1,
                 "plugin API " + std::string(ofx->pluginApi) + " version " + std::to_string(ofx->apiVersion));
    checks.note("plugin " + plugin.identifier() + " " + std::to_string(ofx->pluginVersionMajor) + "." + std::to_string(ofx->pluginVersionMinor));
    if (!checks.check(plugin.load() == kOfxStatOK, "Load")) return false;
    noServer("Load");
    if (!checks.check(plugin.describe() == kOfxStatOK, "Describe")) return false;
    noServer("Describe");
    PropertySet& d = plugin.descriptor()->props();
    const auto contexts = d.getStrings(kOfxImageEffectPropSupportedContexts);
    checks.check(std::count(contexts.begin(), contexts.end(), kOfxImageEffectContextFilter) == 1, "the Filter context is supported");
    const auto depths = d.getStrings(kOfxImageEffectPropSupportedPixelDepths);
    for (const char* depth : {kOfxBitDepthByte, kOfxBitDepthShort, kOfxBitDepthFloat})
        checks.check(std::count(depths.begin(), depths.end(), depth) == 1, std::string("supported depth ") + depth);
    checks.check(d.getInt(kOfxImageEffectPropTemporalClipAccess) == 1, "the plugin asks for temporal clip access");
    if (!checks.check(plugin.describeInContext(kOfxImageEffectContextFilter) == kOfxStatOK, "DescribeInContext(Filter)")) return false;
    noServer("DescribeInContext");
    ImageEffect* fx = plugin.contextDescriptor(kOfxImageEffectContextFilter);
    checks.check(fx->clip(kOfxImageEffectSimpleSourceClipName) && fx->clip(kOfxImageEffectOutputClipName), "Source and Output clips defined");
    for (const auto& p : fx->params().params()) info->kinds[p->name()] = p->kind();
    const auto expect = [&](const char* name, std::vector<ParamKind> kinds) {
        auto it = info->kinds.find(name);
        const bool ok = it != info->kinds.end() && std::find(kinds.begin(), kinds.end(), it->second) != kinds.end();
        checks.check(ok, std::string("parameter '") + name + "'" + (it != info->kinds.end() ? std::string(" (") + paramTypeName(it->second) + ")" : " missing"));
    };
    expect("method", {ParamKind::Choice});
    expect("strength", {ParamKind::Double});
    expect("analyze", {ParamKind::PushButton});
    expect("analysis_path", {ParamKind::String});
    expect("person1_label", {ParamKind::String});
    expect("person1_anonymize", {ParamKind::Integer, ParamKind::Boolean, ParamKind::Choice});
    while (info->kinds.count("person" + std::to_string(info->personSlots + 1) + "_anonymize") &&
           info->kinds.count("person" + std::to_string(info->personSlots + 1) + "_label"))
        ++info->personSlots;
    checks.note(std::to_string(info->personSlots) + " person slots, " + std::to_string(info->kinds.size()) + " parameters");
    if (Param* label = fx->param("person1_label")) info->unusedLabel = label->props().getString(kOfxParamPropDefault);
    if (Param* anon = fx->param("person1_anonymize"))
        checks.check(anon->props().getInt(kOfxParamPropAnimates) == 1, "person1_anonymize animates (can be keyframed)");
    return true;
}

struct Run {
    std::vector<int> frames;
    std::vector<std::vector<std::uint8_t>> outputs;  // top-down 8-bit RGBA per rendered frame
    std::vector<std::vector<double>> framesNeeded;   // GetFramesNeeded's answer for Source, per rendered frame
    int failed = 0, identity = 0, guardsBroken = 0, unreleased = 0;
    double seconds = 0, slowest = 0;
};

Run renderFrames(ImageEffect& fx, const std::vector<int>& frames, const std::string& what) {
    Run run;
    run.frames = frames;
    const auto start = std::chrono::steady_clock::now();
    const OfxStatus begin = fx.beginSequenceRender(frames.front(), frames.back());
    if (begin != kOfxStatOK && begin != kOfxStatReplyDefault) checks.note(what + ": BeginSequenceRender returned " + statusName(begin));
    std::string firstError;
    for (int t : frames) {
        OfxRectD rod{};
        fx.getRegionOfDefinition(t, &rod);
        RenderOutcome r = fx.render(t);
        if (r.status != kOfxStatOK) {
            ++run.failed;
            MessageRecord pm;
            if (firstError.empty() && Host::get().persistentMessage(fx.handle(), &pm)) firstError = "frame " + std::to_string(t) + ": " + pm.text;
        }
        run.identity += r.identity ? 1 : 0;
        run.guardsBroken += r.guardsIntact ? 0 : 1;
        run.unreleased += r.imagesNotReleased;
        run.slowest = std::max(run.slowest, r.seconds);
        run.outputs.push_back(r.output ? r.output->toTopDownRGBA8() : std::vector<std::uint8_t>());
        run.framesNeeded.push_back(r.framesNeeded[kOfxImageEffectSimpleSourceClipName]);
    }
    fx.endSequenceRender(frames.front(), frames.back());
    run.seconds = since(start);
    checks.check(run.failed == 0, what + ": every render returned kOfxStatOK (" + std::to_string(frames.size() - run.failed) + "/" +
                                       std::to_string(frames.size()) + ")" + (firstError.empty() ? "" : "; first error: " + firstError));
    checks.check(run.identity == 0, what + ": no frame passed through as identity");
    checks.check(run.guardsBroken == 0, what + ": nothing written outside the output images");
    checks.check(run.unreleased == 0, what + ": every image released");
    checks.check(!Host::get().persistentMessage(fx.handle()), what + ": the persistent message is clear");
    checks.note(what + ": " + std::to_string(frames.size()) + " frames in " + fmt(run.seconds, 1) + " s (" +
                fmt(1000.0 * run.seconds / frames.size(), 1) + " ms/frame, slowest " + fmt(1000.0 * run.slowest, 0) + " ms)");
    return run;
}

// Faces that the settings under test hide at frame t: everyone (default policy anonymize-everyone, every
// other slot left at 1), except identity `keptId` from `keyFrame` on.
bool hiddenAt(const Face& f, int t, int keptId, int keyFrame) { return !(f.identity == keptId && keptId > 0 && t >= keyFrame); }

// Compares a run with the source: changed pixels per frame, and where they are.
// Returns the number of changed pixels of every rendered frame.
std::vector<size_t> checkChanges(const Run& run, const FrameSource& src, const FaceTruth& truth, int keptId, int keyFrame, const std::string& what) {
    std::vector<size_t> perFrame(run.frames.size(), 0);
    const int w = src.width(), h = src.height();
    const size_t pixels = static_cast<size_t>(w) * h;
    int framesWithHidden = 0, hiddenChanged = 0, facelessChanged = 0, facelessFrames = 0;
    size_t outsideMax = 0, totalChanged = 0;
    int outsideFrame = -1, keptVisibleFrames = 0, keptTouched = 0, keptBeforeFrames = 0, keptBeforeChanged = 0;
    std::vector<int> missed;
    std::vector<size_t> hiddenCounts;
    for (size_t i = 0; i < run.frames.size(); ++i) {
        const int t = run.frames[i];
        const auto& out = run.outputs[i];
        if (out.size() != src.frameBytes()) continue;
        const std::uint8_t* in = src.frame(t);
        std::vector<std::uint8_t> changed(pixels, 0);
        size_t count = 0;
        for (size_t p = 0; p < pixels; ++p)
            if (std::memcmp(out.data() + 4 * p, in + 4 * p, 4) != 0) changed[p] = 1, ++count;
        totalChanged += count;
        perFrame[i] = count;
        if (!truth.available) continue;
        const auto& faces = truth.frames[t];
        bool anyHidden = false;
        for (const Face& f : faces) anyHidden |= hiddenAt(f, t, keptId, keyFrame);
        if (anyHidden) {
            ++framesWithHidden;
            hiddenCounts.push_back(count);
            if (count > 0) ++hiddenChanged;
            else missed.push_back(t);
        }
        if (faces.empty()) {
            ++facelessFrames;
            if (count > 0) ++facelessChanged;
        }
        // Changes far from every face (in time and space) mean the picture moved, flipped or leaked elsewhere.
        const auto area = faceArea(truth, t, w, h, 20, 3.0);
        size_t outside = 0;
        for (size_t p = 0; p < pixels; ++p) outside += changed[p] && !area[p];
        if (outside > outsideMax) outsideMax = outside, outsideFrame = t;
        // The kept person: untouched inside their box after the key (away from any face that is hidden around
        // then, held tracks included), mostly changed before it.
        std::vector<std::uint8_t> hiddenNear;
        for (const Face& f : faces) {
            if (f.identity != keptId || keptId <= 0) continue;
            if (hiddenNear.empty()) hiddenNear = faceArea(truth, t, w, h, 20, 2.0, [&](const Face& o) { return hiddenAt(o, t, keptId, keyFrame); });
            size_t inside = 0, boxArea = 0;
            for (int y = std::max(0, static_cast<int>(f.y)); y < std::min(h, static_cast<int>(f.y + f.h)); ++y)
                for (int x = std::max(0, static_cast<int>(f.x)); x < std::min(w, static_cast<int>(f.x + f.w)); ++x) {
                    const size_t p = static_cast<size_t>(y) * w + x;
                    if (t >= keyFrame && hiddenNear[p]) continue;
                    ++boxArea;
                    inside += changed[p];
                }
            if (t >= keyFrame) {
                ++keptVisibleFrames;
                if (inside > 0) ++keptTouched;
            } else if (boxArea > 0) {
                ++keptBeforeFrames;
                if (inside * 4 > boxArea) ++keptBeforeChanged;
            }
        }
    }
    checks.note(what + ": " + std::to_string(totalChanged) + " pixels changed in all (" + fmt(100.0 * totalChanged / (pixels * run.frames.size()), 2) + "% of the frames' pixels)");
    if (!truth.available) {
        checks.check(totalChanged > 0, what + ": the output differs from the input (no face list to be more precise)");
        return perFrame;
    }
    if (!hiddenCounts.empty()) {
        std::sort(hiddenCounts.begin(), hiddenCounts.end());
        checks.note(what + ": changed pixels per frame with a face to hide: min " + std::to_string(hiddenCounts.front()) + ", median " +
                    std::to_string(hiddenCounts[hiddenCounts.size() / 2]) + ", max " + std::to_string(hiddenCounts.back()));
    }
    std::string missedList;
    for (size_t i = 0; i < missed.size() && i < 12; ++i) missedList += (i ? "," : "") + std::to_string(missed[i]);
    checks.check(framesWithHidden > 0 && hiddenChanged == framesWithHidden,
                 what + ": every frame with a face to hide was changed (" + std::to_string(hiddenChanged) + "/" + std::to_string(framesWithHidden) + ")" +
                     (missed.empty() ? "" : "; unchanged: " + missedList));
    checks.note(what + ": frames without any detection: " + std::to_string(facelessFrames) + ", of which changed (held tracks): " + std::to_string(facelessChanged));
    checks.check(outsideMax <= pixels / 1000, what + ": no changes away from the faces (worst frame " + std::to_string(outsideFrame) + ": " +
                                                   std::to_string(outsideMax) + " pixels outside 3x face boxes within 20 frames)");
    if (keptId > 0) {
        checks.check(keptBeforeFrames == 0 || keptBeforeChanged == keptBeforeFrames,
                     what + ": identity " + std::to_string(keptId) + " hidden before frame " + std::to_string(keyFrame) + " (" +
                         std::to_string(keptBeforeChanged) + "/" + std::to_string(keptBeforeFrames) + " frames with over a quarter of their box changed)");
        checks.check(keptTouched == 0, what + ": identity " + std::to_string(keptId) + " visible from frame " + std::to_string(keyFrame) + " (" +
                                           std::to_string(keptVisibleFrames - keptTouched) + "/" + std::to_string(keptVisibleFrames) + " frames untouched in their box)");
    }
    return perFrame;
}

// ---------------------------------------------------------------------------------------------------------------
// Renders without an analysis: the plugin sends the server the frame and up to two neighbours on each side, so a
// face found only just before or after is hidden too.

constexpr int kWindowRadius = 2;

struct Window {
    int frame = 0, first = 0, last = 0;
};

// The window a render of t must send: t-2..t+2 inside the clip, cut short on each side at the first frame the host
// refuses.
Window expectedWindow(int t, int frameCount, const std::set<long>& refused) {
    Window w{t, t, t};
    for (int f = t - 1; f >= std::max(0, t - kWindowRadius) && !refused.count(f); --f) w.first = f;
    for (int f = t + 1; f <= std::min(frameCount - 1, t + kWindowRadius) && !refused.count(f); ++f) w.last = f;
    return w;
}

std::uint32_t crc32Update(std::uint32_t crc, const std::uint8_t* data, size_t size) {
    static const auto table = [] {
        std::vector<std::uint32_t> t(256);
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

// CRC-32 of a frame as the slot holds it at 8 bits: packed RGBA, bottom row first.
std::uint32_t slotCrc(const FrameSource& src, int t) {
    const size_t row = static_cast<size_t>(src.width()) * 4;
    std::uint32_t crc = 0;
    for (int y = src.height() - 1; y >= 0; --y) crc = crc32Update(crc, src.frame(t) + static_cast<size_t>(y) * row, row);
    return crc;
}

// Renders `frames` on an effect with no analysis, the host refusing the Source frames in `refused`, and checks
// that each render read exactly its window, once each, asked for it in GetFramesNeeded, and released it.
Run renderWindows(ImageEffect& fx, const FrameSource& src, const std::vector<int>& frames, const std::string& what,
                  std::vector<Window>* sent, const std::set<long>& refused = {}) {
    std::map<long, std::vector<long>> fetched;
    fx.onClipGetImage = [&](Clip& c, double t) {
        if (c.name() == kOfxImageEffectSimpleSourceClipName) fetched[std::lround(fx.currentTime())].push_back(std::lround(t));
    };
    fx.refuseClipGetImage = [&](Clip& c, double t) {
        return c.name() == kOfxImageEffectSimpleSourceClipName && refused.count(std::lround(t)) > 0;
    };
    Run run = renderFrames(fx, frames, what);
    fx.onClipGetImage = nullptr;
    fx.refuseClipGetImage = nullptr;

    int wrongReads = 0, wrongNeeded = 0;
    std::string firstWrong;
    // An instance's first render also reads the frames its clip fingerprint samples, once each.
    static std::set<const ImageEffect*> fingerprinted;
    if (!frames.empty() && fingerprinted.insert(&fx).second) {
        auto& first = fetched[frames.front()];
        for (int64_t sample : deid::fingerprint::sampledFrames(src.frameCount())) {
            const auto at = std::find(first.begin() + (first.empty() ? 0 : 1), first.end(), static_cast<long>(sample));
            if (at != first.end()) first.erase(at);
        }
    }
    for (size_t i = 0; i < frames.size(); ++i) {
        const int t = frames[i];
        const Window w = expectedWindow(t, src.frameCount(), refused);
        sent->push_back(w);
        std::vector<long> read;
        for (long f : fetched[t])
            if (!refused.count(f)) read.push_back(f);
        std::sort(read.begin(), read.end());
        std::vector<long> want;
        for (long f = w.first; f <= w.last; ++f) want.push_back(f);
        if (read != want) {
            ++wrongReads;
            if (firstWrong.empty()) {
                firstWrong = "frame " + std::to_string(t) + " read";
                for (long f : fetched[t]) firstWrong += " " + std::to_string(f);
            }
        }
        const Window all = expectedWindow(t, src.frameCount(), {});
        const auto& needed = run.framesNeeded[i];
        if (needed.size() != 2 || needed[0] != all.first || needed[1] != all.last) ++wrongNeeded;
    }
    checks.check(wrongReads == 0, what + ": each render read its frame and its neighbours t-2..t+2 in the clip, once each" +
                                      (refused.empty() ? std::string() : ", up to the first one refused") +
                                      (firstWrong.empty() ? "" : " (" + firstWrong + ")"));
    checks.check(wrongNeeded == 0, what + ": GetFramesNeeded asks for those neighbours (" + std::to_string(frames.size() - wrongNeeded) + "/" +
                                       std::to_string(frames.size()) + ")");
    return run;
}

// The stand-in server logs what each windowed render held (fake-windows.log in the runtime folder): checks the
// renders since the last call sent the expected windows, each frame's bytes in order. Returns false when there is
// no log (a real server).
bool checkSentWindows(const std::string& runtime, const FrameSource& src, std::vector<Window>& sent, const std::string& what) {
    static size_t consumed = 0;
    std::ifstream in(runtime + "/fake-windows.log");
    if (!in) return false;
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    int wrong = 0;
    std::string firstWrong;
    const size_t logged = lines.size() > consumed ? lines.size() - consumed : 0;
    for (size_t i = 0; i < logged && i < sent.size(); ++i) {
        JsonValue doc;
        const Window& w = sent[i];
        std::string why;
        if (!parseJson(lines[consumed + i], &doc, nullptr) || !doc.find("frame") || !doc.find("windowFirst") || !doc.find("crc32")) {
            why = "unreadable log line";
        } else {
            const int frame = static_cast<int>(doc.find("frame")->numberOr(-1));
            const int first = static_cast<int>(doc.find("windowFirst")->numberOr(-1));
            const auto& crcs = doc.find("crc32")->items;
            if (frame != w.frame || first != w.first || static_cast<int>(crcs.size()) != w.last - w.first + 1)
                why = "window " + std::to_string(first) + "+" + std::to_string(crcs.size()) + " for frame " + std::to_string(frame);
            for (size_t k = 0; why.empty() && k < crcs.size(); ++k)
                if (static_cast<std::uint32_t>(crcs[k].numberOr(-1)) != slotCrc(src, w.first + static_cast<int>(k)))
                    why = "frame " + std::to_string(w.first + k) + " of the window is not that frame's pixels";
        }
        if (!why.empty() && ++wrong == 1)
            firstWrong = "render of " + std::to_string(w.frame) + " (expected " + std::to_string(w.first) + ".." + std::to_string(w.last) + "): " + why;
    }
    checks.check(logged == sent.size() && wrong == 0,
                 what + ": the server received the expected windows, frames in order, bottom-up (" + std::to_string(logged) + " logged, " +
                     std::to_string(sent.size()) + " sent)" + (firstWrong.empty() ? "" : "; " + firstWrong));
    consumed = lines.size();
    sent.clear();
    return true;
}

// Pre-analysis renders against the faces found later: every face the analysis lists has its box mostly changed.
void checkFacesCovered(const Run& run, const FrameSource& src, const FaceTruth& truth, const std::string& what) {
    if (!truth.available) return;
    const int w = src.width(), h = src.height();
    int faces = 0, covered = 0;
    std::string missed;
    for (size_t i = 0; i < run.frames.size(); ++i) {
        const int t = run.frames[i];
        const auto& out = run.outputs[i];
        if (out.size() != src.frameBytes()) continue;
        for (const Face& f : truth.frames[t]) {
            size_t inside = 0, area = 0;
            for (int y = std::max(0, static_cast<int>(f.y)); y < std::min(h, static_cast<int>(f.y + f.h)); ++y)
                for (int x = std::max(0, static_cast<int>(f.x)); x < std::min(w, static_cast<int>(f.x + f.w)); ++x) {
                    const size_t p = (static_cast<size_t>(y) * w + x) * 4;
                    ++area;
                    inside += std::memcmp(out.data() + p, src.frame(t) + p, 4) != 0;
                }
            if (area == 0) continue;
            ++faces;
            if (inside * 4 > area) ++covered;
            else if (missed.size() < 200) missed += " " + std::to_string(t) + "(" + fmt(100.0 * inside / area, 0) + "%)";
        }
    }
    checks.check(faces > 0 && covered == faces, what + ": every face of the analysis in these frames has over a quarter of its box changed (" +
                                                    std::to_string(covered) + "/" + std::to_string(faces) + ")" +
                                                    (missed.empty() ? "" : "; not:" + missed));
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Identity number shown in slot 1, from the plugin's stored list (identities_json), else from its label.
int slotIdentity(ImageEffect& fx, int slot) {
    if (Param* p = fx.param("identities_json")) {
        JsonValue doc;
        if (parseJson(p->value().text, &doc, nullptr))
            if (const JsonValue* list = doc.find("identities"))
                for (const auto& item : list->items) {
                    const JsonValue* s = item.find("slot");
                    const JsonValue* id = item.find("id");
                    if (s && id && static_cast<int>(s->numberOr(-1)) == slot) return static_cast<int>(id->numberOr(0));
                }
    }
    if (Param* label = fx.param("person" + std::to_string(slot) + "_label")) {
        int id = 0;
        if (std::sscanf(label->value().text.c_str(), "Person %d", &id) == 1) return id;
    }
    return 0;
}

std::string choiceText(ImageEffect& fx, const char* name) {
    Param* p = fx.param(name);
    if (!p) return "";
    const auto options = p->props().getStrings(kOfxParamPropChoiceOption);
    const int index = static_cast<int>(p->valueAt(0).numbers.at(0));
    return index >= 0 && index < static_cast<int>(options.size()) ? options[index] : "";
}

double numberParam(ImageEffect& fx, const char* name, double fallback) {
    Param* p = fx.param(name);
    return p && !p->valueAt(0).numbers.empty() ? p->valueAt(0).numbers[0] : fallback;
}

void writeOutputs(const std::string& dir, const FrameSource& src, const Run& run, ImageEffect& fx, int keyFrame, int slotId,
                  const std::vector<int>& otherIds, const std::vector<size_t>& changed) {
    const std::string raw = dir + "/bridge_output.rgba";
    bool ok = writeFile(raw, "", 0);
    for (const auto& frame : run.outputs) ok &= writeFile(raw, frame.data(), frame.size(), true);
    const std::string policy = choiceText(fx, "policy");
    const std::string policyName = lower(policy).find("only") != std::string::npos ? "anonymize-only-listed" : "anonymize-everyone";
    const std::string method = lower(choiceText(fx, "method"));
    const std::string analysis = fx.param("analysis_path")->valueAt(0).text;

    std::ostringstream sel;
    sel << "{\n  \"default\": \"" << policyName << "\",\n  \"identities\": [\n";
    sel << "    { \"identity\": " << slotId << ", \"keys\": [ { \"frame\": 0, \"anonymize\": true }, { \"frame\": " << keyFrame
        << ", \"anonymize\": false } ] }";
    for (int id : otherIds) sel << ",\n    { \"identity\": " << id << ", \"anonymize\": true }";
    sel << "\n  ]\n}\n";
    const std::string selection = dir + "/bridge_selection.json";
    ok &= writeFile(selection, sel.str().data(), sel.str().size());

    const double strength = numberParam(fx, "strength", 1.0), mask = numberParam(fx, "mask_size", 1.0);
    const double feather = numberParam(fx, "feather", 0.25), threshold = numberParam(fx, "threshold", 0.5);
    std::ostringstream m;
    m << "{\n  \"format\": \"deid-bridge-e2e\", \"version\": 1,\n"
      << "  \"source\": \"" << jsonEscape(src.path()) << "\",\n"
      << "  \"width\": " << src.width() << ", \"height\": " << src.height() << ", \"frames\": " << run.outputs.size() << ",\n"
      << "  \"frameRate\": \"" << src.fpsNumerator() << "/" << src.fpsDenominator() << "\",\n"
      << "  \"file\": \"bridge_output.rgba\", \"pixelFormat\": \"rgba\", \"bytesPerPixel\": 4, \"rowOrder\": \"top-down\",\n"
      << "  \"decode\": \"ffmpeg -noautorotate, scale to full range with the stream's matrix (as deid render), -pix_fmt rgba\",\n"
      << "  \"analysis\": \"" << jsonEscape(analysis) << "\",\n"
      << "  \"selection\": \"bridge_selection.json\",\n"
      << "  \"settings\": { \"method\": \"" << method << "\", \"strength\": " << strength << ", \"maskScale\": " << mask
      << ", \"feather\": " << feather << ", \"threshold\": " << threshold << ", \"policy\": \"" << policyName << "\" },\n"
      << "  \"keyframes\": { \"param\": \"person1_anonymize\", \"identity\": " << slotId << ", \"interpolation\": \"linear (host), steps (plugin)\", \"keys\": [ { \"frame\": 0, \"value\": 1 }, { \"frame\": "
      << keyFrame << ", \"value\": 0 } ] },\n"
      << "  \"deidRender\": [ \"render\", \"" << jsonEscape(src.path()) << "\", \"--analysis\", \"" << jsonEscape(analysis)
      << "\", \"--selection\", \"" << jsonEscape(selection) << "\", \"--method\", \"" << method << "\", \"--strength\", \"" << strength
      << "\", \"--mask-scale\", \"" << mask << "\", \"--feather\", \"" << feather << "\", \"--threshold\", \"" << threshold << "\" ],\n"
      << "  \"changedPixels\": [";
    for (size_t i = 0; i < changed.size(); ++i) m << (i ? ", " : "") << changed[i];
    m << "]\n}\n";
    ok &= writeFile(dir + "/bridge_output.json", m.str().data(), m.str().size());
    checks.check(ok, "wrote " + raw + " (" + std::to_string(run.outputs.size()) + " frames, raw RGBA top-down), bridge_output.json and bridge_selection.json");
}

// Kills the server from inside the plugin's clipGetImage(Source) at `frame`: the plugin is then mid-render,
// holding the frame and about to send its request.
struct KillMidRender {
    KillMidRender(std::string dir, int at) : runtime(std::move(dir)), frame(at) {}
    std::string runtime;
    int frame = -1;
    bool done = false;
    std::vector<pid_t> killed;
    std::string method;
    void operator()(Clip& clip, double time) {
        if (done || clip.name() != kOfxImageEffectSimpleSourceClipName || std::lround(time) != frame) return;
        done = true;
        const ServerLookup s = findServer(runtime);
        method = s.method;
        for (pid_t pid : s.pids)
            if (stopProcess(pid, SIGKILL, 10.0)) killed.push_back(pid);
    }
};

void stopServers(const std::string& runtime) {
    for (pid_t pid : findServer(runtime, false).pids)
        if (!stopProcess(pid, SIGTERM, 5.0)) stopProcess(pid, SIGKILL, 5.0);
}

bool allZero(const std::vector<std::uint8_t>& v) {
    return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--bundle" && i + 1 < argc) opt.bundle = argv[++i];
        else if (a == "--deid" && i + 1 < argc) opt.deid = argv[++i];
        else if (a == "--no-ofxsethost") opt.callSetHost = false;
        else if (a == "--load-only") opt.loadOnly = true;
        else if (a == "--quick") opt.quick = true;
        else if (a == "--out" && i + 1 < argc) opt.out = argv[++i];
        else if (a == "--default-out" && i + 1 < argc) opt.defaultOut = argv[++i];
        else {
            std::fprintf(stderr, "unknown argument %s\n", a.c_str());
            return 2;
        }
    }
    const std::string mode = opt.loadOnly ? "load-only" : opt.quick ? "quick" : "full";
    std::printf("bridge_e2e (%s, %s OfxSetHost)\n", mode.c_str(), opt.callSetHost ? "calling" : "not calling");
    if (opt.bundle.empty() || !fileExists(opt.bundle)) return skip("the plugin is not built: " + opt.bundle);

    // ---- Environment: a clean runtime folder, the launcher, the media, the output folder.
    const std::string runtime = makeTempDir("deid-e2e-runtime");
    if (runtime.empty()) return skip("cannot create a runtime folder");
    setenv("DEID_RUNTIME_DIR", runtime.c_str(), 1);
    // Caches (analyses, rendered frames) of this run only, unless the caller chose a folder.
    if (envOr("DEID_CACHE_DIR", "").empty()) setenv("DEID_CACHE_DIR", (runtime + "/cache").c_str(), 1);
    struct stat st {};
    stat(runtime.c_str(), &st);
    checks.check((st.st_mode & 0777) == 0700, "fresh runtime folder " + runtime + " (mode 0700)");
    const bool keepRuntime = envOr("DEID_E2E_KEEP", "") == "1";
    struct Cleanup {
        std::string dir;
        bool keep;
        ~Cleanup() {
            stopServers(dir);
            if (!keep) removeTree(dir);
        }
    } cleanup{runtime, keepRuntime};

    std::string deid = opt.deid.empty() ? envOr("DEID_EXECUTABLE", "") : opt.deid;
    if (!opt.loadOnly) {
        if (deid.empty() || !isExecutable(deid)) return skip("the deid launcher is not built: '" + deid + "' (set -DDEID_EXECUTABLE or DEID_EXECUTABLE)");
        setenv("DEID_EXECUTABLE", deid.c_str(), 1);
    }
    const std::string models = std::string(DEID_REPO_ROOT) + "/../shared/models";
    if (envOr("DEID_MODELS", "").empty() && fileExists(models)) setenv("DEID_MODELS", models.c_str(), 1);
    std::string clipPath = mediaDir(DEID_REPO_ROOT) + "/video/short_hamilton_clip.mp4";
    if (char* real = realpath(clipPath.c_str(), nullptr)) {
        clipPath = real;
        std::free(real);
    }
    const bool haveClip = fileExists(clipPath);
    if (!opt.loadOnly && !haveClip) return skip("test clip not found: " + clipPath + " (set DEID_MEDIA)");
    std::string outDir = !opt.out.empty() ? opt.out : envOr("DEID_TEST_OUT", opt.defaultOut);
    if (outDir.empty() && !opt.loadOnly && !opt.quick) outDir = makeTempDir("deid-bridge-out");
    else if (!outDir.empty()) mkdir(outDir.c_str(), 0755);
    checks.note("DEID_EXECUTABLE=" + envOr("DEID_EXECUTABLE", "(unset)") + ", output folder " + outDir);

    // ---- Frames
    auto t0 = std::chrono::steady_clock::now();
    std::string error;
    std::unique_ptr<FrameSource> source;
    if (haveClip) source = FrameSource::decodeVideo(clipPath, &error, opt.loadOnly ? 10 : opt.quick ? 30 : -1);
    else source = FrameSource::synthetic(64, 36, 10);
    if (!checks.check(source != nullptr, "frames decoded with ffmpeg" + (error.empty() ? "" : ": " + error))) return checks.finish("bridge_e2e");
    checks.note(std::to_string(source->frameCount()) + " frames " + std::to_string(source->width()) + "x" + std::to_string(source->height()) + " @ " +
                fmt(source->fps(), 3) + " fps (" + fmt(since(t0), 1) + " s)");
    const FrameSource& src = *source;

    // ---- Load and describe
    auto binary = PluginBinary::open(opt.bundle, opt.callSetHost, &error);
    if (!checks.check(binary != nullptr, "dlopen " + opt.bundle + (error.empty() ? "" : ": " + error))) return checks.finish("bridge_e2e");
    checks.check(binary->exportsOfxSetHost(), "the binary exports OfxSetHost");
    if (opt.callSetHost) checks.check(binary->ofxSetHostStatus() == kOfxStatOK, "OfxSetHost returned kOfxStatOK");
    checks.check(binary->pluginCount() == 1, "one plugin in the binary");
    LoadedPlugin plugin(*binary, binary->plugin(0));
    PluginInfo info;
    if (!describePlugin(plugin, runtime, &info)) return checks.finish("bridge_e2e");

    InstanceSetup setup;
    setup.inputs[kOfxImageEffectSimpleSourceClipName] = &src;
    OfxStatus status = kOfxStatOK;
    auto fx = plugin.createInstance(kOfxImageEffectContextFilter, setup, &status);
    checks.check(status == kOfxStatOK, "CreateInstance (Filter)");
    checks.check(fx->instanceData() != nullptr, "the plugin keeps its data in kOfxPropInstanceData");
    const OfxStatus prefs = fx->getClipPreferences();
    checks.check(prefs == kOfxStatOK || prefs == kOfxStatReplyDefault, "GetClipPreferences: " + statusName(prefs));
    OfxRectD rod{};
    checks.check(fx->getRegionOfDefinition(0, &rod) != kOfxStatFailed && rod.x2 - rod.x1 == src.width() && rod.y2 - rod.y1 == src.height(),
                 "GetRegionOfDefinition is the source frame");

    std::vector<std::unique_ptr<ImageEffect>> extra;
    const auto finishAll = [&]() {
        checks.check(fx->syncPrivateData() != kOfxStatFailed, "SyncPrivateData");
        for (auto& e : extra) checks.check(plugin.destroyInstance(e) == kOfxStatOK, "DestroyInstance (extra instance)");
        checks.check(plugin.destroyInstance(fx) == kOfxStatOK, "DestroyInstance");
        checks.check(plugin.unload() == kOfxStatOK, "Unload");
        std::string left;
        for (const auto& n : listDir(runtime)) left += " " + n;
        checks.note("runtime folder after DestroyInstance/Unload:" + (left.empty() ? std::string(" (empty)") : left));
        checks.check(Host::get().liveImageMemory() == 0, "no image memory left allocated");
        const auto violations = Diagnostics::get().violations();
        std::string list;
        for (const auto& v : violations) list += "\n            " + v;
        checks.check(violations.empty(), "no OpenFX protocol violations" + list);
        const auto warnings = Diagnostics::get().warnings();
        for (const auto& w : warnings) checks.note("host warning: " + w);
        return checks.finish("bridge_e2e");
    };

    if (opt.loadOnly) {
        // No server can be started: every render must fail closed and say why.
        const std::string missing = runtime + "/no-such-deid";
        setenv("DEID_EXECUTABLE", missing.c_str(), 1);
        Host::get().clearRecords();
        RenderOutcome r = fx->render(0);
        checks.check(r.status == kOfxStatFailed, "render without a reachable server returns kOfxStatFailed (" + statusName(r.status) + ")");
        MessageRecord pm;
        const bool hasMessage = Host::get().persistentMessage(fx->handle(), &pm);
        checks.check(hasMessage && pm.type == kOfxMessageError, "a persistent error message says why: " + pm.text);
        const auto out = r.output ? r.output->toTopDownRGBA8() : std::vector<std::uint8_t>();
        checks.check(out != std::vector<std::uint8_t>(src.frame(0), src.frame(0) + src.frameBytes()), "the output is not the source frame");
        checks.check(allZero(out), "the output is left as the host gave it (zeroed)");
        const OfxStatus analyzed = fx->userEdited("analyze", 0);
        const auto messages = Host::get().messages();
        checks.check(analyzed == kOfxStatFailed && !messages.empty() && messages.back().type == kOfxMessageError,
                     "Analyze clip without a server fails with an error message: " + (messages.empty() ? std::string("(none)") : messages.back().text));
        return finishAll();
    }

    const int keyFrame = src.frameCount() / 2;
    Run reference;
    FaceTruth truth;
    int keptId = 0;
    std::vector<Window> sent;
    if (opt.quick) {
        // Without an analysis each frame is analysed with its neighbours; the clip's last frame has none after it.
        std::vector<int> frames;
        for (int t = 0; t < src.frameCount(); t += 6) frames.push_back(t);
        if (frames.back() != src.frameCount() - 1) frames.push_back(src.frameCount() - 1);
        reference = renderWindows(*fx, src, frames, "8-bit, no analysis", &sent);
        checkSentWindows(runtime, src, sent, "8-bit, no analysis");
        size_t changed = 0;
        for (size_t i = 0; i < frames.size(); ++i)
            if (reference.outputs[i].size() == src.frameBytes()) changed += differingPixels(reference.outputs[i].data(), src.frame(frames[i]), src.frameBytes() / 4);
        checks.check(changed > 0, "faces were hidden without an analysis (" + std::to_string(changed) + " pixels changed)");
        return finishAll();
    }

    // ---- Before Analyze clip: frames rendered with their neighbours (checked against the analysis once it exists),
    // at both ends of the clip and around the middle, then with a neighbour the host cannot give.
    const int last = src.frameCount() - 1;
    std::vector<int> early = {0, 1, last / 4, keyFrame - 1, keyFrame, 3 * last / 4, last - 1, last};
    std::sort(early.begin(), early.end());
    early.erase(std::unique(early.begin(), early.end()), early.end());
    const Run beforeAnalysis = renderWindows(*fx, src, early, "before Analyze", &sent);
    const bool fakeServer = checkSentWindows(runtime, src, sent, "before Analyze");
    {
        const size_t at = static_cast<size_t>(std::find(early.begin(), early.end(), keyFrame) - early.begin());
        for (long refused : {keyFrame + 1L, keyFrame - 1L}) {
            const std::string what = "before Analyze, frame " + std::to_string(refused) + " refused by the host";
            const Run narrowed = renderWindows(*fx, src, {keyFrame}, what, &sent, {refused});
            checkSentWindows(runtime, src, sent, what);
            const auto& out = narrowed.outputs.front();
            if (fakeServer)  // its output depends on the frame index alone
                checks.check(out == beforeAnalysis.outputs[at], what + ": the same picture as with the whole window");
            else
                checks.check(out.size() == src.frameBytes() && differingPixels(out.data(), src.frame(keyFrame), src.frameBytes() / 4) > 0,
                             what + ": the frame was still changed");
        }
    }

    // ---- Analyze clip: the push button, handled in InstanceChanged; the plugin reads every frame.
    int fetched = 0;
    std::set<long> fetchedFrames;
    fx->onClipGetImage = [&](Clip& c, double t) {
        if (c.name() == kOfxImageEffectSimpleSourceClipName) ++fetched, fetchedFrames.insert(std::lround(t));
    };
    Host::get().clearRecords();
    t0 = std::chrono::steady_clock::now();
    const OfxStatus analyzed = fx->userEdited("analyze", 0);
    const double analyzeSeconds = since(t0);
    fx->onClipGetImage = nullptr;
    std::string lastMessage;
    for (const auto& m : Host::get().messages()) lastMessage = m.text;
    checks.check(analyzed == kOfxStatOK, "InstanceChanged(analyze, OfxChangeUserEdited) returned " + statusName(analyzed) +
                                             (lastMessage.empty() ? "" : " (message: " + lastMessage + ")"));
    checks.note("Analyze clip took " + fmt(analyzeSeconds, 1) + " s (" + fmt(1000.0 * analyzeSeconds / src.frameCount(), 1) + " ms/frame)");
    checks.check(static_cast<int>(fetchedFrames.size()) == src.frameCount(), "the plugin read all " + std::to_string(src.frameCount()) +
                                                                               " frames through clipGetImage (" + std::to_string(fetched) + " calls)");
    const auto progress = Host::get().progress();
    checks.check(!progress.empty() && progress.front().event == "start" && progress.back().event == "end",
                 "progress reported (" + std::to_string(progress.size()) + " events)");
    const std::string analysis = fx->param("analysis_path")->value().text;
    checks.check(!analysis.empty() && fileExists(analysis), "analysis_path names the saved analysis: " + analysis);
    std::vector<int> otherIds;
    int people = 0;
    for (int slot = 1; slot <= info.personSlots; ++slot) {
        const std::string label = fx->param("person" + std::to_string(slot) + "_label")->value().text;
        if (label == info.unusedLabel) continue;
        ++people;
        checks.note("slot " + std::to_string(slot) + ": " + label);
        if (slot > 1) otherIds.push_back(slotIdentity(*fx, slot));
    }
    checks.check(people >= 1, std::to_string(people) + " people listed in the person slots");
    const auto edited = fx->pluginEditedParams();
    checks.check(std::count(edited.begin(), edited.end(), "analysis_path") >= 1, "the host told the plugin about its own edits (kOfxChangePluginEdited)");
    keptId = slotIdentity(*fx, 1);
    checks.check(keptId > 0, "slot 1 shows identity " + std::to_string(keptId));
    if (!analysis.empty()) truth = loadFaces(deid, analysis, outDir, numberParam(*fx, "threshold", 0.0));
    if (truth.available) {
        checks.check(static_cast<int>(truth.frames.size()) == src.frameCount(), "the analysis covers every frame (" + std::to_string(truth.frames.size()) + ")");
        if (static_cast<int>(truth.frames.size()) != src.frameCount()) truth.available = false;
    }
    // The renders made before Analyze (no one kept yet): faces hidden, nothing changed away from them.
    checkChanges(beforeAnalysis, src, truth, 0, keyFrame, "before Analyze");
    checkFacesCovered(beforeAnalysis, src, truth, "before Analyze");

    // ---- A second instance on the same clip (another project, or this one reopened after a restart) finds the
    // analysis by the clip's content: Analyze clip reads only the frames the fingerprint samples.
    if (!fakeServer && !analysis.empty()) {
        extra.push_back(plugin.createInstance(kOfxImageEffectContextFilter, setup, &status));
        ImageEffect& second = *extra.back();
        std::set<long> read;
        second.onClipGetImage = [&](Clip& c, double t) {
            if (c.name() == kOfxImageEffectSimpleSourceClipName) read.insert(std::lround(t));
        };
        t0 = std::chrono::steady_clock::now();
        const OfxStatus again = second.userEdited("analyze", 0);
        const double seconds = since(t0);
        second.onClipGetImage = nullptr;
        checks.check(again == kOfxStatOK && second.param("analysis_path")->value().text == analysis,
                     "a second instance's Analyze clip finds the same analysis (" + fmt(seconds, 2) + " s)");
        checks.check(read.size() <= deid::fingerprint::sampledFrames(src.frameCount()).size() + 1,
                     "and reads only the frames of the fingerprint (" + std::to_string(read.size()) + " frames, not " +
                         std::to_string(src.frameCount()) + ")");
        checks.check(second.param("person1_label")->value().text == fx->param("person1_label")->value().text,
                     "with the same people: " + second.param("person1_label")->value().text);

        // A damaged cached analysis is never used: the next Analyze clip notices and analyses the clip again.
        {
            std::fstream file(analysis, std::ios::in | std::ios::out | std::ios::binary);
            file.seekg(0, std::ios::end);
            const std::streamoff size = file.tellg();
            file.seekg(size / 2);
            char byte = 0;
            file.read(&byte, 1);
            byte = static_cast<char>(byte ^ 0x5A);
            file.seekp(size / 2);
            file.write(&byte, 1);
        }
        extra.push_back(plugin.createInstance(kOfxImageEffectContextFilter, setup, &status));
        ImageEffect& third = *extra.back();
        read.clear();
        third.onClipGetImage = [&](Clip& c, double t) {
            if (c.name() == kOfxImageEffectSimpleSourceClipName) read.insert(std::lround(t));
        };
        const OfxStatus redone = third.userEdited("analyze", 0);
        third.onClipGetImage = nullptr;
        checks.check(redone == kOfxStatOK && static_cast<int>(read.size()) == src.frameCount(),
                     "a damaged cached analysis is analysed again from every frame (" + std::to_string(read.size()) + " read)");
        checks.check(third.param("analysis_path")->value().text == analysis && third.param("person1_label")->value().text ==
                                                                                      fx->param("person1_label")->value().text,
                     "into the same file, with the same people");
    }

    // ---- Keyframe person 1: anonymized (1) from frame 0, kept (0) from the middle. The host interpolates Integer
    // keys linearly (as many editors do); the switch must still happen exactly at the second key.
    Param* anon = fx->param("person1_anonymize");
    checks.check(anon->setKey(0, ParamValue::ofInt(1)) && anon->setKey(keyFrame, ParamValue::ofInt(0)),
                 "keyframes person1_anonymize = 1 @0, 0 @" + std::to_string(keyFrame) + " (host's linear interpolation)");
    const OfxStatus keyed = fx->userEdited("person1_anonymize", keyFrame);
    checks.check(keyed == kOfxStatOK || keyed == kOfxStatReplyDefault, "InstanceChanged(person1_anonymize)");

    // ---- Every frame, 8-bit, positive row bytes.
    std::vector<int> all;
    for (int t = 0; t < src.frameCount(); ++t) all.push_back(t);
    std::string firstPassError;
    const auto firstPassBefore = serveStats(runtime, &firstPassError);
    reference = renderFrames(*fx, all, "8-bit, positive row bytes");
    if (!fakeServer) {
        // Playing through new ground: the plugin sends the next frames ahead and the server renders them in the
        // background, so some of the frames asked for are already there — and no frame is rendered twice.
        const auto firstPassAfter = serveStats(runtime, &firstPassError);
        const auto delta = [&](const char* name) {
            const auto a = firstPassAfter.find(name), b = firstPassBefore.find(name);
            return (a == firstPassAfter.end() ? 0 : a->second) - (b == firstPassBefore.end() ? 0 : b->second);
        };
        checks.check(delta("renderedAhead") > 0 && delta("memoryHits") > 0,
                     "render-ahead: " + std::to_string(delta("renderedAhead")) + " frames rendered ahead of the playhead, " +
                         std::to_string(delta("memoryHits")) + " of the frames asked for were ready");
        checks.check(delta("rendered") + delta("renderedAhead") == static_cast<std::int64_t>(all.size()),
                     "every frame rendered exactly once (" + std::to_string(delta("rendered")) + " when asked, " +
                         std::to_string(delta("renderedAhead")) + " ahead, of " + std::to_string(all.size()) + ")");
    }
    size_t ownFrameOnly = 0;
    for (size_t i = 0; i < all.size(); ++i)
        ownFrameOnly += reference.framesNeeded[i] == std::vector<double>{static_cast<double>(all[i]), static_cast<double>(all[i])};
    checks.check(ownFrameOnly == all.size(), "with an analysis GetFramesNeeded leaves each render its own frame (" + std::to_string(ownFrameOnly) + "/" +
                                                 std::to_string(all.size()) + ")");
    const auto changed = checkChanges(reference, src, truth, keptId, keyFrame, "8-bit");
    writeOutputs(outDir, src, reference, *fx, keyFrame, keptId, otherIds, changed);

    // The runtime folder: the socket and this instance's frame slot, private to the user.
    for (const auto& name : listDir(runtime)) {
        struct stat fs {};
        lstat((runtime + "/" + name).c_str(), &fs);
        if (name.rfind("slot-", 0) == 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(fs.st_mode & 0777));
            checks.check((fs.st_mode & 0077) == 0, "frame slot " + name + " is private to the user (mode " + mode + ")");
        }
    }

    // ---- The same with negative row bytes: byte-identical, and served from the cache (the same pixels, settings
    // and selection), which the server's own counters show.
    std::string statsError;
    const auto countersBefore = serveStats(runtime, &statsError);
    fx->setImageLayout(true, 0);
    Run negative = renderFrames(*fx, all, "8-bit, negative row bytes");
    size_t diffFrames = 0;
    for (size_t i = 0; i < all.size(); ++i) diffFrames += negative.outputs[i] != reference.outputs[i];
    checks.check(diffFrames == 0, "negative row bytes give byte-identical output (" + std::to_string(diffFrames) + " frames differ)");
    fx->setImageLayout(false, 0);
    const auto countersAfter = serveStats(runtime, &statsError);
    const auto counted = [&](const std::map<std::string, std::int64_t>& before, const std::map<std::string, std::int64_t>& after,
                             const char* name) {
        const auto a = after.find(name), b = before.find(name);
        return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
    };
    if (!fakeServer) {
        checks.check(!countersAfter.empty(), "deid serve answers stats" + (statsError.empty() ? "" : ": " + statsError));
        const auto hits = counted(countersBefore, countersAfter, "memoryHits") + counted(countersBefore, countersAfter, "diskHits");
        const auto rendered = counted(countersBefore, countersAfter, "rendered");
        checks.check(hits == static_cast<std::int64_t>(all.size()) && rendered == 0,
                     "second pass served from the cache: " + std::to_string(hits) + " hits, " + std::to_string(rendered) + " frames rendered again (of " +
                         std::to_string(all.size()) + ")");
        checks.note("second pass (all cached): " + fmt(1000.0 * negative.seconds / all.size(), 1) + " ms/frame against " +
                    fmt(1000.0 * reference.seconds / all.size(), 1) + " ms/frame for the first");
    }

    // ---- Changing one person's keyframes re-renders only the frames where that person is; every other frame
    // comes from the cache unchanged. Then the keys go back, and so do the cached frames.
    if (!fakeServer && truth.available && !otherIds.empty()) {
        const int changedId = otherIds.front();
        std::vector<int> present;
        for (int t = 0; t < src.frameCount(); ++t)
            for (const Face& f : truth.frames[t]) if (f.identity == changedId) { present.push_back(t); break; }
        // Kept from the first frame: every frame where the person is absent must still come from the cache.
        const int from = 0;
        Param* other = fx->param("person2_anonymize");
        checks.check(other->setKey(from, ParamValue::ofInt(0)),
                     "keyframe person2_anonymize (identity " + std::to_string(changedId) + ") = 0 @" + std::to_string(from));
        fx->userEdited("person2_anonymize", from);
        const auto before = serveStats(runtime, &statsError);
        Run changedRun = renderFrames(*fx, all, "8-bit, person 2 kept from frame " + std::to_string(from));
        const auto after = serveStats(runtime, &statsError);
        // Frames rendered ahead of the playhead in the background count too.
        const auto rerendered = counted(before, after, "rendered") + counted(before, after, "renderedAhead");
        // The analysis's regions cover a person where detected, across short gaps and a few frames after the last
        // detection; the frames detected are the least that must change, those within a hold of them the most.
        std::set<int> least, most;
        for (int t : present) {
            if (t < from) continue;
            least.insert(t);
            for (int d = -6; d <= 6; ++d) if (t + d >= from && t + d < src.frameCount()) most.insert(t + d);
        }
        checks.check(rerendered >= static_cast<std::int64_t>(least.size()) && rerendered <= static_cast<std::int64_t>(most.size()),
                     "only frames showing identity " + std::to_string(changedId) + " were rendered again: " + std::to_string(rerendered) +
                         " (it is detected in " + std::to_string(least.size()) + " frames from " + std::to_string(from) + ", at most " +
                         std::to_string(most.size()) + " with holds; " + std::to_string(src.frameCount() - from) + " frames in that range)");
        size_t otherChanged = 0;
        for (int t = 0; t < src.frameCount(); ++t)
            if (!most.count(t)) otherChanged += changedRun.outputs[static_cast<size_t>(t)] != reference.outputs[static_cast<size_t>(t)];
        checks.check(otherChanged == 0, "frames without identity " + std::to_string(changedId) + " are unchanged (" + std::to_string(otherChanged) + " differ)");
        size_t revealed = 0;
        for (int t : least) revealed += changedRun.outputs[static_cast<size_t>(t)] != reference.outputs[static_cast<size_t>(t)];
        checks.check(revealed > 0, "frames with identity " + std::to_string(changedId) + " now show that person (" + std::to_string(revealed) + " changed)");

        other->deleteAllKeys();
        other->setValue(ParamValue::ofInt(1));
        fx->userEdited("person2_anonymize", 0);
        const auto restoredBefore = serveStats(runtime, &statsError);
        Run restored = renderFrames(*fx, all, "8-bit, person 2 keys removed again");
        const auto restoredAfter = serveStats(runtime, &statsError);
        size_t restoredDiff = 0;
        for (size_t i = 0; i < all.size(); ++i) restoredDiff += restored.outputs[i] != reference.outputs[i];
        checks.check(restoredDiff == 0 && counted(restoredBefore, restoredAfter, "rendered") == 0,
                     "with the keys removed every frame comes from the cache as before (" + std::to_string(restoredDiff) + " differ, " +
                         std::to_string(counted(restoredBefore, restoredAfter, "rendered")) + " rendered)");
    }

    // ---- The disk tier: after a restart of deid serve (memory cache gone) frames come from disk; entries damaged on
    // disk are detected and rendered again, never shown.
    if (!fakeServer) {
        const auto flushed = serveStats(runtime, &statsError, true);
        checks.check(!flushed.empty(), "deid serve flushed its disk cache" + (statsError.empty() ? "" : ": " + statsError));
        const std::string framesDir = envOr("DEID_CACHE_DIR", "") + "/frames";
        std::map<int, std::vector<std::string>> entries;  // frame -> its files
        for (const auto& folder : listDir(framesDir))
            for (const auto& name : listDir(framesDir + "/" + folder))
                if (name.size() > 12 && name.compare(name.size() - 4, 4, ".dfc") == 0)
                    entries[std::atoi(name.substr(0, 7).c_str())].push_back(framesDir + "/" + folder + "/" + name);
        // Disk writes are dropped rather than slow a render down when the writer falls behind: nearly every frame
        // is there, not necessarily all.
        checks.check(static_cast<int>(entries.size()) * 10 >= src.frameCount() * 9,
                     "the disk cache holds entries for " + std::to_string(entries.size()) + " of " + std::to_string(src.frameCount()) + " frames");
        std::vector<int> damaged;
        for (int t = 3; t < src.frameCount() && damaged.size() < 6; t += src.frameCount() / 6) {
            while (t < src.frameCount() && !entries.count(t)) ++t;
            if (t < src.frameCount()) damaged.push_back(t);
        }
        for (size_t i = 0; i < damaged.size(); ++i)
            for (const auto& path : entries[damaged[i]]) {
                std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
                file.seekg(0, std::ios::end);
                const std::streamoff size = file.tellg();
                if (i % 3 == 2) {  // truncated
                    file.close();
                    if (truncate(path.c_str(), size / 2) != 0) checks.note("cannot truncate " + path);
                    continue;
                }
                const std::streamoff at = i % 3 == 0 ? size - size / 3 : 40;  // in the pixels, or in the header
                char byte = 0;
                file.seekg(at);
                file.read(&byte, 1);
                byte = static_cast<char>(byte ^ 0x21);
                file.seekp(at);
                file.write(&byte, 1);
            }
        for (pid_t pid : findServer(runtime, false).pids) stopProcess(pid, SIGKILL, 5.0);
        std::vector<int> some;
        for (int t = 0; t < src.frameCount(); t += 7)
            if (entries.count(t)) some.push_back(t);
        some.insert(some.end(), damaged.begin(), damaged.end());
        std::sort(some.begin(), some.end());
        some.erase(std::unique(some.begin(), some.end()), some.end());
        Run fromDisk = renderFrames(*fx, some, "8-bit, after a restart, with damaged disk entries");
        const auto counters = serveStats(runtime, &statsError);
        size_t differ = 0;
        for (size_t i = 0; i < some.size(); ++i) differ += fromDisk.outputs[i] != reference.outputs[static_cast<size_t>(some[i])];
        const auto value = [&](const char* name) {
            const auto it = counters.find(name);
            return it == counters.end() ? -1 : it->second;
        };
        checks.check(differ == 0, "after the restart every frame is as before (" + std::to_string(differ) + " of " + std::to_string(some.size()) +
                                      " differ)");
        checks.check(value("corrupt") == static_cast<std::int64_t>(damaged.size()) && value("rendered") == static_cast<std::int64_t>(damaged.size()),
                     "the " + std::to_string(damaged.size()) + " damaged entries were detected (" + std::to_string(value("corrupt")) +
                         ") and rendered again (" + std::to_string(value("rendered")) + ")");
        // Read-ahead may have brought some into memory first; all the same, none was rendered.
        checks.check(value("diskHits") > 0 && value("diskHits") + value("memoryHits") == static_cast<std::int64_t>(some.size() - damaged.size()),
                     "the others came from the disk tier (" + std::to_string(value("diskHits")) + " read from disk, " +
                         std::to_string(value("memoryHits")) + " brought ahead into memory, of " + std::to_string(some.size() - damaged.size()) + ")");
    }

    // ---- 16-bit and float, on instances made as a reloaded project would (parameters set before CreateInstance).
    std::vector<int> some;
    for (int t = 0; t < src.frameCount(); t += 9) some.push_back(t);
    for (int t = keyFrame - 2; t <= keyFrame + 2; ++t) some.push_back(t);
    std::sort(some.begin(), some.end());
    some.erase(std::unique(some.begin(), some.end()), some.end());
    for (ImageLayout layout : {ImageLayout{PixelDepth::Short, false, 0}, ImageLayout{PixelDepth::Float, true, 0}}) {
        const std::string what = std::string(layout.depth == PixelDepth::Short ? "16-bit" : "float") + (layout.negativeRowBytes ? ", negative row bytes" : "");
        InstanceSetup other = setup;
        other.layout = layout;
        other.copyParamsFrom = fx.get();
        extra.push_back(plugin.createInstance(kOfxImageEffectContextFilter, other, &status));
        ImageEffect& dup = *extra.back();
        checks.check(status == kOfxStatOK, what + ": CreateInstance of a reloaded effect");
        dup.getClipPreferences();
        checks.check(dup.clip(kOfxImageEffectSimpleSourceClipName)->props().getString(kOfxImageEffectPropPixelDepth) == depthName(layout.depth),
                     what + ": the plugin keeps the host's depth");
        Run run = renderFrames(dup, some, what);
        checkChanges(run, src, truth, keptId, keyFrame, what);
        int worst = 0;
        size_t far = 0, farther = 0, compared = 0;
        for (size_t i = 0; i < some.size(); ++i) {
            const auto& a = run.outputs[i];
            const auto& b = reference.outputs[static_cast<size_t>(some[i])];
            if (a.size() != b.size()) continue;
            worst = std::max(worst, maxByteDifference(a.data(), b.data(), a.size()));
            for (size_t k = 0; k < a.size(); ++k) {
                const int d = std::abs(a[k] - b[k]);
                far += d > 2;
                farther += d > 8;
            }
            compared += a.size();
        }
        checks.note(what + ": largest difference from the 8-bit render " + std::to_string(worst) + " levels; " +
                    fmt(compared ? 100.0 * far / compared : 0, 4) + "% of values differ by more than 2, " +
                    fmt(compared ? 100.0 * farther / compared : 0, 4) + "% by more than 8");
        checks.check(compared > 0 && farther * 100 <= compared, what + ": within 8 levels of the 8-bit render for at least 99% of values");
    }

    // ---- A change upstream (another effect before this one alters a few frames): those frames are rendered again
    // from the new pixels, never answered with the cached result of the old ones.
    if (!fakeServer) {
        const std::set<int> changedFrames = {10, 11, 12};
        const auto graded = src.edited([&](int frame, std::uint8_t* rgba) {
            if (!changedFrames.count(frame)) return;
            for (int y = 4; y < 44; ++y)  // a grey patch in the top-left corner, away from the faces
                for (int x = 4; x < 44; ++x) std::memset(rgba + (static_cast<size_t>(y) * src.width() + x) * 4, 200, 3);
        });
        Clip* source = fx->clip(kOfxImageEffectSimpleSourceClipName);
        source->frames = graded.get();
        const auto before = serveStats(runtime, &statsError);
        const std::vector<int> frames(changedFrames.begin(), changedFrames.end());
        Run regraded = renderFrames(*fx, frames, "8-bit, frames changed upstream");
        const auto after = serveStats(runtime, &statsError);
        source->frames = &src;
        size_t fresh = 0;
        for (size_t i = 0; i < frames.size(); ++i) {
            const auto& out = regraded.outputs[i];
            // Top-down output: the patch's pixel (10, 10) must show the new grey.
            fresh += out.size() == src.frameBytes() && out[(10 * static_cast<size_t>(src.width()) + 10) * 4] == 200 &&
                     out != reference.outputs[static_cast<size_t>(frames[i])];
        }
        const auto again = counted(before, after, "rendered") + counted(before, after, "renderedAhead");
        checks.check(fresh == frames.size() && again == static_cast<std::int64_t>(frames.size()),
                     "frames changed upstream are rendered again from the new pixels (" + std::to_string(fresh) + "/" +
                         std::to_string(frames.size()) + " show the change, " + std::to_string(again) + " rendered)");
    }

    // ---- Method "Replace (new face)": every frame with a face to hide is changed there, differently from blur, and
    // the same frame renders the same way again.
    if (!fakeServer && truth.available) {
        Param* method = fx->param("method");
        checks.check(method->setValue(ParamValue::ofInt(3)), "Method = Replace (new face)");
        fx->userEdited("method", 0);
        std::vector<int> withFaces;
        for (int t = 2; t < keyFrame && withFaces.size() < 6; t += 11)
            if (!truth.frames[t].empty()) withFaces.push_back(t);
        Run replaced = renderFrames(*fx, withFaces, "8-bit, replace");
        size_t changed = 0, unlikeBlur = 0;
        for (size_t i = 0; i < withFaces.size(); ++i) {
            const auto& out = replaced.outputs[i];
            if (out.size() != src.frameBytes()) continue;
            changed += differingPixels(out.data(), src.frame(withFaces[i]), src.frameBytes() / 4) > 0;
            unlikeBlur += out != reference.outputs[static_cast<size_t>(withFaces[i])];
        }
        checks.check(changed == withFaces.size() && unlikeBlur == withFaces.size(),
                     "replace changed every frame with a face (" + std::to_string(changed) + "/" + std::to_string(withFaces.size()) +
                         "), unlike blur (" + std::to_string(unlikeBlur) + ")");
        Run again = renderFrames(*fx, withFaces, "8-bit, replace again");
        size_t same = 0;
        for (size_t i = 0; i < withFaces.size(); ++i) same += again.outputs[i] == replaced.outputs[i];
        checks.check(same == withFaces.size(), "replace renders each frame the same way again (" + std::to_string(same) + "/" +
                                                   std::to_string(withFaces.size()) + ")");
        method->setValue(ParamValue::ofInt(0));
        fx->userEdited("method", 0);
    }

    // ---- Fail closed.
    // Frames before the key with a face to hide, for the kill tests.
    std::vector<int> faceFrames;
    for (int t = 5; t < keyFrame - 5; ++t)
        if (!truth.available || !truth.frames[t].empty()) faceFrames.push_back(t);
    if (faceFrames.size() < 4) faceFrames = {10, 20, 30, 40};
    const auto sourceOf = [&](int t) { return std::vector<std::uint8_t>(src.frame(t), src.frame(t) + src.frameBytes()); };

    // 1. Server killed mid-render while it can be restarted: the render either fails closed or, after the
    //    plugin restarted the server, returns the correct picture; never the source.
    {
        const int t = faceFrames[0];
        KillMidRender kill{runtime, t};
        fx->onClipGetImage = std::ref(kill);
        RenderOutcome r = fx->render(t);
        fx->onClipGetImage = nullptr;
        checks.check(!kill.killed.empty(), "killed deid serve mid-render (pid " + (kill.killed.empty() ? std::string("?") : std::to_string(kill.killed[0])) +
                                               ", found by " + kill.method + ")");
        const auto out = r.output ? r.output->toTopDownRGBA8() : std::vector<std::uint8_t>();
        if (r.status == kOfxStatOK) {
            checks.check(out == reference.outputs[t], "restartable server: the plugin restarted it and rendered frame " + std::to_string(t) + " exactly as before");
        } else {
            MessageRecord pm;
            const bool hasMessage = Host::get().persistentMessage(fx->handle(), &pm);
            checks.check(r.status == kOfxStatFailed && hasMessage, "restartable server: the render failed closed (" + statusName(r.status) + "): " + pm.text);
            checks.check(out != sourceOf(t), "restartable server: the output is not the source");
        }
    }

    // 2. Server killed mid-render and it cannot come back (the launcher is gone): the render fails, says why,
    //    and the output is not the source; so does the next one; with the launcher back, rendering recovers.
    {
        const std::string missing = runtime + "/no-such-deid";
        // Make sure a server is running again first, so the kill happens mid-render.
        setenv("DEID_EXECUTABLE", deid.c_str(), 1);
        fx->render(faceFrames[1]);
        setenv("DEID_EXECUTABLE", missing.c_str(), 1);
        const int t = faceFrames[2];
        KillMidRender kill{runtime, t};
        fx->onClipGetImage = std::ref(kill);
        RenderOutcome r = fx->render(t);
        fx->onClipGetImage = nullptr;
        checks.check(!kill.killed.empty(), "killed deid serve mid-render with the launcher unavailable");
        MessageRecord pm;
        bool hasMessage = Host::get().persistentMessage(fx->handle(), &pm);
        checks.check(r.status == kOfxStatFailed, "the render returns kOfxStatFailed (" + statusName(r.status) + ")");
        checks.check(hasMessage && pm.type == kOfxMessageError, "a persistent error message is set: " + pm.text);
        auto out = r.output ? r.output->toTopDownRGBA8() : std::vector<std::uint8_t>();
        checks.check(out != sourceOf(t), "the output is not the source frame");
        checks.check(allZero(out), "the output is untouched (as the host zeroed it)");

        const int next = faceFrames[3];
        RenderOutcome r2 = fx->render(next);
        hasMessage = Host::get().persistentMessage(fx->handle(), &pm);
        out = r2.output ? r2.output->toTopDownRGBA8() : std::vector<std::uint8_t>();
        checks.check(r2.status == kOfxStatFailed && hasMessage, "the next render fails too, with the message: " + pm.text);
        checks.check(out != sourceOf(next) && allZero(out), "its output is untouched, not the source");

        setenv("DEID_EXECUTABLE", deid.c_str(), 1);
        RenderOutcome r3 = fx->render(next);
        out = r3.output ? r3.output->toTopDownRGBA8() : std::vector<std::uint8_t>();
        checks.check(r3.status == kOfxStatOK && out == reference.outputs[next], "with the launcher back the plugin restarts deid serve and renders correctly");
        checks.check(!Host::get().persistentMessage(fx->handle()), "and clears the persistent message");
    }

    return finishAll();
}
