// Unit tests of the OpenFX test host: property sets, parameter animation through the variadic suite calls,
// image layouts (positive and negative row bytes), and the host-wide suites. No plugin and no media needed.
#include "Diagnostics.h"
#include "Effect.h"
#include "FrameSource.h"
#include "Host.h"
#include "Json.h"
#include "ImageBuffer.h"
#include "Param.h"
#include "PropertySet.h"
#include "TestSupport.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

using namespace ofxtest;

namespace {

Checks checks;

bool near(double a, double b) { return std::fabs(a - b) < 1e-9; }

// ---------------------------------------------------------------------------------------------------------------
void testPropertySet() {
    std::printf("property sets\n");
    const OfxPropertySuiteV1* ps = static_cast<const OfxPropertySuiteV1*>(Host::get().fetchSuite(kOfxPropertySuite, 1));
    PropertySet set("test set");
    set.defineInt("Ints", {1, 2});
    set.defineDouble("Doubles", {0.5, 1.5, 2.5});
    set.defineString("Str", {"first"});
    set.definePointer("Ptr", {nullptr});
    set.defineString("VarStrings", {}, false, 0);
    set.defineInt("ReadOnly", {7}, true);
    OfxPropertySetHandle h = set.handle();

    int i = 0;
    double d = 0;
    char* s = nullptr;
    void* p = &i;
    checks.check(ps->propGetInt(h, "Ints", 1, &i) == kOfxStatOK && i == 2, "propGetInt reads index 1");
    checks.check(ps->propGetInt(h, "Ints", 2, &i) == kOfxStatErrBadIndex, "propGetInt past the dimension is kOfxStatErrBadIndex");
    checks.check(ps->propGetInt(h, "Ints", -1, &i) == kOfxStatErrBadIndex, "propGetInt at -1 is kOfxStatErrBadIndex");
    checks.check(ps->propGetInt(h, "Missing", 0, &i) == kOfxStatErrUnknown, "propGetInt of a missing property is kOfxStatErrUnknown");
    checks.check(ps->propGetDouble(h, "Missing", 0, &d) == kOfxStatErrUnknown, "propGetDouble of a missing property is kOfxStatErrUnknown");
    checks.check(ps->propGetString(h, "Missing", 0, &s) == kOfxStatErrUnknown, "propGetString of a missing property is kOfxStatErrUnknown");
    checks.check(ps->propGetPointer(h, "Missing", 0, &p) == kOfxStatErrUnknown, "propGetPointer of a missing property is kOfxStatErrUnknown");
    int dim = -1;
    checks.check(ps->propGetDimension(h, "Missing", &dim) == kOfxStatErrUnknown, "propGetDimension of a missing property is kOfxStatErrUnknown");
    checks.check(ps->propGetDimension(h, "Doubles", &dim) == kOfxStatOK && dim == 3, "propGetDimension counts values");
    checks.check(ps->propGetDouble(h, "Ints", 0, &d) == kOfxStatErrValue, "reading an int property as double is kOfxStatErrValue");
    checks.check(ps->propSetInt(h, "Doubles", 0, 1) == kOfxStatErrValue, "writing an int to a double property is kOfxStatErrValue");

    double three[3] = {0, 0, 0};
    checks.check(ps->propGetDoubleN(h, "Doubles", 3, three) == kOfxStatOK && near(three[2], 2.5), "propGetDoubleN reads all values");
    checks.check(ps->propGetDoubleN(h, "Doubles", 4, three) == kOfxStatErrBadIndex, "propGetDoubleN with too many values is kOfxStatErrBadIndex");
    checks.check(ps->propSetInt(h, "Ints", 2, 3) == kOfxStatErrBadIndex, "writing past a fixed dimension is kOfxStatErrBadIndex");

    // Strings stay valid while the set lives, even after the property changes.
    char* first = nullptr;
    ps->propGetString(h, "Str", 0, &first);
    checks.check(ps->propSetString(h, "Str", 0, "second") == kOfxStatOK, "propSetString");
    char* second = nullptr;
    ps->propGetString(h, "Str", 0, &second);
    ps->propSetString(h, "Str", 0, "third, a much longer value that forces new storage somewhere");
    checks.check(first && std::strcmp(first, "first") == 0 && second && std::strcmp(second, "second") == 0,
                 "strings returned earlier are still valid after later writes");

    // Variable dimension: append one past the end; a gap is refused; N sets resize.
    checks.check(ps->propSetString(h, "VarStrings", 0, "a") == kOfxStatOK && ps->propSetString(h, "VarStrings", 1, "b") == kOfxStatOK,
                 "variable-dimension property grows by appending");
    checks.check(ps->propSetString(h, "VarStrings", 3, "d") == kOfxStatErrBadIndex, "writing with a gap is kOfxStatErrBadIndex");
    const char* many[3] = {"x", "y", "z"};
    checks.check(ps->propSetStringN(h, "VarStrings", 3, many) == kOfxStatOK && set.dimension("VarStrings") == 3, "propSetStringN sets the dimension");
    char* got[3] = {nullptr, nullptr, nullptr};
    checks.check(ps->propGetStringN(h, "VarStrings", 3, got) == kOfxStatOK && std::strcmp(got[2], "z") == 0, "propGetStringN");
    checks.check(ps->propSetStringN(h, "VarStrings", 1, many) == kOfxStatOK && set.dimension("VarStrings") == 1, "propSetStringN can shrink a variable dimension");

    int marker = 0;
    checks.check(ps->propSetPointer(h, "Ptr", 0, &marker) == kOfxStatOK && ps->propGetPointer(h, "Ptr", 0, &p) == kOfxStatOK && p == &marker,
                 "pointer property round trip");
    checks.check(ps->propSetInt(h, "ReadOnly", 0, 1) == kOfxStatErrValue && set.getInt("ReadOnly") == 7, "read-only property refuses plugin writes");
    checks.check(ps->propSetInt(h, "Unknown", 0, 1) == kOfxStatErrUnknown, "writing an undeclared property is kOfxStatErrUnknown");
    set.setExtensible(true);
    checks.check(ps->propSetInt(h, "Unknown", 0, 1) == kOfxStatOK && set.getInt("Unknown") == 1, "an extensible set accepts new properties");

    ps->propSetInt(h, "Ints", 0, 42);
    checks.check(ps->propReset(h, "Ints") == kOfxStatOK && set.getInt("Ints") == 1, "propReset restores the default");

    PropertySet* bogus = reinterpret_cast<PropertySet*>(&marker);
    checks.check(ps->propGetInt(reinterpret_cast<OfxPropertySetHandle>(bogus), "Ints", 0, &i) == kOfxStatErrBadHandle,
                 "a handle that is not a live set is kOfxStatErrBadHandle");
    checks.check(ps->propGetInt(nullptr, "Ints", 0, &i) == kOfxStatErrBadHandle, "a null handle is kOfxStatErrBadHandle");
}

// ---------------------------------------------------------------------------------------------------------------
void testFetchSuite() {
    std::printf("fetchSuite\n");
    OfxHost* host = Host::get().ofxHost();
    struct Want { const char* name; int version; };
    for (Want w : {Want{kOfxPropertySuite, 1}, Want{kOfxImageEffectSuite, 1}, Want{kOfxParameterSuite, 1}, Want{kOfxMemorySuite, 1},
                   Want{kOfxMultiThreadSuite, 1}, Want{kOfxMessageSuite, 1}, Want{kOfxMessageSuite, 2}, Want{kOfxProgressSuite, 1},
                   Want{kOfxProgressSuite, 2}})
        checks.check(host->fetchSuite(host->host, w.name, w.version) != nullptr, std::string("fetchSuite(") + w.name + ", " + std::to_string(w.version) + ")");
    checks.check(host->fetchSuite(host->host, kOfxPropertySuite, 2) == nullptr, "an unknown version is null");
    checks.check(host->fetchSuite(host->host, "NoSuchSuite", 1) == nullptr, "an unknown suite is null");
    checks.check(host->fetchSuite(host->host, kOfxMessageSuite, 1) != host->fetchSuite(host->host, kOfxMessageSuite, 2), "message V1 and V2 are different structs");
    const OfxPropertySuiteV1* ps = static_cast<const OfxPropertySuiteV1*>(host->fetchSuite(host->host, kOfxPropertySuite, 1));
    char* type = nullptr;
    checks.check(ps->propGetString(host->host, kOfxPropType, 0, &type) == kOfxStatOK && std::string(type) == kOfxTypeImageEffectHost,
                 "the host set says it is an image effect host");
    int animates = 0;
    ps->propGetInt(host->host, kOfxParamHostPropSupportsBooleanAnimation, 0, &animates);
    checks.check(animates == 1, "the host animates Boolean parameters");
}

// ---------------------------------------------------------------------------------------------------------------
struct ParamFixture {
    double now = 0.0;
    ParamSet descriptor{true, [this] { return now; }};
    ParamSet instance{false, [this] { return now; }};
    std::vector<std::string> edits;
};

void testParams() {
    std::printf("parameters and animation\n");
    const auto* pr = static_cast<const OfxParameterSuiteV1*>(Host::get().fetchSuite(kOfxParameterSuite, 1));
    const auto* ps = static_cast<const OfxPropertySuiteV1*>(Host::get().fetchSuite(kOfxPropertySuite, 1));
    ParamFixture f;
    OfxParamSetHandle dset = f.descriptor.handle();
    OfxPropertySetHandle props = nullptr;

    pr->paramDefine(dset, kOfxParamTypeInteger, "count", &props);
    ps->propSetInt(props, kOfxParamPropDefault, 0, 3);
    pr->paramDefine(dset, kOfxParamTypeDouble, "strength", &props);
    ps->propSetDouble(props, kOfxParamPropDefault, 0, 0.75);
    pr->paramDefine(dset, kOfxParamTypeBoolean, "person1_anonymize", &props);
    ps->propSetInt(props, kOfxParamPropDefault, 0, 1);
    pr->paramDefine(dset, kOfxParamTypeChoice, "method", &props);
    const char* options[3] = {"Blur", "Pixelate", "Solid"};
    ps->propSetStringN(props, kOfxParamPropChoiceOption, 3, options);
    ps->propSetInt(props, kOfxParamPropDefault, 0, 1);
    pr->paramDefine(dset, kOfxParamTypeString, "label", &props);
    ps->propSetString(props, kOfxParamPropDefault, 0, "nobody");
    pr->paramDefine(dset, kOfxParamTypePushButton, "analyze", nullptr);
    pr->paramDefine(dset, kOfxParamTypePage, "page", &props);
    pr->paramDefine(dset, kOfxParamTypeGroup, "group", nullptr);
    pr->paramDefine(dset, kOfxParamTypeRGBA, "colour", &props);
    const double rgba[4] = {0.1, 0.2, 0.3, 1.0};
    ps->propSetDoubleN(props, kOfxParamPropDefault, 4, rgba);
    pr->paramDefine(dset, kOfxParamTypeDouble2D, "centre", nullptr);
    pr->paramDefine(dset, kOfxParamTypeInteger2D, "size", nullptr);
    checks.check(pr->paramDefine(dset, kOfxParamTypeInteger, "count", nullptr) == kOfxStatErrExists, "defining a name twice is kOfxStatErrExists");
    checks.check(pr->paramDefine(dset, "OfxParamTypeNoSuch", "x", nullptr) == kOfxStatErrUnknown, "an unknown type is kOfxStatErrUnknown");
    char* ptype = nullptr;
    ps->propGetString(props, kOfxParamPropType, 0, &ptype);
    checks.check(ptype && std::string(ptype) == kOfxParamTypeRGBA, "parameter property sets carry their type");

    f.instance.instantiateFrom(f.descriptor);
    f.instance.onPluginChange = [&](const std::string& n) { f.edits.push_back(n); };
    OfxParamSetHandle set = f.instance.handle();
    OfxParamHandle count, strength, anon, method, label, analyze, colour, centre, size, page;
    checks.check(pr->paramGetHandle(set, "count", &count, nullptr) == kOfxStatOK, "paramGetHandle");
    checks.check(pr->paramGetHandle(set, "nothing", &page, nullptr) == kOfxStatErrUnknown, "paramGetHandle of a missing name is kOfxStatErrUnknown");
    pr->paramGetHandle(set, "strength", &strength, nullptr);
    pr->paramGetHandle(set, "person1_anonymize", &anon, nullptr);
    pr->paramGetHandle(set, "method", &method, nullptr);
    pr->paramGetHandle(set, "label", &label, nullptr);
    pr->paramGetHandle(set, "analyze", &analyze, nullptr);
    pr->paramGetHandle(set, "colour", &colour, nullptr);
    pr->paramGetHandle(set, "centre", &centre, nullptr);
    pr->paramGetHandle(set, "size", &size, nullptr);
    pr->paramGetHandle(set, "page", &page, nullptr);

    // Defaults, read through the variadic getters with the OpenFX argument types.
    int iv = -1;
    double dv = -1;
    char* sv = nullptr;
    checks.check(pr->paramGetValue(count, &iv) == kOfxStatOK && iv == 3, "Integer default through paramGetValue(int*)");
    checks.check(pr->paramGetValue(strength, &dv) == kOfxStatOK && near(dv, 0.75), "Double default through paramGetValue(double*)");
    checks.check(pr->paramGetValue(anon, &iv) == kOfxStatOK && iv == 1, "Boolean default through paramGetValue(int*)");
    checks.check(pr->paramGetValue(method, &iv) == kOfxStatOK && iv == 1, "Choice default through paramGetValue(int*)");
    checks.check(pr->paramGetValue(label, &sv) == kOfxStatOK && std::string(sv) == "nobody", "String default through paramGetValue(char**)");
    double r = 0, g = 0, b = 0, a = 0;
    checks.check(pr->paramGetValue(colour, &r, &g, &b, &a) == kOfxStatOK && near(r, 0.1) && near(a, 1.0), "RGBA through four double*");
    checks.check(pr->paramGetValue(analyze, &iv) == kOfxStatErrUnsupported, "a push button has no value");
    checks.check(pr->paramGetValue(page, &iv) == kOfxStatErrUnsupported, "a page has no value");

    // Double: linear between keys, held outside them; derivative and integral.
    checks.check(pr->paramSetValueAtTime(strength, 0.0, 0.0) == kOfxStatOK && pr->paramSetValueAtTime(strength, 10.0, 1.0) == kOfxStatOK,
                 "paramSetValueAtTime(double) makes keys");
    pr->paramGetValueAtTime(strength, 5.0, &dv);
    checks.check(near(dv, 0.5), "Double is linear between keys (0.5 at t=5)");
    pr->paramGetValueAtTime(strength, -4.0, &dv);
    checks.check(near(dv, 0.0), "before the first key: the first key's value");
    pr->paramGetValueAtTime(strength, 99.0, &dv);
    checks.check(near(dv, 1.0), "after the last key: the last key's value");
    checks.check(pr->paramGetDerivative(strength, 5.0, &dv) == kOfxStatOK && near(dv, 0.1), "derivative is the slope (0.1)");
    checks.check(pr->paramGetIntegral(strength, 0.0, 10.0, &dv) == kOfxStatOK && near(dv, 5.0), "integral over the ramp (5)");
    checks.check(pr->paramGetIntegral(strength, -10.0, 20.0, &dv) == kOfxStatOK && near(dv, 15.0), "integral includes the held ends (15)");
    unsigned int nkeys = 0;
    checks.check(pr->paramGetNumKeys(strength, &nkeys) == kOfxStatOK && nkeys == 2, "paramGetNumKeys");
    OfxTime kt = -1;
    checks.check(pr->paramGetKeyTime(strength, 1, &kt) == kOfxStatOK && near(kt, 10.0), "paramGetKeyTime");
    checks.check(pr->paramGetKeyTime(strength, 2, &kt) == kOfxStatErrBadIndex, "paramGetKeyTime past the end is kOfxStatErrBadIndex");
    int idx = -1;
    checks.check(pr->paramGetKeyIndex(strength, 5.0, -1, &idx) == kOfxStatOK && idx == 0, "key before t=5 is index 0");
    checks.check(pr->paramGetKeyIndex(strength, 5.0, 1, &idx) == kOfxStatOK && idx == 1, "key after t=5 is index 1");
    checks.check(pr->paramGetKeyIndex(strength, 10.0, 0, &idx) == kOfxStatOK && idx == 1, "key at t=10 is index 1");
    checks.check(pr->paramGetKeyIndex(strength, 5.0, 0, &idx) == kOfxStatFailed, "no key exactly at t=5: kOfxStatFailed");
    checks.check(pr->paramGetKeyIndex(strength, 0.0, -1, &idx) == kOfxStatFailed, "no key before the first: kOfxStatFailed");
    int isAnimating = 0;
    OfxPropertySetHandle sprops = nullptr;
    pr->paramGetPropertySet(strength, &sprops);
    ps->propGetInt(sprops, kOfxParamPropIsAnimating, 0, &isAnimating);
    checks.check(isAnimating == 1, "kOfxParamPropIsAnimating follows the keys");

    // paramSetValue on a keyed parameter keys the current time.
    f.now = 20.0;
    pr->paramSetValue(strength, 0.25);
    pr->paramGetNumKeys(strength, &nkeys);
    pr->paramGetValueAtTime(strength, 20.0, &dv);
    checks.check(nkeys == 3 && near(dv, 0.25), "paramSetValue on an animated parameter sets a key at the current time");
    checks.check(pr->paramDeleteKey(strength, 7.0) == kOfxStatErrBadIndex, "deleting a key that is not there is kOfxStatErrBadIndex");
    checks.check(pr->paramDeleteKey(strength, 20.0) == kOfxStatOK, "paramDeleteKey");
    f.now = 5.0;
    checks.check(pr->paramDeleteAllKeys(strength) == kOfxStatOK, "paramDeleteAllKeys");
    pr->paramGetNumKeys(strength, &nkeys);
    pr->paramGetValueAtTime(strength, 100.0, &dv);
    checks.check(nkeys == 0 && near(dv, 0.5), "without keys the value is what it was at the current time (0.5)");

    // Integer: interpolated and rounded half away from zero; optionally stepped.
    pr->paramSetValueAtTime(count, 0.0, 0);
    pr->paramSetValueAtTime(count, 10.0, 5);
    int v1 = 0, v3 = 0, v9 = 0;
    pr->paramGetValueAtTime(count, 1.0, &v1);
    pr->paramGetValueAtTime(count, 3.0, &v3);
    pr->paramGetValueAtTime(count, 9.0, &v9);
    checks.check(v1 == 1 && v3 == 2 && v9 == 5, "Integer interpolates and rounds (0.5->1, 1.5->2, 4.5->5)");
    pr->paramSetValueAtTime(count, 10.0, -5);
    pr->paramGetValueAtTime(count, 1.0, &v1);
    checks.check(v1 == -1, "Integer rounding is symmetric (-0.5 -> -1)");
    Param* countParam = Param::fromHandle(count);
    countParam->setInterpolation(Interpolation::Step);
    pr->paramGetValueAtTime(count, 9.0, &v9);
    checks.check(v9 == 0, "Integer with step interpolation holds the earlier key");

    // Boolean: always steps. Keyed 1 at 0 and 0 at 137 (the e2e keyframe).
    pr->paramSetValueAtTime(anon, 0.0, 1);
    pr->paramSetValueAtTime(anon, 137.0, 0);
    int b0 = -1, b136 = -1, b137 = -1, b274 = -1;
    pr->paramGetValueAtTime(anon, 0.0, &b0);
    pr->paramGetValueAtTime(anon, 136.0, &b136);
    pr->paramGetValueAtTime(anon, 137.0, &b137);
    pr->paramGetValueAtTime(anon, 274.0, &b274);
    checks.check(b0 == 1 && b136 == 1 && b137 == 0 && b274 == 0, "Boolean steps: 1 until frame 136, 0 from frame 137");
    checks.check(!Param::fromHandle(anon)->setInterpolation(Interpolation::Linear), "Boolean cannot be made linear");
    checks.check(pr->paramSetValueAtTime(anon, 5.0, 2) == kOfxStatErrValue, "a Boolean value other than 0/1 is refused");

    // Choice steps and is range-checked.
    pr->paramSetValueAtTime(method, 0.0, 0);
    pr->paramSetValueAtTime(method, 10.0, 2);
    pr->paramGetValueAtTime(method, 9.9, &iv);
    checks.check(iv == 0, "Choice steps between keys");
    checks.check(pr->paramSetValue(method, 3) == kOfxStatErrValue, "a Choice index outside the options is refused");

    // String: does not animate on this host; strings stay valid.
    checks.check(pr->paramSetValueAtTime(label, 3.0, "keyed") == kOfxStatErrValue, "String parameters do not animate");
    pr->paramSetValue(label, "Person 1");
    char* s1 = nullptr;
    pr->paramGetValue(label, &s1);
    pr->paramSetValue(label, "Person 2 with a much longer label");
    char* s2 = nullptr;
    pr->paramGetValue(label, &s2);
    checks.check(std::string(s1) == "Person 1" && std::string(s2) == "Person 2 with a much longer label", "String values stay valid after later changes");

    // Multi-dimensional types.
    pr->paramSetValueAtTime(centre, 0.0, 0.0, 10.0);
    pr->paramSetValueAtTime(centre, 4.0, 4.0, 20.0);
    double cx = 0, cy = 0;
    pr->paramGetValueAtTime(centre, 1.0, &cx, &cy);
    checks.check(near(cx, 1.0) && near(cy, 12.5), "Double2D interpolates each dimension");
    pr->paramSetValue(size, 640, 360);
    int w = 0, h = 0;
    pr->paramGetValue(size, &w, &h);
    checks.check(w == 640 && h == 360, "Integer2D through two int / int*");
    pr->paramSetValue(colour, 1.0, 0.5, 0.25, 0.0);
    pr->paramGetValue(colour, &r, &g, &b, &a);
    checks.check(near(g, 0.5) && near(b, 0.25) && near(a, 0.0), "RGBA through four doubles");

    // Edits the plugin makes are reported to the host.
    checks.check(!f.edits.empty() && f.edits.back() == "colour", "plugin edits are reported for kOfxChangePluginEdited");

    // paramCopy and undo brackets.
    checks.check(pr->paramCopy(strength, count, 0.0, nullptr) == kOfxStatErrValue, "paramCopy between types is refused");
    OfxParamHandle other = nullptr;
    pr->paramGetHandle(set, "strength", &other, nullptr);
    checks.check(pr->paramEditBegin(set, "edit") == kOfxStatOK && pr->paramEditEnd(set) == kOfxStatOK, "paramEditBegin/End");
    checks.check(pr->paramEditEnd(set) == kOfxStatFailed, "paramEditEnd without a begin fails");
    checks.check(pr->paramGetValue(reinterpret_cast<OfxParamHandle>(&f), &dv) == kOfxStatErrBadHandle, "a bad parameter handle is kOfxStatErrBadHandle");
    checks.check(pr->paramDefine(set, kOfxParamTypeInteger, "late", nullptr) == kOfxStatErrUnsupported, "no paramDefine on an instance");
}

// ---------------------------------------------------------------------------------------------------------------
// The pixel the OpenFX convention addresses: data + y * rowBytes + x * pixelBytes, y counted up from the bottom.
const std::uint8_t* ofxPixel(const ImageBuffer& img, int x, int y) {
    return static_cast<const std::uint8_t*>(img.data()) + static_cast<std::ptrdiff_t>(y) * img.rowBytes() +
           static_cast<std::ptrdiff_t>(x) * img.pixelBytes();
}

void testImageLayout() {
    std::printf("image layouts\n");
    const int W = 7, H = 5;
    std::vector<std::uint8_t> topDown(W * H * 4);
    for (int i = 0; i < W * H * 4; ++i) topDown[i] = static_cast<std::uint8_t>(i * 7 + 3);

    for (bool negative : {false, true})
        for (int padding : {0, 12}) {
            const std::string what = std::string(negative ? "negative" : "positive") + " row bytes" + (padding ? ", padded rows" : "");
            ImageLayout layout;
            layout.negativeRowBytes = negative;
            layout.rowPadding = padding;
            ImageBuffer img(W, H, layout);
            img.fillFromTopDownRGBA8(topDown.data());
            checks.check(negative ? img.rowBytes() < 0 : img.rowBytes() > 0, what + ": sign of kOfxImagePropRowBytes");
            checks.check(std::abs(img.rowBytes()) >= W * 4 + padding, what + ": |rowBytes| covers a row and its padding");
            bool all = true;
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    all &= std::memcmp(ofxPixel(img, x, y), &topDown[((H - 1 - y) * W + x) * 4], 4) == 0;
            checks.check(all, what + ": data + y*rowBytes + x*4 is picture row H-1-y (row y1 is the bottom)");
            if (negative) {
                // The memory is top-down: the picture's top row sits at the lowest address.
                const std::uint8_t* top = ofxPixel(img, 0, H - 1);
                const std::uint8_t* bottom = ofxPixel(img, 0, 0);
                checks.check(top < bottom, what + ": top row at the lowest address, data at the last row in memory");
            }
            checks.check(img.toTopDownRGBA8() == topDown, what + ": round trip to top-down RGBA");
            checks.check(img.guardsIntact(), what + ": guard bands intact");
        }

    for (PixelDepth depth : {PixelDepth::Short, PixelDepth::Float})
        for (bool negative : {false, true}) {
            const std::string what = std::string(depthName(depth)) + (negative ? " negative" : " positive");
            ImageLayout layout;
            layout.depth = depth;
            layout.negativeRowBytes = negative;
            ImageBuffer img(W, H, layout);
            img.fillFromTopDownRGBA8(topDown.data());
            checks.check(std::abs(img.rowBytes()) == W * 4 * bytesPerComponent(depth), what + ": packed row bytes");
            bool converted = true;
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    for (int c = 0; c < 4; ++c) {
                        const std::uint8_t v = topDown[((H - 1 - y) * W + x) * 4 + c];
                        if (depth == PixelDepth::Short) {
                            std::uint16_t s;
                            std::memcpy(&s, ofxPixel(img, x, y) + 2 * c, 2);
                            converted &= s == v * 257;
                        } else {
                            float fl;
                            std::memcpy(&fl, ofxPixel(img, x, y) + 4 * c, 4);
                            converted &= std::fabs(fl - v / 255.0f) < 1e-7f;
                        }
                    }
            checks.check(converted, what + ": 8-bit values converted (v*257 / v/255) at the OpenFX addresses");
            checks.check(img.toTopDownRGBA8() == topDown, what + ": converts back to the same 8-bit frame");
        }

    ImageBuffer img(W, H, ImageLayout{});
    const_cast<std::uint8_t*>(ofxPixel(img, 0, H))[0] = 1;  // one row past the top
    checks.check(!img.guardsIntact(), "a write past the last row is detected by the guard band");

    auto synth = FrameSource::synthetic(16, 8, 3);
    checks.check(synth->frameCount() == 3 && std::memcmp(synth->frame(0), synth->frame(1), synth->frameBytes()) != 0,
                 "synthetic frames differ per frame");
}

// ---------------------------------------------------------------------------------------------------------------
void testThreadsAndMessages() {
    std::printf("multithread, memory, message and progress suites\n");
    const auto* mt = static_cast<const OfxMultiThreadSuiteV1*>(Host::get().fetchSuite(kOfxMultiThreadSuite, 1));
    static std::atomic<int> ran{0};
    static std::atomic<int> spawned{0};
    static std::mutex seenMutex;
    static std::set<unsigned int> seen;
    ran = 0;
    spawned = 0;
    auto work = [](unsigned int index, unsigned int max, void*) {
        unsigned int reported = 99;
        const auto* s = static_cast<const OfxMultiThreadSuiteV1*>(Host::get().fetchSuite(kOfxMultiThreadSuite, 1));
        s->multiThreadIndex(&reported);
        ++ran;
        spawned += s->multiThreadIsSpawnedThread();
        std::lock_guard<std::mutex> lock(seenMutex);
        if (reported == index && index < max) seen.insert(index);
    };
    checks.check(mt->multiThread(work, 4, nullptr) == kOfxStatOK && ran == 4 && spawned == 4 && seen.size() == 4,
                 "multiThread runs the function on 4 threads with indices 0..3");
    checks.check(mt->multiThreadIsSpawnedThread() == 0, "the main thread is not a spawned thread");
    unsigned int cpus = 0;
    checks.check(mt->multiThreadNumCPUs(&cpus) == kOfxStatOK && cpus >= 1, "multiThreadNumCPUs");
    OfxMutexHandle m = nullptr;
    checks.check(mt->mutexCreate(&m, 0) == kOfxStatOK && mt->mutexLock(m) == kOfxStatOK && mt->mutexTryLock(m) == kOfxStatOK,
                 "mutexCreate / mutexLock / mutexTryLock (recursive)");
    checks.check(mt->mutexUnLock(m) == kOfxStatOK && mt->mutexUnLock(m) == kOfxStatOK && mt->mutexDestroy(m) == kOfxStatOK,
                 "mutexUnLock / mutexDestroy");

    const auto* mem = static_cast<const OfxMemorySuiteV1*>(Host::get().fetchSuite(kOfxMemorySuite, 1));
    void* block = nullptr;
    const size_t before = Host::get().liveAllocations();
    checks.check(mem->memoryAlloc(nullptr, 1000, &block) == kOfxStatOK && block != nullptr && Host::get().liveAllocations() == before + 1,
                 "memoryAlloc");
    checks.check(mem->memoryFree(block) == kOfxStatOK && Host::get().liveAllocations() == before, "memoryFree");
    checks.check(mem->memoryFree(block) == kOfxStatErrBadHandle, "freeing twice is kOfxStatErrBadHandle");

    const auto* m1 = static_cast<const OfxMessageSuiteV1*>(Host::get().fetchSuite(kOfxMessageSuite, 1));
    const auto* m2 = static_cast<const OfxMessageSuiteV2*>(Host::get().fetchSuite(kOfxMessageSuite, 2));
    int effectMarker = 0;
    Host::get().clearRecords();
    m1->message(&effectMarker, kOfxMessageError, "id.1", "frame %d failed: %s", 12, "no server");
    const auto msgs = Host::get().messages();
    checks.check(msgs.size() == 1 && msgs[0].text == "frame 12 failed: no server" && msgs[0].type == kOfxMessageError,
                 "message V1 formats and records the text");
    checks.check(m2->message(&effectMarker, kOfxMessageQuestion, "q", "continue?") == kOfxStatReplyYes, "a question gets the host's reply");
    checks.check(!Host::get().persistentMessage(&effectMarker), "no persistent message at first");
    m2->setPersistentMessage(&effectMarker, kOfxMessageError, "p", "server gone (%s)", "EPIPE");
    MessageRecord pm;
    checks.check(Host::get().persistentMessage(&effectMarker, &pm) && pm.text == "server gone (EPIPE)", "setPersistentMessage is recorded per handle");
    m2->clearPersistentMessage(&effectMarker);
    checks.check(!Host::get().persistentMessage(&effectMarker), "clearPersistentMessage clears it");

    const auto* p1 = static_cast<const OfxProgressSuiteV1*>(Host::get().fetchSuite(kOfxProgressSuite, 1));
    const auto* p2 = static_cast<const OfxProgressSuiteV2*>(Host::get().fetchSuite(kOfxProgressSuite, 2));
    p1->progressStart(&effectMarker, "Analysing");
    p1->progressUpdate(&effectMarker, 0.5);
    p1->progressEnd(&effectMarker);
    p2->progressStart(&effectMarker, "Analysing", "deid.analyze");
    Host::get().cancelProgress = true;
    checks.check(p2->progressUpdate(&effectMarker, 0.1) == kOfxStatReplyNo, "progressUpdate says stop when the user cancels");
    Host::get().cancelProgress = false;
    p2->progressEnd(&effectMarker);
    const auto prog = Host::get().progress();
    checks.check(prog.size() == 6 && prog[0].label == "Analysing" && prog[1].value == 0.5 && prog[3].id == "deid.analyze",
                 "progress V1 and V2 are recorded");
}

// ---------------------------------------------------------------------------------------------------------------
void testJson() {
    std::printf("json reader\n");
    JsonValue v;
    std::string error;
    checks.check(parseJson(R"({"frames":[{"frame":0,"faces":[{"box":[1.5,2,3,4e1],"identity":null,"ok":true}]}],"s":"a\"b\u00e9"})", &v, &error),
                 "parses a nested document");
    const JsonValue* frames = v.find("frames");
    const JsonValue* face = frames ? frames->items[0].find("faces") : nullptr;
    checks.check(face && face->items[0].find("box")->items[3].number == 40.0 && face->items[0].find("identity")->isNull() &&
                     face->items[0].find("ok")->boolean,
                 "numbers, null and booleans");
    checks.check(v.find("s") && v.find("s")->text == "a\"b\xC3\xA9", "string escapes and \\u to UTF-8");
    checks.check(!parseJson("{\"a\": }", &v, &error) && !error.empty(), "malformed input is refused with a reason");
    checks.check(!parseJson("[1, 2] x", &v, &error), "trailing characters are refused");
}

}  // namespace

int main() {
    Diagnostics::get().setEcho(false);  // violations are provoked on purpose below
    Host::get().echoMessages = false;
    testPropertySet();
    testFetchSuite();
    testParams();
    testImageLayout();
    testThreadsAndMessages();
    testJson();
    // The tests above provoke violations on purpose; they are not failures here.
    Diagnostics::get().clear();
    return checks.finish("host_unit");
}
