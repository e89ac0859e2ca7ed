// One effect instance: its clips and parameters, its connection to deid serve and its frame slot.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>

#include "client.h"
#include "identities.h"
#include "ofx/ofx_core.h"
#include "pixels.h"
#include "protocol.h"
#include "shm_slot.h"

namespace deid {

// The parts of a host image the bridge uses, checked.
struct ImageInfo {
    pixels::Image image;
    const char *depth = nullptr;  // protocol name
    std::string ofxDepth;
};

class Instance {
public:
    explicit Instance(OfxImageEffectHandle effect);
    ~Instance();
    Instance(const Instance &) = delete;
    Instance &operator=(const Instance &) = delete;

    // The instance attached to an effect handle (kOfxPropInstanceData), or nullptr.
    static Instance *from(OfxImageEffectHandle effect);
    void attach();  // stores this in the effect's kOfxPropInstanceData
    void reloadState();  // reads the hidden parameters (analysis, people)

    OfxStatus render(OfxPropertySetHandle inArgs);
    OfxStatus framesNeeded(OfxPropertySetHandle inArgs, OfxPropertySetHandle outArgs);
    OfxStatus instanceChanged(OfxPropertySetHandle inArgs);
    OfxStatus syncPrivateData();

private:
    void renderFrame(OfxTime time, OfxPropertySetHandle inArgs);
    // The render request for a time, every parameter read at that time; lastFrame: the clip's last frame index.
    protocol::RenderRequest requestAt(OfxTime time, int64_t &lastFrame);
    // Sends the kRenderAhead frames after `time` in `direction` to be rendered in the background (never throws).
    void renderAhead(OfxTime time, int direction, int64_t lastFrame, const ImageInfo &like, const std::string &fingerprint);
    static constexpr int kRenderAhead = 2;
    void renderInto(OfxTime time, protocol::RenderRequest &req, const ImageInfo &dst, const pixels::Rect &window,
                    int64_t lastFrame);
    // Copies the Source image at time into out (bytes long) when it has like's depth and bounds; false otherwise.
    bool packNeighbour(OfxTime time, const ImageInfo &like, uint8_t *out, size_t bytes);
    // The Source clip's content fingerprint for a clip starting at start with frames 0..lastFrame of like's size;
    // computed once per range and size, empty when the host cannot give the sampled frames.
    std::string clipFingerprint(double start, int64_t lastFrame, const ImageInfo &like);
    // Sends a request, reconnecting once when a connection that had been idle turns out dead; repeat, when set,
    // runs before the resend (to put the frame in the slot again).
    msgpack::Value exchange(const msgpack::Value &request, const std::function<void()> &repeat);
    void analyze();
    void clearCache();
    void applyAnalysis(const std::string &path, const std::vector<SlotIdentity> &slots);
    void updateSlotsEnabled(const std::vector<SlotIdentity> &slots);
    std::string clipKey(double start, double end, double fps) const;
    void reportRenderError(const std::string &text);
    void clearRenderError();

    std::string paramString(OfxParamHandle p);
    std::string paramStringAt(OfxParamHandle p, OfxTime t);

    OfxImageEffectHandle effect_;
    OfxImageClipHandle source_ = nullptr;
    OfxImageClipHandle output_ = nullptr;
    OfxParamSetHandle paramSet_ = nullptr;

    OfxParamHandle seed_ = nullptr;
    OfxParamHandle method_ = nullptr, strength_ = nullptr, maskSize_ = nullptr, feather_ = nullptr,
                   threshold_ = nullptr, policy_ = nullptr, showBoxes_ = nullptr, analysisPath_ = nullptr,
                   identitiesJson_ = nullptr;
    OfxParamHandle personLabel_[kPersonSlots] = {};
    OfxParamHandle personAnonymize_[kPersonSlots] = {};

    std::string session_;

    // Serialises everything that talks to deid serve or touches the slot (renders, analysis).
    std::mutex ioMutex_;
    ServerConnection connection_;
    SharedSlot slot_;
    int64_t previousFrame_ = -2;  // the last frame rendered, for the direction of travel
    std::string fingerprintKey_;
    std::string fingerprint_;

    // Private data mirrored into the hidden parameters on kOfxActionSyncPrivateData.
    std::mutex stateMutex_;
    bool stateDirty_ = false;
    std::string statePath_;
    std::string stateIdentities_;

    std::mutex messageMutex_;
    bool persistentSet_ = false;
    std::string lastMessage_;
};

}  // namespace deid
