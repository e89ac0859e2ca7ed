// The host's suites (fetched once at Load) and small helpers around the property and parameter suites.
#pragma once

#include <string>
#include <vector>

#include "ofx/ofx_constants.h"
#include "ofx/ofx_core.h"
#include "ofx/ofx_suites.h"

namespace deid::host {

struct Suites {
    const OfxPropertySuiteV1 *prop = nullptr;
    const OfxImageEffectSuiteV1 *effect = nullptr;
    const OfxParameterSuiteV1 *param = nullptr;
    const OfxMemorySuiteV1 *memory = nullptr;
    const OfxMultiThreadSuiteV1 *thread = nullptr;
    const OfxMessageSuiteV1 *message1 = nullptr;
    const OfxMessageSuiteV2 *message2 = nullptr;
    const OfxProgressSuiteV1 *progress1 = nullptr;
    const OfxProgressSuiteV2 *progress2 = nullptr;
};

void setHost(const OfxHost *host);
const OfxHost *currentHost();
// Fetches the suites from the current host. Returns false when a required one (property, image
// effect, parameter) is missing.
bool fetchSuites();
const Suites &suites();

// Property helpers. Setters ignore the status (hosts may refuse optional properties); getters throw
// BridgeError(Host) when the property cannot be read.
void setString(OfxPropertySetHandle p, const char *name, const char *value, int index = 0);
void setInt(OfxPropertySetHandle p, const char *name, int value, int index = 0);
void setDouble(OfxPropertySetHandle p, const char *name, double value, int index = 0);
void setStrings(OfxPropertySetHandle p, const char *name, const std::vector<const char *> &values);

std::string getString(OfxPropertySetHandle p, const char *name, int index = 0);
int getInt(OfxPropertySetHandle p, const char *name, int index = 0);
double getDouble(OfxPropertySetHandle p, const char *name, int index = 0);
void *getPointer(OfxPropertySetHandle p, const char *name, int index = 0);
// Non-throwing variants returning whether the read succeeded.
bool tryString(OfxPropertySetHandle p, const char *name, std::string &out, int index = 0);
bool tryInt(OfxPropertySetHandle p, const char *name, int &out, int index = 0);

// Messages to the user. Never throw.
void showMessage(OfxImageEffectHandle effect, const char *type, const std::string &text);
// Persistent message when the host has message suite V2; returns false when it has not.
bool setPersistentMessage(OfxImageEffectHandle effect, const char *type, const std::string &text);
bool clearPersistentMessage(OfxImageEffectHandle effect);

// Progress bar for a long operation, started in the constructor and ended in the destructor when the
// host has a progress suite.
class Progress {
public:
    Progress(OfxImageEffectHandle effect, const char *label, const char *messageId);
    ~Progress();
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;
    // Returns false when the user asked to cancel.
    bool update(double fraction);

private:
    OfxImageEffectHandle effect_;
    bool started_ = false;
};

// A clip image, released in the destructor.
class ClipImage {
public:
    ClipImage() = default;
    // Fetches the clip's image at time (whole image). Throws BridgeError(Host) on failure.
    ClipImage(OfxImageClipHandle clip, OfxTime time, const char *what);
    ~ClipImage();
    ClipImage(ClipImage &&other) noexcept;
    ClipImage &operator=(ClipImage &&other) noexcept;
    ClipImage(const ClipImage &) = delete;
    ClipImage &operator=(const ClipImage &) = delete;

    OfxPropertySetHandle handle() const { return handle_; }
    explicit operator bool() const { return handle_ != nullptr; }

private:
    void reset();
    OfxPropertySetHandle handle_ = nullptr;
};

}  // namespace deid::host
