#include "Plugin.h"

#include "Diagnostics.h"
#include "Host.h"

#include <chrono>
#include <dlfcn.h>
#include <sys/stat.h>

namespace ofxtest {

std::string statusName(OfxStatus status) {
    switch (status) {
        case kOfxStatOK: return "kOfxStatOK";
        case kOfxStatFailed: return "kOfxStatFailed";
        case kOfxStatErrFatal: return "kOfxStatErrFatal";
        case kOfxStatErrUnknown: return "kOfxStatErrUnknown";
        case kOfxStatErrMissingHostFeature: return "kOfxStatErrMissingHostFeature";
        case kOfxStatErrUnsupported: return "kOfxStatErrUnsupported";
        case kOfxStatErrExists: return "kOfxStatErrExists";
        case kOfxStatErrFormat: return "kOfxStatErrFormat";
        case kOfxStatErrMemory: return "kOfxStatErrMemory";
        case kOfxStatErrBadHandle: return "kOfxStatErrBadHandle";
        case kOfxStatErrBadIndex: return "kOfxStatErrBadIndex";
        case kOfxStatErrValue: return "kOfxStatErrValue";
        case kOfxStatReplyYes: return "kOfxStatReplyYes";
        case kOfxStatReplyNo: return "kOfxStatReplyNo";
        case kOfxStatReplyDefault: return "kOfxStatReplyDefault";
        case kOfxStatErrImageFormat: return "kOfxStatErrImageFormat";
        default: return "status " + std::to_string(status);
    }
}

namespace {

bool isDirectory(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string baseName(const std::string& path) {
    std::string p = path;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    auto slash = p.rfind('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

std::unique_ptr<PluginBinary> PluginBinary::open(const std::string& path, bool callOfxSetHost, std::string* error) {
    std::unique_ptr<PluginBinary> binary(new PluginBinary());
    if (isDirectory(path)) {
        // Name.ofx.bundle/Contents/Linux-x86-64/Name.ofx
        std::string bundle = path;
        while (bundle.size() > 1 && bundle.back() == '/') bundle.pop_back();
        std::string name = baseName(bundle);
        const std::string suffix = ".bundle";
        if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
            *error = path + " is not a <Name>.ofx.bundle directory";
            return nullptr;
        }
        name = name.substr(0, name.size() - suffix.size());  // Name.ofx
        binary->bundlePath_ = bundle;
        binary->binaryPath_ = bundle + "/Contents/Linux-x86-64/" + name;
    } else {
        binary->binaryPath_ = path;
        // …/Name.ofx.bundle/Contents/Linux-x86-64/Name.ofx → the bundle three levels up
        std::string p = path;
        for (int i = 0; i < 3; ++i) {
            auto slash = p.rfind('/');
            p = slash == std::string::npos ? std::string() : p.substr(0, slash);
        }
        binary->bundlePath_ = p;
    }

    dlerror();
    binary->library_ = dlopen(binary->binaryPath_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (binary->library_ == nullptr) {
        const char* why = dlerror();
        *error = "dlopen(" + binary->binaryPath_ + ") failed: " + (why ? why : "unknown error");
        return nullptr;
    }
    binary->getNumber_ = reinterpret_cast<OfxGetNumberOfPluginsFunc>(dlsym(binary->library_, "OfxGetNumberOfPlugins"));
    binary->getPlugin_ = reinterpret_cast<OfxGetPluginFunc>(dlsym(binary->library_, "OfxGetPlugin"));
    binary->setHost_ = reinterpret_cast<OfxSetHostFunc>(dlsym(binary->library_, "OfxSetHost"));
    if (binary->getNumber_ == nullptr || binary->getPlugin_ == nullptr) {
        *error = binary->binaryPath_ + " does not export OfxGetNumberOfPlugins and OfxGetPlugin";
        return nullptr;
    }
    if (callOfxSetHost && binary->setHost_ != nullptr) {
        binary->setHostStatus_ = binary->setHost_(Host::get().ofxHost());
        binary->calledSetHost_ = true;
        if (binary->setHostStatus_ != kOfxStatOK)
            Diagnostics::get().warning("OfxSetHost returned " + statusName(binary->setHostStatus_));
    }
    return binary;
}

PluginBinary::~PluginBinary() {
    if (library_ != nullptr) dlclose(library_);
}

int PluginBinary::pluginCount() const { return getNumber_ ? getNumber_() : 0; }

OfxPlugin* PluginBinary::plugin(int nth) const { return getPlugin_ ? getPlugin_(nth) : nullptr; }

// ---------------------------------------------------------------------------------------------------------------

LoadedPlugin::LoadedPlugin(PluginBinary& binary, OfxPlugin* plugin) : binary_(binary), plugin_(plugin) {}

LoadedPlugin::~LoadedPlugin() = default;

std::string LoadedPlugin::identifier() const {
    return plugin_ && plugin_->pluginIdentifier ? plugin_->pluginIdentifier : "";
}

OfxStatus LoadedPlugin::callAction(const char* action, const void* handle, PropertySet* inArgs, PropertySet* outArgs) {
    if (plugin_ == nullptr || plugin_->mainEntry == nullptr) return kOfxStatErrFatal;
    ActionScope scope(action);
    const auto start = std::chrono::steady_clock::now();
    const OfxStatus st = plugin_->mainEntry(action, handle, inArgs ? inArgs->handle() : nullptr, outArgs ? outArgs->handle() : nullptr);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    Diagnostics::get().trace(std::string(action) + " -> " + statusName(st) + " (" + std::to_string(ms) + " ms)");
    return st;
}

OfxStatus LoadedPlugin::load() {
    if (plugin_->setHost != nullptr) plugin_->setHost(Host::get().ofxHost());
    return callAction(kOfxActionLoad, nullptr, nullptr, nullptr);
}

OfxStatus LoadedPlugin::describe() {
    descriptor_ = std::make_unique<ImageEffect>(*this, false, "");
    return callAction(kOfxActionDescribe, descriptor_->handle(), nullptr, nullptr);
}

OfxStatus LoadedPlugin::describeInContext(const std::string& context) {
    if (!descriptor_) return kOfxStatErrFatal;
    auto d = std::make_unique<ImageEffect>(*this, false, context);
    d->props().copyFrom(descriptor_->props());
    PropertySet in("describe in context arguments");
    in.defineString(kOfxImageEffectPropContext, {context}, true);
    ImageEffect* raw = d.get();
    contextDescriptors_[context] = std::move(d);
    return callAction(kOfxImageEffectActionDescribeInContext, raw->handle(), &in, nullptr);
}

ImageEffect* LoadedPlugin::contextDescriptor(const std::string& context) {
    auto it = contextDescriptors_.find(context);
    return it == contextDescriptors_.end() ? nullptr : it->second.get();
}

std::unique_ptr<ImageEffect> LoadedPlugin::createInstance(const std::string& context, const InstanceSetup& setup, OfxStatus* status) {
    ImageEffect* d = contextDescriptor(context);
    if (d == nullptr) {
        *status = kOfxStatErrFatal;
        return nullptr;
    }
    auto instance = std::make_unique<ImageEffect>(*this, true, context);
    instance->setupInstance(*d, setup);
    *status = instance->action(kOfxActionCreateInstance);
    return instance;
}

OfxStatus LoadedPlugin::destroyInstance(std::unique_ptr<ImageEffect>& instance) {
    if (!instance) return kOfxStatErrBadHandle;
    const OfxStatus st = instance->action(kOfxActionDestroyInstance);
    if (instance->liveImages() != 0)
        Diagnostics::get().violation(std::to_string(instance->liveImages()) + " image(s) never released by the instance");
    instance.reset();
    return st;
}

OfxStatus LoadedPlugin::unload() {
    const OfxStatus st = callAction(kOfxActionUnload, nullptr, nullptr, nullptr);
    contextDescriptors_.clear();
    descriptor_.reset();
    return st;
}

}  // namespace ofxtest
