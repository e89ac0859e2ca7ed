// Names, labels and ranges of the effect's parameters.
#pragma once

#include <string>

#include "identities.h"
#include "ofx/ofx_core.h"

namespace deid::params {

constexpr const char *kMethod = "method";
constexpr const char *kStrength = "strength";
constexpr const char *kMaskSize = "mask_size";
constexpr const char *kFeather = "feather";
constexpr const char *kSeed = "seed";
constexpr const char *kThreshold = "threshold";
constexpr const char *kPolicy = "policy";
constexpr const char *kShowBoxes = "show_boxes";
constexpr const char *kAnalyze = "analyze";
constexpr const char *kClearCache = "clear_cache";
constexpr const char *kAnalysisPath = "analysis_path";
constexpr const char *kIdentitiesJson = "identities_json";

constexpr const char *kPageControls = "page_controls";
constexpr const char *kPagePeople = "page_people";
constexpr const char *kPageAdvanced = "page_advanced";

// Choice indices are persisted in projects: only ever append.
enum Method { MethodBlur = 0, MethodPixelate = 1, MethodSolid = 2, MethodReplace = 3 };
enum Policy { PolicyEveryone = 0, PolicyOnlyListed = 1 };

// "person3_label", "person3_anonymize" for slot 3 (1-based).
std::string personLabel(int slot);
std::string personAnonymize(int slot);

// Protocol names; nullptr for an index the bridge does not know.
const char *methodName(int index);
const char *policyName(int index);

// Defines every parameter and page on a descriptor's parameter set.
void describe(OfxParamSetHandle paramSet);

}  // namespace deid::params
