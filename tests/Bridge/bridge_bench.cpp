// Benchmark of one 1920x1080 RGBA frame through Deid.ofx and `deid serve`, driven by the OpenFX test host, at
// 8 bits and in float. Not a test: it checks only that every render succeeded and that cached results equal the
// computed ones, and prints Markdown tables on stdout (progress goes to stderr).
//
//   bridge_bench --bundle <Deid.ofx.bundle or its binary> [--deid <deid launcher>] [--frames N] [--passes N]
//                [--copies N] [--depth 8|float|both] [--runtime-parent DIR]
//
// For each depth, on a fresh effect instance with no analysis:
//   uncached    every frame of the clip rendered once: the server detects faces. Without an analysis each render
//               carries a window of up to 5 frames (t-2..t+2), each read through clipGetImage and copied into the
//               slot; the server remembers each frame's detections by content, so a render costs about one new
//               detection, plus tracking and the blur.
//   cached      the same frames again, --passes times (default 5): identical input and settings, so the server
//               answers from its rendered-frame cache and the time is the round trip alone (the host's images, the
//               plugin's copies, the request, the server's hashing of the window and its copy of the result).
//   plain copy  the least a round trip through a slot could cost: memcpy of an input frame into a buffer of the
//               same size and back out to another, --copies times (default 100).
// Times are of the Render action (the host's clipGetImage work inside it included), in milliseconds per frame.
// Warm-up, not timed: two renders (one computed, one cached) of a synthetic frame on the same instance, which
// start the server, load the models, create the frame slot and bring the server's code paths up to speed. The
// synthetic frames differ from the clip's, so the warm-up leaves nothing cached that the clip's renders could use.
//
// Inputs: a 1080p clip made with ffmpeg from $DEID_MEDIA/video/short_hamilton_clip.mp4 (scaled, --frames frames,
// default 24), decoded by the host's FrameSource to 8-bit RGBA; the float instance gets the same frames converted
// by the host (v / 255), as bridge_e2e's float run does. DEID_RUNTIME_DIR is a fresh mode-0700 folder in
// --runtime-parent (default $TMPDIR, else /tmp), DEID_CACHE_DIR a temporary folder; DEID_FRAME_CACHE_MB, when
// unset, is raised if needed so that every frame rendered at both depths stays in the server's cache.
// Exit status: 0 done, 1 a render failed or a cached result differed, 77 skipped (plugin, launcher, media or
// ffmpeg missing).
#include "Effect.h"
#include "FrameSource.h"
#include "Host.h"
#include "ImageBuffer.h"
#include "Plugin.h"
#include "Process.h"
#include "ServerProcess.h"
#include "TestSupport.h"
#include "msgpack.h"
#include "serve_stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <malloc.h>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <vector>

using namespace ofxtest;

namespace {

constexpr int kSkip = 77;
constexpr int kWidth = 1920;
constexpr int kHeight = 1080;
constexpr int kWarmFrame = 2;  // far enough from the start to carry a whole window
constexpr long kTmpfsMagic = 0x01021994;

struct Options {
    std::string bundle;
    std::string deid;
    std::string runtimeParent;
    std::vector<PixelDepth> depths{PixelDepth::Byte, PixelDepth::Float};
    int frames = 24;
    int passes = 5;
    int copies = 100;
};

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

std::string fmt(double v, int digits = 2) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

const char* depthLabel(PixelDepth depth) { return depth == PixelDepth::Byte ? "8-bit" : depth == PixelDepth::Short ? "16-bit" : "float"; }

void progress(const std::string& text) {
    std::fprintf(stderr, "bridge_bench: %s\n", text.c_str());
    std::fflush(stderr);
}

int skip(const std::string& why) {
    std::printf("SKIPPED: %s\n", why.c_str());
    return kSkip;
}

int fail(const std::string& why) {
    std::printf("FAILED: %s\n", why.c_str());
    return 1;
}

struct Stats {
    size_t samples = 0;
    double p50 = 0, p99 = 0, mean = 0;
};

// Nearest-rank percentiles: with few samples p99 is the slowest one, not an interpolation past it.
Stats summarize(std::vector<double> ms) {
    Stats s;
    s.samples = ms.size();
    if (ms.empty()) return s;
    std::sort(ms.begin(), ms.end());
    const auto rank = [&](double q) { return ms[static_cast<size_t>(std::max(0.0, std::ceil(q * ms.size()) - 1))]; };
    s.p50 = rank(0.50);
    s.p99 = rank(0.99);
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / ms.size();
    return s;
}

// A fast digest of an image's pixels, enough to tell a cached result from a computed one that differs.
std::uint64_t digest(const ImageBuffer& image) {
    const size_t rowBytes = static_cast<size_t>(image.width()) * image.pixelBytes();
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (int y = 0; y < image.height(); ++y) {
        const std::uint8_t* row = image.row(y);
        size_t i = 0;
        for (; i + 8 <= rowBytes; i += 8) {
            std::uint64_t v;
            std::memcpy(&v, row + i, 8);
            h = (h ^ v) * 0x100000001B3ull;
            h ^= h >> 29;
        }
        for (; i < rowBytes; ++i) h = (h ^ row[i]) * 0x100000001B3ull;
    }
    return h;
}

// A fresh mode-0700 folder in `parent`.
std::string tempDirIn(const std::string& parent, const std::string& prefix) {
    std::string pattern = parent + "/" + prefix + "-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) return {};
    chmod(buf.data(), 0700);
    return buf.data();
}

bool isTmpfs(const std::string& path) {
    struct statfs fs {};
    return statfs(path.c_str(), &fs) == 0 && static_cast<long>(fs.f_type) == kTmpfsMagic;
}

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    double one = -1, five = -1;
    in >> one >> five;
    return one < 0 ? "?" : fmt(one) + " (1 min), " + fmt(five) + " (5 min)";
}

void stopServers(const std::string& runtime) {
    for (pid_t pid : findServer(runtime, false).pids)
        if (!stopProcess(pid, SIGTERM, 5.0)) stopProcess(pid, SIGKILL, 5.0);
}

double threadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// CPU time (user + system, all threads) of a process so far; negative when it cannot be read.
double processCpuMs(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) return -1;
    std::istringstream fields(text.substr(close + 1));
    std::string field;
    double ticks = 0;
    // State is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i >= 14) ticks += std::atof(field.c_str());
    return 1000.0 * ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double serverCpuMs(const std::string& runtime) {
    const ServerLookup s = findServer(runtime, false);
    return s.pids.size() == 1 ? processCpuMs(s.pids.front()) : -1;
}

struct Pass {
    std::vector<double> ms;      // the Render action
    std::vector<double> hostImageMs;  // of which the host's image calls
    std::vector<double> callMs;  // the whole host call: the host's own steps around the Render action included
    std::vector<double> cpuMs;   // this thread's CPU time in that call
    std::vector<std::uint64_t> digests;
    int failed = 0;
    std::string firstError;
};

Pass renderPass(ImageEffect& fx, int frames) {
    Pass pass;
    fx.beginSequenceRender(0, frames - 1);
    for (int t = 0; t < frames; ++t) {
        OfxRectD rod{};
        fx.getRegionOfDefinition(t, &rod);
        // The plugin renders on the calling thread and waits there for the server, so this thread's CPU time is
        // the host's and the plugin's share of the call.
        const double cpu = threadCpuMs();
        const auto call = Clock::now();
        const RenderOutcome r = fx.render(t);
        pass.callMs.push_back(msSince(call));
        pass.cpuMs.push_back(threadCpuMs() - cpu);
        pass.ms.push_back(1000.0 * r.seconds);
        pass.digests.push_back(r.output ? digest(*r.output) : 0);
        if (r.status != kOfxStatOK) {
            ++pass.failed;
            MessageRecord pm;
            if (pass.firstError.empty())
                pass.firstError = "frame " + std::to_string(t) + ": " + statusName(r.status) +
                                  (Host::get().persistentMessage(fx.handle(), &pm) ? " (" + pm.text + ")" : "");
        }
    }
    fx.endSequenceRender(0, frames - 1);
    return pass;
}

struct DepthResult {
    PixelDepth depth = PixelDepth::Byte;
    size_t frameBytes = 0;
    std::vector<double> uncached, cached, copy;
    std::vector<double> cachedCall, cachedCpu;  // the cached renders' whole host calls: wall and this thread's CPU
    double cachedServerCpu = -1;                // deid serve's CPU time per cached render (negative: unknown)
    double imagesPerRender = 0;                 // Source images the plugin fetched per cached render
    int framesChanged = 0;                      // computed results that differ from their input (faces hidden)
    int cachedMismatches = 0;                   // cached results that differ from the computed ones
    // With an analysis (after Analyze clip): each frame rendered once, then scrubbed over; and the bare transport.
    std::vector<double> analysedUncached, scrub, scrubOwn, transport, passThrough;
    int scrubMismatches = 0;
    std::int64_t scrubHits = 0, scrubRendered = 0;
};

// Renders frames in the given order, outside a sequence, as a host does while the editor scrubs.
Pass renderOrder(ImageEffect& fx, const std::vector<int>& order) {
    Pass pass;
    for (int t : order) {
        OfxRectD rod{};
        fx.getRegionOfDefinition(t, &rod);
        const RenderOutcome r = fx.render(t);
        pass.ms.push_back(1000.0 * r.seconds);
        pass.hostImageMs.push_back(1000.0 * r.hostImageSeconds);
        pass.digests.push_back(r.output ? digest(*r.output) : 0);
        if (r.status != kOfxStatOK) {
            ++pass.failed;
            MessageRecord pm;
            if (pass.firstError.empty())
                pass.firstError = "frame " + std::to_string(t) + ": " + statusName(r.status) +
                                  (Host::get().persistentMessage(fx.handle(), &pm) ? " (" + pm.text + ")" : "");
        }
    }
    return pass;
}

// An editor scrubbing: forward and back over the range, then back-and-forth jumps around a wandering playhead.
std::vector<int> scrubOrder(int frames, int passes) {
    std::vector<int> order;
    std::uint32_t state = 12345;
    for (int p = 0; p < passes; ++p) {
        for (int t = 0; t < frames; ++t) order.push_back(t);
        for (int t = frames - 1; t >= 0; --t) order.push_back(t);
        int head = frames / 2;
        for (int i = 0; i < frames; ++i) {
            state = state * 1664525u + 1013904223u;
            head = std::clamp(head + static_cast<int>(state >> 28) - 7, 0, frames - 1);
            order.push_back(head);
        }
    }
    return order;
}

// A file of `bytes` in the runtime folder mapped shared, as a frame slot is; removed when done. data() is null
// (and `error` says why) when it could not be made.
class MappedSlot {
public:
    MappedSlot(std::string path, size_t bytes, std::string* error) : path_(std::move(path)), bytes_(bytes) {
        const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || ftruncate(fd, static_cast<off_t>(bytes_)) != 0) {
            *error = "cannot create " + path_;
            if (fd >= 0) ::close(fd);
            return;
        }
        void* mapped = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        if (mapped == MAP_FAILED) {
            *error = "cannot map " + path_;
            return;
        }
        data_ = static_cast<std::uint8_t*>(mapped);
    }
    ~MappedSlot() {
        if (data_ != nullptr) munmap(data_, bytes_);
        ::unlink(path_.c_str());
    }
    MappedSlot(const MappedSlot&) = delete;
    MappedSlot& operator=(const MappedSlot&) = delete;
    std::uint8_t* data() const { return data_; }

private:
    std::string path_;
    size_t bytes_;
    std::uint8_t* data_ = nullptr;
};

// A frame passed through the bridge's transport unprocessed, with the host's part of a render: the host makes the
// Source image (as its clipGetImage does) and an Output image, the frame is copied row by row into a mapped slot
// file, one request and reply with deid serve (ping), and copied row by row into the Output image.
std::vector<double> passThroughRoundTrips(const FrameSource& src, PixelDepth depth, int copies, const std::string& runtime,
                                          std::string* error) {
    std::vector<double> ms;
    const ImageLayout layout{depth, false, 0};
    const size_t rowBytes = static_cast<size_t>(src.width()) * 4 * static_cast<size_t>(bytesPerComponent(depth));
    const size_t bytes = rowBytes * static_cast<size_t>(src.height());
    MappedSlot mapped(runtime + "/bench-passthrough.shm", bytes, error);
    std::uint8_t* const slot = mapped.data();
    if (slot == nullptr) return ms;
    ServeConnection connection;
    if (connection.open(runtime, error)) {
        deid::msgpack::Value ping = deid::msgpack::Value::map();
        ping.set("type", "ping");
        deid::msgpack::Value reply;
        for (int i = 0; i < copies; ++i) {
            const int t = i % src.frameCount();
            const auto start = Clock::now();
            ImageBuffer source(src.width(), src.height(), layout);
            source.fillFromTopDownRGBA8(src.frame(t));
            ImageBuffer output(src.width(), src.height(), layout);
            for (int y = 0; y < src.height(); ++y) std::memcpy(slot + static_cast<size_t>(y) * rowBytes, source.row(y), rowBytes);
            if (!connection.request(ping, reply, error)) break;
            for (int y = 0; y < src.height(); ++y) std::memcpy(output.row(y), slot + static_cast<size_t>(y) * rowBytes, rowBytes);
            ms.push_back(msSince(start));
        }
    }
    return ms;
}

// The least a frame's round trip through the bridge's transport costs: the frame copied into a mapped slot file in
// the runtime folder, one request and reply with deid serve (ping), the frame copied out again.
std::vector<double> transportRoundTrips(const std::vector<std::vector<std::uint8_t>>& frames, int copies, const std::string& runtime,
                                        std::string* error) {
    std::vector<double> ms;
    const size_t bytes = frames.front().size();
    MappedSlot mapped(runtime + "/bench-transport.shm", bytes, error);
    std::uint8_t* const slot = mapped.data();
    if (slot == nullptr) return ms;
    std::vector<std::uint8_t> out(bytes, 2);
    ServeConnection connection;
    if (connection.open(runtime, error)) {
        deid::msgpack::Value ping = deid::msgpack::Value::map();
        ping.set("type", "ping");
        deid::msgpack::Value reply;
        for (int i = 0; i < copies; ++i) {
            const auto& in = frames[static_cast<size_t>(i) % frames.size()];
            const auto start = Clock::now();
            std::memcpy(slot, in.data(), bytes);
            if (!connection.request(ping, reply, error)) break;
            std::memcpy(out.data(), slot, bytes);
            ms.push_back(msSince(start));
        }
    }
    return ms;
}

// Packed top-down frames of the clip in `depth`, converted as the host converts them for the plugin.
std::vector<std::vector<std::uint8_t>> framesIn(const FrameSource& src, PixelDepth depth) {
    std::vector<std::vector<std::uint8_t>> out;
    for (int t = 0; t < src.frameCount(); ++t) {
        ImageBuffer image(src.width(), src.height(), ImageLayout{depth, false, 0});
        image.fillFromTopDownRGBA8(src.frame(t));
        out.push_back(image.toTopDownNative());
    }
    return out;
}

// Two copies of a frame's bytes (in, then out). The input frame changes each time, as a clip's does, so the
// copy does not run from a cache the previous one warmed.
std::vector<double> plainCopies(const FrameSource& src, PixelDepth depth, int copies) {
    const auto frames = framesIn(src, depth);
    const size_t bytes = frames.front().size();
    std::vector<std::uint8_t> slot(bytes, 1), out(bytes, 2);
    std::vector<double> ms;
    volatile std::uint8_t sink = 0;
    for (int i = 0; i < copies; ++i) {
        const auto& in = frames[static_cast<size_t>(i) % frames.size()];
        const auto start = Clock::now();
        std::memcpy(slot.data(), in.data(), bytes);
        std::memcpy(out.data(), slot.data(), bytes);
        ms.push_back(msSince(start));
        sink = sink ^ out[static_cast<size_t>(i) * 4099 % bytes];  // the copies must not be optimised away
    }
    return ms;
}

// One depth: a fresh instance, the warm-up, the computed pass, the cached passes, then the plain copies.
bool benchDepth(LoadedPlugin& plugin, const FrameSource& clip, const FrameSource& warm, const Options& opt, const std::string& runtime,
                bool first, DepthResult* result) {
    const std::string name = depthLabel(result->depth);
    InstanceSetup setup;
    setup.inputs[kOfxImageEffectSimpleSourceClipName] = &clip;
    setup.layout = ImageLayout{result->depth, false, 0};
    OfxStatus status = kOfxStatOK;
    auto fx = plugin.createInstance(kOfxImageEffectContextFilter, setup, &status);
    if (status != kOfxStatOK) {
        std::printf("FAILED: %s: CreateInstance returned %s\n", name.c_str(), statusName(status).c_str());
        return false;
    }
    fx->getClipPreferences();
    const bool ok = [&] {
        // The warm-up renders other pixels, so the clip's own frames still reach the server uncached.
        progress(name + ": warm-up" + (first ? " (starts deid serve and loads the models)" : ""));
        Clip* source = fx->clip(kOfxImageEffectSimpleSourceClipName);
        source->frames = &warm;
        const auto start = Clock::now();
        for (int i = 0; i < 2; ++i) {
            const RenderOutcome r = fx->render(kWarmFrame);
            if (r.status != kOfxStatOK) {
                MessageRecord pm;
                const bool message = Host::get().persistentMessage(fx->handle(), &pm);
                std::printf("FAILED: %s: warm-up render returned %s%s\n", name.c_str(), statusName(r.status).c_str(),
                            message ? (" (" + pm.text + ")").c_str() : "");
                return false;
            }
        }
        source->frames = &clip;
        progress(name + ": warm-up took " + fmt(msSince(start) / 1000.0, 1) + " s");

        progress(name + ": uncached pass");
        const Pass computed = renderPass(*fx, clip.frameCount());
        if (computed.failed > 0) {
            std::printf("FAILED: %s: %d uncached renders failed; first: %s\n", name.c_str(), computed.failed, computed.firstError.c_str());
            return false;
        }
        result->uncached = computed.ms;
        for (int t = 0; t < clip.frameCount(); ++t) {
            ImageBuffer input(clip.width(), clip.height(), setup.layout);
            input.fillFromTopDownRGBA8(clip.frame(t));
            result->framesChanged += digest(input) != computed.digests[static_cast<size_t>(t)];
        }

        long images = 0;
        const std::string sourceName = kOfxImageEffectSimpleSourceClipName;
        fx->onClipGetImage = [&](Clip& c, double) { images += c.name() == sourceName; };
        const double serverBefore = serverCpuMs(runtime);
        for (int p = 0; p < opt.passes; ++p) {
            progress(name + ": cached pass " + std::to_string(p + 1) + "/" + std::to_string(opt.passes));
            const Pass again = renderPass(*fx, clip.frameCount());
            if (again.failed > 0) {
                std::printf("FAILED: %s: %d cached renders failed; first: %s\n", name.c_str(), again.failed, again.firstError.c_str());
                fx->onClipGetImage = nullptr;
                return false;
            }
            for (size_t i = 0; i < again.digests.size(); ++i) result->cachedMismatches += again.digests[i] != computed.digests[i];
            result->cached.insert(result->cached.end(), again.ms.begin(), again.ms.end());
            result->cachedCall.insert(result->cachedCall.end(), again.callMs.begin(), again.callMs.end());
            result->cachedCpu.insert(result->cachedCpu.end(), again.cpuMs.begin(), again.cpuMs.end());
        }
        const double serverAfter = serverCpuMs(runtime);
        fx->onClipGetImage = nullptr;
        if (serverBefore >= 0 && serverAfter >= serverBefore)
            result->cachedServerCpu = (serverAfter - serverBefore) / static_cast<double>(result->cached.size());
        result->imagesPerRender = static_cast<double>(images) / static_cast<double>(result->cached.size());

        // ---- With an analysis, as an editor works after Analyze clip: each frame rendered once, then scrubbed.
        progress(name + ": Analyze clip");
        if (fx->userEdited("analyze", 0) != kOfxStatOK) {
            std::printf("FAILED: %s: Analyze clip failed\n", name.c_str());
            return false;
        }
        progress(name + ": each frame once with the analysis");
        const Pass analysed = renderPass(*fx, clip.frameCount());
        if (analysed.failed > 0) {
            std::printf("FAILED: %s: %d renders with the analysis failed; first: %s\n", name.c_str(), analysed.failed, analysed.firstError.c_str());
            return false;
        }
        result->analysedUncached = analysed.ms;
        const std::vector<int> order = scrubOrder(clip.frameCount(), opt.passes);
        progress(name + ": scrubbing, " + std::to_string(order.size()) + " renders");
        std::string statsError;
        const auto before = serveStats(runtime, &statsError);
        const Pass scrubbed = renderOrder(*fx, order);
        const auto after = serveStats(runtime, &statsError);
        if (scrubbed.failed > 0) {
            std::printf("FAILED: %s: %d scrubbing renders failed; first: %s\n", name.c_str(), scrubbed.failed, scrubbed.firstError.c_str());
            return false;
        }
        for (size_t i = 0; i < order.size(); ++i) result->scrubMismatches += scrubbed.digests[i] != analysed.digests[static_cast<size_t>(order[i])];
        result->scrub = scrubbed.ms;
        for (size_t i = 0; i < scrubbed.ms.size(); ++i) result->scrubOwn.push_back(scrubbed.ms[i] - scrubbed.hostImageMs[i]);
        const auto delta = [&](const char* key) {
            const auto a = after.find(key), b = before.find(key);
            return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
        };
        result->scrubHits = delta("memoryHits") + delta("diskHits");
        result->scrubRendered = delta("rendered");
        progress(name + ": bare transport round trips");
        result->transport = transportRoundTrips(framesIn(clip, result->depth), opt.copies, runtime, &statsError);
        progress(name + ": frames passed through the transport unprocessed");
        result->passThrough = passThroughRoundTrips(clip, result->depth, opt.copies, runtime, &statsError);
        if (result->transport.empty() || result->passThrough.empty()) {
            std::printf("FAILED: %s: transport round trips: %s\n", name.c_str(), statsError.c_str());
            return false;
        }
        return true;
    }();
    plugin.destroyInstance(fx);
    if (!ok) return false;

    progress(name + ": plain copies");
    result->frameBytes = clip.frameBytes() * static_cast<size_t>(bytesPerComponent(result->depth));
    result->copy = plainCopies(clip, result->depth, opt.copies);
    return true;
}

void printReport(const std::vector<DepthResult>& results, const Options& opt, const std::string& runtime, int frames,
                 const std::string& loadBefore) {
    std::printf("\n## bridge_bench: %dx%d RGBA, %d frames, Deid.ofx + deid serve, no analysis\n\n", kWidth, kHeight, frames);
    std::printf("| depth | case | samples | p50 ms | p99 ms | mean ms | fps (p50) |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    for (const auto& r : results) {
        const auto row = [&](const char* what, const std::vector<double>& ms) {
            const Stats s = summarize(ms);
            std::printf("| %s | %s | %zu | %s | %s | %s | %s |\n", depthLabel(r.depth), what, s.samples, fmt(s.p50).c_str(),
                        fmt(s.p99).c_str(), fmt(s.mean).c_str(), fmt(s.p50 > 0 ? 1000.0 / s.p50 : 0.0, 1).c_str());
        };
        row("uncached (detects faces)", r.uncached);
        row("cached (round trip)", r.cached);
        row("plain copy (2 x frame)", r.copy);
    }
    std::printf("\n");
    for (const auto& r : results) {
        const Stats cached = summarize(r.cached), copy = summarize(r.copy);
        std::printf("- %s: **cached / plain copy (p50) = %sx**; frame %s MB; faces hidden in %d of %d frames; cached results equal "
                    "to the computed ones: %zu of %zu\n",
                    depthLabel(r.depth), fmt(copy.p50 > 0 ? cached.p50 / copy.p50 : 0.0, 1).c_str(), fmt(r.frameBytes / 1e6, 1).c_str(),
                    r.framesChanged, frames, r.cached.size() - r.cachedMismatches, r.cached.size());
    }
    std::printf("\n## Scrubbing with an analysis (after Analyze clip), %dx%d RGBA, %d frames\n\n", kWidth, kHeight, frames);
    std::printf("| depth | case | samples | p50 ms | p99 ms | mean ms | fps (p50) |\n");
    std::printf("|---|---|---:|---:|---:|---:|---:|\n");
    for (const auto& r : results) {
        const auto row = [&](const char* what, const std::vector<double>& ms) {
            const Stats s = summarize(ms);
            std::printf("| %s | %s | %zu | %s | %s | %s | %s |\n", depthLabel(r.depth), what, s.samples, fmt(s.p50).c_str(),
                        fmt(s.p99).c_str(), fmt(s.mean).c_str(), fmt(s.p50 > 0 ? 1000.0 / s.p50 : 0.0, 1).c_str());
        };
        row("first render of each frame", r.analysedUncached);
        row("scrubbing (cache hits)", r.scrub);
        row("scrubbing, less the host's image calls", r.scrubOwn);
        row("pass-through: host images + transport", r.passThrough);
        row("bare transport round trip", r.transport);
    }
    std::printf("\n");
    for (const auto& r : results) {
        const Stats scrub = summarize(r.scrub), transport = summarize(r.transport), pass = summarize(r.passThrough),
                    own = summarize(r.scrubOwn);
        std::printf("- %s: cache hit less the host's image calls / bare transport round trip (p50) = **%sx**\n", depthLabel(r.depth),
                    fmt(transport.p50 > 0 ? own.p50 / transport.p50 : 0.0, 2).c_str());
        std::printf("- %s: **cache hit / pass-through (p50) = %sx**, cache hit / bare transport round trip (p50) = %sx, hit p99 %s ms; "
                    "%lld of %zu scrubbing renders were cache hits, %lld rendered again; results equal to the first renders: %zu of %zu\n",
                    depthLabel(r.depth), fmt(pass.p50 > 0 ? scrub.p50 / pass.p50 : 0.0, 2).c_str(),
                    fmt(transport.p50 > 0 ? scrub.p50 / transport.p50 : 0.0, 2).c_str(), fmt(scrub.p99).c_str(),
                    static_cast<long long>(r.scrubHits), r.scrub.size(), static_cast<long long>(r.scrubRendered),
                    r.scrub.size() - static_cast<size_t>(r.scrubMismatches), r.scrub.size());
    }
    std::printf("- pass-through: what any effect behind this transport pays for an unprocessed frame: the host makes the Source\n"
                "  image (as the test host's clipGetImage does) and an Output image, the frame goes into a mapped slot file\n"
                "  row by row, a ping to deid serve and its reply, and back row by row into the Output image.\n");
    std::printf("- bare transport round trip: the frame copied into a mapped file in the runtime folder, a ping to deid serve and\n"
                "  its reply, the frame copied out (--copies times). A scrubbing render is the whole Render action: the host's\n"
                "  clipGetImage, the plugin hashing the source, the probe, the server's copy of the cached result into the\n"
                "  slot, the plugin's copy into the output image.\n");

    std::printf("\nWhere a cached render goes (means per render, ms):\n\n");
    std::printf("| depth | Source images per render | whole host call | Render action | host + plugin CPU | deid serve CPU |\n");
    std::printf("|---|---:|---:|---:|---:|---:|\n");
    for (const auto& r : results)
        std::printf("| %s | %s | %s | %s | %s | %s |\n", depthLabel(r.depth), fmt(r.imagesPerRender, 2).c_str(),
                    fmt(summarize(r.cachedCall).mean).c_str(), fmt(summarize(r.cached).mean).c_str(),
                    fmt(summarize(r.cachedCpu).mean).c_str(), r.cachedServerCpu >= 0 ? fmt(r.cachedServerCpu).c_str() : "?");
    std::printf("\nNotes:\n");
    std::printf("- Times are of the Render action, the host's clipGetImage work inside it included. Without an analysis each\n"
                "  render carries a window of up to 5 frames (t-2..t+2, fewer at the clip's ends): the plugin fetches and\n"
                "  copies all of them into the slot, and the server hashes all of them for its cache key and detects faces in\n"
                "  those it has not seen.\n");
    std::printf("- Excluded: the warm-up, 2 renders of a synthetic frame per depth (the first starts deid serve and loads the\n"
                "  models).\n");
    std::printf("- uncached: each frame once; cached: the same frames %d more times; plain copy: %d times 2 memcpy of a frame.\n",
                opt.passes, opt.copies);
    std::printf("- p99 is nearest-rank (with %d samples, the slowest); fps = 1000 / p50.\n", frames);
    std::printf("- Whole host call: the Render action plus the host's own steps around it (regions, frames needed, identity,\n"
                "  a new output image). host + plugin CPU: this thread's CPU time in that call (the host making every image,\n"
                "  the plugin's copies). deid serve CPU: the server's CPU time over the cached passes per render (all its\n"
                "  threads, clock-tick resolution; it can overlap the other).\n");
    std::printf("- Runtime folder (frame slot) on %s. Load average before: %s; after: %s.\n",
                isTmpfs(runtime) ? "tmpfs" : "a disk file system", loadBefore.c_str(), loadAverage().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    // Freed images go back to the heap and are reused, as from a host's frame pool. Left to itself glibc maps the
    // large ones fresh now and then (thousands of page faults for a 33 MB float image), depending on what the
    // process allocated before: the float results moved by half with the order of the depths.
    if (mallopt(M_MMAP_THRESHOLD, 512 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 1 << 30) != 1)
        progress("the C library kept its own allocation thresholds: float results may vary from run to run");
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        const auto number = [&](int* out) {
            *out = std::atoi(argv[++i]);
            return *out > 0;
        };
        bool ok = true;
        if (a == "--bundle" && hasValue) opt.bundle = argv[++i];
        else if (a == "--deid" && hasValue) opt.deid = argv[++i];
        else if (a == "--runtime-parent" && hasValue) opt.runtimeParent = argv[++i];
        else if (a == "--frames" && hasValue) ok = number(&opt.frames);
        else if (a == "--passes" && hasValue) ok = number(&opt.passes);
        else if (a == "--copies" && hasValue) ok = number(&opt.copies);
        else if (a == "--depth" && hasValue) {
            const std::string d = argv[++i];
            if (d == "8") opt.depths = {PixelDepth::Byte};
            else if (d == "float") opt.depths = {PixelDepth::Float};
            else ok = d == "both";
        } else ok = false;
        if (!ok) {
            std::fprintf(stderr, "bad argument %s\nusage: bridge_bench --bundle DIR [--deid FILE] [--frames N] [--passes N] [--copies N] "
                                 "[--depth 8|float|both] [--runtime-parent DIR]\n", a.c_str());
            return 2;
        }
    }
    if (opt.frames < 5) return fail("--frames must be at least 5 (a whole window)");
    if (opt.bundle.empty() || !fileExists(opt.bundle)) return skip("the plugin is not built: " + opt.bundle);
    const std::string deid = opt.deid.empty() ? envOr("DEID_EXECUTABLE", "") : opt.deid;
    if (deid.empty() || !isExecutable(deid)) return skip("the deid launcher is not built: '" + deid + "' (--deid or DEID_EXECUTABLE)");
    const std::string clipPath = mediaDir(DEID_REPO_ROOT) + "/video/short_hamilton_clip.mp4";
    if (!fileExists(clipPath)) return skip("test clip not found: " + clipPath + " (set DEID_MEDIA)");
    if (runProcess({"ffmpeg", "-hide_banner", "-version"}).exitCode != 0) return skip("ffmpeg is not available");
    const std::string loadBefore = loadAverage();

    // ---- Environment: private runtime and cache folders, the launcher, the models, a frame cache big enough.
    const std::string runtime = opt.runtimeParent.empty() ? makeTempDir("deid-bench-runtime") : tempDirIn(opt.runtimeParent, "deid-bench-runtime");
    const std::string work = makeTempDir("deid-bench");
    struct Cleanup {
        std::string runtime, work;
        ~Cleanup() {
            if (!runtime.empty()) {
                stopServers(runtime);
                removeTree(runtime);
            }
            if (!work.empty()) removeTree(work);
        }
    } cleanup{runtime, work};
    if (runtime.empty() || work.empty()) return fail("cannot create temporary folders");
    const std::string cacheDir = work + "/cache";
    mkdir(cacheDir.c_str(), 0700);
    setenv("DEID_RUNTIME_DIR", runtime.c_str(), 1);
    setenv("DEID_CACHE_DIR", cacheDir.c_str(), 1);
    setenv("DEID_EXECUTABLE", deid.c_str(), 1);
    const std::string models = std::string(DEID_REPO_ROOT) + "/../shared/models";
    if (envOr("DEID_MODELS", "").empty() && fileExists(models)) setenv("DEID_MODELS", models.c_str(), 1);
    if (envOr("DEID_FRAME_CACHE_MB", "").empty()) {
        // Every depth's results (without and with the analysis: two sets) and the warm-ups', with room to spare,
        // against the server's default of 1 GiB.
        double megabytes = 64;
        for (PixelDepth d : opt.depths) megabytes += (2.0 * opt.frames + 2.0) * kWidth * kHeight * 4.0 * bytesPerComponent(d) / (1 << 20);
        if (megabytes > 1024) setenv("DEID_FRAME_CACHE_MB", std::to_string(static_cast<long>(megabytes)).c_str(), 1);
    }
    progress("runtime folder " + runtime + (isTmpfs(runtime) ? " (tmpfs)" : "") + ", DEID_FRAME_CACHE_MB=" +
             envOr("DEID_FRAME_CACHE_MB", "(server default)"));

    // ---- The 1080p clip, decoded by the host.
    const std::string clip1080 = work + "/clip1080.mp4";
    const ProcessResult made = runProcess({"ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", clipPath, "-map", "0:v:0",
                                           "-vf", "scale=" + std::to_string(kWidth) + ":" + std::to_string(kHeight), "-frames:v",
                                           std::to_string(opt.frames), "-c:v", "libx264", "-preset", "veryfast", "-crf", "16",
                                           "-pix_fmt", "yuv420p", "-an", clip1080});
    if (made.exitCode != 0) return fail("ffmpeg could not make the 1080p clip: " + made.err.substr(0, 400));
    std::string error;
    const auto clip = FrameSource::decodeVideo(clip1080, &error, opt.frames);
    if (!clip) return fail("decoding the 1080p clip: " + error);
    if (clip->width() != kWidth || clip->height() != kHeight || clip->frameCount() < 5)
        return fail("the 1080p clip decoded as " + std::to_string(clip->frameCount()) + " frames of " + std::to_string(clip->width()) +
                    "x" + std::to_string(clip->height()));
    const auto warm = FrameSource::synthetic(kWidth, kHeight, clip->frameCount(), clip->fps());
    progress(std::to_string(clip->frameCount()) + " frames " + std::to_string(clip->width()) + "x" + std::to_string(clip->height()) +
             " decoded");

    // ---- The plugin.
    auto binary = PluginBinary::open(opt.bundle, true, &error);
    if (!binary) return fail("dlopen " + opt.bundle + ": " + error);
    if (binary->pluginCount() < 1) return fail("no plugin in " + opt.bundle);
    Host::get().echoMessages = false;
    LoadedPlugin plugin(*binary, binary->plugin(0));
    if (plugin.load() != kOfxStatOK || plugin.describe() != kOfxStatOK ||
        plugin.describeInContext(kOfxImageEffectContextFilter) != kOfxStatOK)
        return fail("Load / Describe / DescribeInContext(Filter)");

    std::vector<DepthResult> results;
    for (PixelDepth d : opt.depths) {
        results.emplace_back();
        results.back().depth = d;
        if (!benchDepth(plugin, *clip, *warm, opt, runtime, results.size() == 1, &results.back())) return 1;
    }
    plugin.unload();

    printReport(results, opt, runtime, clip->frameCount(), loadBefore);
    for (const auto& r : results) {
        if (r.cachedMismatches > 0) return fail(std::string(depthLabel(r.depth)) + ": cached results differ from the computed ones");
        if (r.scrubMismatches > 0) return fail(std::string(depthLabel(r.depth)) + ": scrubbed results differ from the first renders");
    }
    return 0;
}
