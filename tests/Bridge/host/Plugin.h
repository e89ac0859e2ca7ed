// Loading a plugin binary the way a host does, and the plugin-level actions.
//
// A binary is dlopen'ed from <Name>.ofx.bundle/Contents/Linux-x86-64/<Name>.ofx and only its standard exports
// are resolved: OfxGetNumberOfPlugins, OfxGetPlugin and, when present, OfxSetHost (OpenFX 1.5; called before the
// other two when the host is set to call it — some hosts never do). Each OfxPlugin then gets setHost() and the
// actions in host order: Load, Describe, DescribeInContext, instances..., Unload.
#pragma once

#include "Effect.h"
#include "Ofx.h"

#include <map>
#include <memory>
#include <string>

namespace ofxtest {

class PluginBinary {
public:
    // `path`: the bundle directory (…/Name.ofx.bundle) or the binary inside it.
    static std::unique_ptr<PluginBinary> open(const std::string& path, bool callOfxSetHost, std::string* error);
    ~PluginBinary();
    PluginBinary(const PluginBinary&) = delete;
    PluginBinary& operator=(const PluginBinary&) = delete;

    const std::string& bundlePath() const { return bundlePath_; }
    const std::string& binaryPath() const { return binaryPath_; }
    bool exportsOfxSetHost() const { return setHost_ != nullptr; }
    bool calledOfxSetHost() const { return calledSetHost_; }
    OfxStatus ofxSetHostStatus() const { return setHostStatus_; }
    int pluginCount() const;
    OfxPlugin* plugin(int nth) const;

private:
    PluginBinary() = default;
    void* library_ = nullptr;
    std::string bundlePath_;
    std::string binaryPath_;
    OfxGetNumberOfPluginsFunc getNumber_ = nullptr;
    OfxGetPluginFunc getPlugin_ = nullptr;
    OfxSetHostFunc setHost_ = nullptr;
    bool calledSetHost_ = false;
    OfxStatus setHostStatus_ = kOfxStatReplyDefault;
};

class LoadedPlugin {
public:
    LoadedPlugin(PluginBinary& binary, OfxPlugin* plugin);
    ~LoadedPlugin();
    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;

    PluginBinary& binary() { return binary_; }
    OfxPlugin* ofx() { return plugin_; }
    std::string identifier() const;

    OfxStatus load();  // setHost(), then kOfxActionLoad
    OfxStatus describe();
    OfxStatus describeInContext(const std::string& context);
    OfxStatus unload();
    ImageEffect* descriptor() { return descriptor_.get(); }
    ImageEffect* contextDescriptor(const std::string& context);

    // kOfxActionCreateInstance on a new instance set up from the context's descriptor. The instance is returned
    // whatever the status (a failed one must be dropped without kOfxActionDestroyInstance).
    std::unique_ptr<ImageEffect> createInstance(const std::string& context, const InstanceSetup& setup, OfxStatus* status);
    // kOfxActionDestroyInstance, then the host frees the instance.
    OfxStatus destroyInstance(std::unique_ptr<ImageEffect>& instance);

    OfxStatus callAction(const char* action, const void* handle, PropertySet* inArgs, PropertySet* outArgs);

private:
    PluginBinary& binary_;
    OfxPlugin* plugin_;
    std::unique_ptr<ImageEffect> descriptor_;
    std::map<std::string, std::unique_ptr<ImageEffect>> contextDescriptors_;
};

// Readable name of a status code, for messages.
std::string statusName(OfxStatus status);

}  // namespace ofxtest
