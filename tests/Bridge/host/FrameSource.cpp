#include "FrameSource.h"

#include "Process.h"

#include <map>
#include <sstream>

namespace ofxtest {

namespace {

std::map<std::string, std::string> keyValues(const std::string& text) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos && out.count(line.substr(0, eq)) == 0) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

bool parseRate(const std::string& text, int* num, int* den) {
    int n = 0, d = 0;
    char slash = 0;
    std::istringstream in(text);
    if (!(in >> n >> slash >> d) || slash != '/' || n <= 0 || d <= 0) return false;
    *num = n;
    *den = d;
    return true;
}

// swscale's matrix name for a stream's colour space, as the deid CLI chooses it.
std::string conversionMatrix(const std::string& space, int width, int height) {
    if (space == "bt709") return "bt709";
    if (space == "smpte170m" || space == "bt470bg") return "bt601";
    if (space == "bt2020nc" || space == "bt2020c") return "bt2020";
    if (space == "smpte240m") return "smpte240m";
    if (space == "fcc") return "fcc";
    return width >= 1280 || height > 576 ? "bt709" : "bt601";
}

}  // namespace

std::unique_ptr<FrameSource> FrameSource::decodeVideo(const std::string& path, std::string* error, int maxFrames) {
    ProcessResult probe = runProcess({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                      "stream=width,height,r_frame_rate,color_space,color_range,pix_fmt", "-of",
                                      "default=noprint_wrappers=1", path});
    if (probe.exitCode != 0) {
        *error = "ffprobe failed on " + path + ": " + probe.err;
        return nullptr;
    }
    auto info = keyValues(probe.out);
    auto src = std::make_unique<FrameSource>();
    src->path_ = path;
    src->width_ = std::atoi(info["width"].c_str());
    src->height_ = std::atoi(info["height"].c_str());
    if (src->width_ <= 0 || src->height_ <= 0) {
        *error = "ffprobe reported no video size for " + path;
        return nullptr;
    }
    if (!parseRate(info["r_frame_rate"], &src->fpsNum_, &src->fpsDen_)) {
        src->fpsNum_ = 25;
        src->fpsDen_ = 1;
    }
    const bool fullRange = info["color_range"] == "pc" || info["pix_fmt"].rfind("yuvj", 0) == 0;
    const std::string filter = "scale=w=" + std::to_string(src->width_) + ":h=" + std::to_string(src->height_) +
                               ":in_color_matrix=" + conversionMatrix(info["color_space"], src->width_, src->height_) +
                               ":in_range=" + (fullRange ? "pc" : "tv") +
                               ":out_range=pc:flags=bicubic+full_chroma_int,format=rgba";
    std::vector<std::string> argv{"ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-noautorotate", "-i", path,
                                  "-map", "0:v:0", "-vf", filter, "-fps_mode", "passthrough"};
    if (maxFrames >= 0) {
        argv.push_back("-frames:v");
        argv.push_back(std::to_string(maxFrames));
    }
    for (const char* a : {"-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"}) argv.push_back(a);
    ProcessReader reader(argv);
    if (!reader.started()) {
        *error = "could not start ffmpeg";
        return nullptr;
    }
    const size_t bytes = src->frameBytes();
    for (;;) {
        std::vector<std::uint8_t> frame(bytes);
        const size_t got = reader.readFully(frame.data(), bytes);
        if (got == 0) break;
        if (got != bytes) {
            *error = "ffmpeg delivered a truncated frame " + std::to_string(src->frames_.size());
            return nullptr;
        }
        src->frames_.push_back(std::move(frame));
    }
    const int rc = reader.wait();
    if (rc != 0 || src->frames_.empty()) {
        *error = "ffmpeg failed decoding " + path + " (exit " + std::to_string(rc) + "): " + reader.errorText();
        return nullptr;
    }
    return src;
}

std::unique_ptr<FrameSource> FrameSource::synthetic(int width, int height, int frames, double fps) {
    auto src = std::make_unique<FrameSource>();
    src->width_ = width;
    src->height_ = height;
    src->fpsNum_ = static_cast<int>(fps * 1000.0 + 0.5);
    src->fpsDen_ = 1000;
    for (int f = 0; f < frames; ++f) {
        std::vector<std::uint8_t> frame(src->frameBytes());
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                std::uint8_t* p = frame.data() + (static_cast<size_t>(y) * width + x) * 4;
                p[0] = static_cast<std::uint8_t>((x * 255) / (width > 1 ? width - 1 : 1));   // left to right
                p[1] = static_cast<std::uint8_t>((y * 255) / (height > 1 ? height - 1 : 1)); // top to bottom
                p[2] = static_cast<std::uint8_t>((f * 37 + x + 3 * y) & 0xff);             // differs per frame
                p[3] = 255;
            }
        src->frames_.push_back(std::move(frame));
    }
    return src;
}

std::unique_ptr<FrameSource> FrameSource::edited(const std::function<void(int frame, std::uint8_t* rgba)>& edit) const {
    auto copy = std::make_unique<FrameSource>(*this);
    for (size_t i = 0; i < copy->frames_.size(); ++i) edit(static_cast<int>(i), copy->frames_[i].data());
    return copy;
}

}  // namespace ofxtest
