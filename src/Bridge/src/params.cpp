#include "params.h"

#include <vector>

#include "errors.h"
#include "host.h"

namespace deid::params {

std::string personLabel(int slot) { return "person" + std::to_string(slot) + "_label"; }
std::string personAnonymize(int slot) { return "person" + std::to_string(slot) + "_anonymize"; }

const char *methodName(int index) {
    switch (index) {
    case MethodBlur: return "blur";
    case MethodPixelate: return "pixelate";
    case MethodSolid: return "solid";
    case MethodReplace: return "replace";
    default: return nullptr;
    }
}

const char *policyName(int index) {
    switch (index) {
    case PolicyEveryone: return "anonymize-everyone";
    case PolicyOnlyListed: return "anonymize-only-listed";
    default: return nullptr;
    }
}

namespace {

OfxPropertySetHandle define(OfxParamSetHandle set, const char *type, const char *name, const char *label,
                            const char *hint) {
    OfxPropertySetHandle props = nullptr;
    const OfxStatus st = host::suites().param->paramDefine(set, type, name, &props);
    if (st != kOfxStatOK || props == nullptr)
        throw BridgeError(BridgeError::Kind::Host, std::string("cannot define parameter ") + name);
    host::setString(props, kOfxPropLabel, label);
    host::setString(props, kOfxParamPropScriptName, name);
    if (hint != nullptr) host::setString(props, kOfxParamPropHint, hint);
    return props;
}

void defineDouble(OfxParamSetHandle set, const char *name, const char *label, const char *hint, double def,
                  double min, double max) {
    OfxPropertySetHandle p = define(set, kOfxParamTypeDouble, name, label, hint);
    host::setString(p, kOfxParamPropDoubleType, kOfxParamDoubleTypePlain);
    host::setDouble(p, kOfxParamPropDefault, def);
    host::setDouble(p, kOfxParamPropMin, min);
    host::setDouble(p, kOfxParamPropMax, max);
    host::setDouble(p, kOfxParamPropDisplayMin, min);
    host::setDouble(p, kOfxParamPropDisplayMax, max);
    host::setDouble(p, kOfxParamPropIncrement, 0.01);
    host::setInt(p, kOfxParamPropDigits, 2);
    host::setInt(p, kOfxParamPropAnimates, 1);
}

void defineChoice(OfxParamSetHandle set, const char *name, const char *label, const char *hint,
                  const std::vector<const char *> &options, int def) {
    OfxPropertySetHandle p = define(set, kOfxParamTypeChoice, name, label, hint);
    host::setStrings(p, kOfxParamPropChoiceOption, options);
    host::setInt(p, kOfxParamPropDefault, def);
}

void definePage(OfxParamSetHandle set, const char *name, const char *label, const std::vector<std::string> &children) {
    OfxPropertySetHandle p = define(set, kOfxParamTypePage, name, label, nullptr);
    for (size_t i = 0; i < children.size(); ++i)
        host::setString(p, kOfxParamPropPageChild, children[i].c_str(), static_cast<int>(i));
}

}  // namespace

void describe(OfxParamSetHandle set) {
    // Controls
    defineChoice(set, kMethod, "Method",
                 "How faces are hidden. Replace gives each person another face, keeping pose, expression and light.",
                 {"Blur", "Pixelate", "Solid", "Replace (new face)"}, MethodBlur);
    defineDouble(set, kStrength, "Strength", "How strongly faces are hidden (1 = fully).", 1.0, 0.0, 1.0);
    defineDouble(set, kMaskSize, "Mask size", "Grows or shrinks the mask around each face.", 1.0, 0.5, 3.0);
    defineDouble(set, kFeather, "Feather", "Softens the outside edge of the mask.", 0.25, 0.0, 1.0);
    {
        OfxPropertySetHandle p = define(set, kOfxParamTypeInteger, kSeed, "Face seed",
                                        "Replace: which new faces the people get. Change it for other faces; the same "
                                        "seed gives each person the same new face every time.");
        host::setInt(p, kOfxParamPropDefault, 0);
        host::setInt(p, kOfxParamPropMin, 0);
        host::setInt(p, kOfxParamPropMax, 1000000);
        host::setInt(p, kOfxParamPropDisplayMin, 0);
        host::setInt(p, kOfxParamPropDisplayMax, 100);
        host::setInt(p, kOfxParamPropAnimates, 0);
    }

    // People
    {
        OfxPropertySetHandle p = define(set, kOfxParamTypePushButton, kAnalyze, "Analyze clip",
                                        "Finds the people in the whole clip so each can be kept or hidden.");
        host::setInt(p, kOfxParamPropEvaluateOnChange, 0);
    }
    defineChoice(set, kPolicy, "Default policy",
                 "Who is hidden when not decided per person below (also faces of no listed person).",
                 {"Anonymize everyone", "Anonymize only selected"}, PolicyEveryone);
    for (int i = 1; i <= kPersonSlots; ++i) {
        const std::string labelName = personLabel(i);
        const std::string title = "Person " + std::to_string(i);
        OfxPropertySetHandle l = define(set, kOfxParamTypeString, labelName.c_str(), title.c_str(),
                                        "A person found by Analyze clip, and when they appear.");
        host::setString(l, kOfxParamPropStringMode, kOfxParamStringIsLabel);
        host::setString(l, kOfxParamPropDefault, unusedSlotLabel());
        host::setInt(l, kOfxParamPropAnimates, 0);
        host::setInt(l, kOfxParamPropEvaluateOnChange, 0);

        const std::string anonName = personAnonymize(i);
        const std::string anonLabel = "Anonymize person " + std::to_string(i);
        OfxPropertySetHandle a = define(set, kOfxParamTypeInteger, anonName.c_str(), anonLabel.c_str(),
                                        "1 hides this person, 0 keeps them visible. Keyframe it to change "
                                        "over time.");
        host::setInt(a, kOfxParamPropDefault, 1);
        host::setInt(a, kOfxParamPropMin, 0);
        host::setInt(a, kOfxParamPropMax, 1);
        host::setInt(a, kOfxParamPropDisplayMin, 0);
        host::setInt(a, kOfxParamPropDisplayMax, 1);
        host::setInt(a, kOfxParamPropAnimates, 1);
    }

    // Advanced
    defineDouble(set, kThreshold, "Detection threshold",
                 "Minimum detector confidence for a face to count.", 0.5, 0.05, 0.99);
    {
        OfxPropertySetHandle p =
            define(set, kOfxParamTypeBoolean, kShowBoxes, "Show boxes", "Draws the detected face regions.");
        host::setInt(p, kOfxParamPropDefault, 0);
    }
    {
        OfxPropertySetHandle p = define(set, kOfxParamTypePushButton, kClearCache, "Clear cache",
                                        "Drops the frames deid serve has rendered for this clip (in memory and on disk); the analysis stays.");
        host::setInt(p, kOfxParamPropEvaluateOnChange, 0);
    }

    // Hidden state
    for (const char *name : {kAnalysisPath, kIdentitiesJson}) {
        OfxPropertySetHandle p = define(set, kOfxParamTypeString, name, name, nullptr);
        host::setInt(p, kOfxParamPropSecret, 1);
        host::setInt(p, kOfxParamPropAnimates, 0);
        host::setInt(p, kOfxParamPropPersistant, 1);
        host::setString(p, kOfxParamPropDefault, "");
        host::setString(p, kOfxParamPropStringMode, kOfxParamStringIsSingleLine);
    }

    // Pages
    definePage(set, kPageControls, "Controls", {kMethod, kStrength, kMaskSize, kFeather, kSeed});
    std::vector<std::string> people = {kAnalyze, kPolicy};
    for (int i = 1; i <= kPersonSlots; ++i) {
        people.push_back(personLabel(i));
        people.push_back(personAnonymize(i));
    }
    definePage(set, kPagePeople, "People", people);
    definePage(set, kPageAdvanced, "Advanced", {kThreshold, kShowBoxes, kClearCache});

    OfxPropertySetHandle setProps = nullptr;
    if (host::suites().param->paramSetGetPropertySet(set, &setProps) == kOfxStatOK && setProps != nullptr)
        host::setStrings(setProps, kOfxPluginPropParamPageOrder, {kPageControls, kPagePeople, kPageAdvanced});
}

}  // namespace deid::params
