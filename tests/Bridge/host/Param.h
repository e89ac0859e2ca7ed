// OpenFX parameters with animation, as a host keeps them.
//
// Values. Integer, Boolean and Choice hold one int; Double one double; Integer2D/3D, Double2D/3D, RGB and RGBA
// hold 2..4 numbers; String, Custom and StrChoice hold a string. PushButton, Page and Group hold no value.
//
// Animation. A parameter without keyframes has one static value. With keyframes, its value at time t is:
//   - before the first key: the first key's value; after the last key: the last key's value;
//   - exactly on a key: that key's value;
//   - between two keys, by interpolation mode:
//       Linear       (default for Double, Double2D/3D, RGB, RGBA): straight line between the two keys;
//       Linear+round (default for Integer, Integer2D/3D): the same line, rounded half away from zero;
//       Step         (always for Boolean, Choice, String, Custom, StrChoice; optional for the numeric types,
//                     see Param::setInterpolation): the value of the key at or before t holds until the next key.
//   So a Boolean keyed 1 at frame 0 and 0 at frame 137 reads 1 for t < 137 and 0 for t >= 137.
// paramSetValue on a parameter that has keys sets (or replaces) the key at the host's current time; without keys it
// sets the static value. paramSetValueAtTime always makes a key and needs a parameter that animates: one whose
// kOfxParamPropAnimates is 1 and whose type the host animates (this host animates every numeric type, Boolean and
// Choice, but not String or Custom). paramDeleteAllKeys keeps the value the parameter had at the current time.
//
// Times are in frames, like every OpenFX time.
#pragma once

#include "Ofx.h"
#include "PropertySet.h"

#include <cstdarg>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ofxtest {

enum class ParamKind {
    Integer, Double, Boolean, Choice, String, PushButton, Page, Group,
    RGBA, RGB, Double2D, Integer2D, Double3D, Integer3D, Custom, StrChoice, Bytes,
};

// The kind for an OpenFX type string (kOfxParamType...); false when the host does not know the type.
bool paramKindFromType(const std::string& type, ParamKind* kind);
const char* paramTypeName(ParamKind kind);
int paramDimension(ParamKind kind);   // numbers held (0 for strings and value-less types)
bool paramHoldsString(ParamKind kind);
bool paramHoldsInts(ParamKind kind);  // Integer, Boolean, Choice, Integer2D/3D
bool paramHasValue(ParamKind kind);

enum class Interpolation { Step, Linear };

struct ParamValue {
    std::vector<double> numbers;  // ints are held exactly as doubles
    std::string text;

    static ParamValue ofInt(int v) { return ParamValue{{static_cast<double>(v)}, {}}; }
    static ParamValue ofDouble(double v) { return ParamValue{{v}, {}}; }
    static ParamValue ofString(std::string s) { return ParamValue{{}, std::move(s)}; }
    static ParamValue ofNumbers(std::vector<double> v) { return ParamValue{std::move(v), {}}; }
    bool operator==(const ParamValue& o) const { return numbers == o.numbers && text == o.text; }
    bool operator!=(const ParamValue& o) const { return !(*this == o); }
};

class ParamSet;

class Param {
public:
    Param(ParamSet& owner, std::string name, ParamKind kind, bool descriptor);
    ~Param();
    Param(const Param&) = delete;
    Param& operator=(const Param&) = delete;

    OfxParamHandle handle() { return reinterpret_cast<OfxParamHandle>(this); }
    static Param* fromHandle(OfxParamHandle handle);

    const std::string& name() const { return name_; }
    ParamKind kind() const { return kind_; }
    PropertySet& props() { return props_; }
    ParamSet& owner() { return owner_; }

    // ---- Host side (what the user does in the editor; no notification is sent by these).
    bool animates() const;                      // kOfxParamPropAnimates and the host's support for the type
    Interpolation interpolation() const;
    bool setInterpolation(Interpolation mode);  // false where the type only steps
    bool setValue(const ParamValue& value);     // static value, or the key at the current time when keyed
    bool setKey(double time, const ParamValue& value);
    bool deleteKey(double time);
    void deleteAllKeys();
    ParamValue valueAt(double time) const;
    ParamValue value() const;                   // at the host's current time
    std::vector<double> keyTimes() const;
    void initialiseFromDefault();               // the instance's starting value: kOfxParamPropDefault
    void copyValuesFrom(const Param& other);    // static value and keys (duplicating an instance)

    // ---- The parameter suite (plugin side). The va_list carries the type-dependent arguments.
    OfxStatus ofxGetValue(double time, va_list args);
    OfxStatus ofxGetDerivative(double time, va_list args);
    OfxStatus ofxGetIntegral(double t1, double t2, va_list args);
    OfxStatus ofxSetValue(bool atTime, double time, va_list args);
    OfxStatus ofxGetNumKeys(unsigned int* count);
    OfxStatus ofxGetKeyTime(unsigned int nth, OfxTime* time);
    OfxStatus ofxGetKeyIndex(double time, int direction, int* index);
    OfxStatus ofxDeleteKey(double time);
    OfxStatus ofxDeleteAllKeys();
    OfxStatus ofxCopyFrom(Param& from, double offset, const OfxRangeD* range);

private:
    ParamValue interpolate(double time) const;  // caller holds mutex_
    double slopeAt(double time, int dim) const;  // caller holds mutex_
    double integral(double t1, double t2, int dim) const;  // caller holds mutex_
    bool valid(const ParamValue& value, std::string* why) const;
    void keysChanged();  // keeps kOfxParamPropIsAnimating in step; caller holds mutex_
    void pluginChanged();

    static constexpr std::uint32_t kMagic = 0x5041524d;  // "PARM"
    std::uint32_t magic_ = kMagic;
    ParamSet& owner_;
    std::string name_;
    ParamKind kind_;
    bool descriptor_;
    PropertySet props_;
    mutable std::recursive_mutex mutex_;
    ParamValue static_;
    std::map<double, ParamValue> keys_;
    Interpolation interpolation_;
    std::set<std::string> stringPool_;  // strings handed to the plugin stay valid while the parameter lives
};

class ParamSet {
public:
    // `descriptor`: the set a plugin defines parameters in (describe in context); an instance set is copied from
    // one. `currentTime` answers the host's current time for paramGetValue/paramSetValue.
    ParamSet(bool descriptor, std::function<double()> currentTime);
    ~ParamSet();
    ParamSet(const ParamSet&) = delete;
    ParamSet& operator=(const ParamSet&) = delete;

    OfxParamSetHandle handle() { return reinterpret_cast<OfxParamSetHandle>(this); }
    static ParamSet* fromHandle(OfxParamSetHandle handle);

    bool isDescriptor() const { return descriptor_; }
    PropertySet& props() { return props_; }
    double currentTime() const { return currentTime_ ? currentTime_() : 0.0; }

    Param* find(const std::string& name);
    const std::vector<std::unique_ptr<Param>>& params() const { return params_; }
    // Instance creation: a copy of every descriptor parameter, starting at its default value.
    void instantiateFrom(ParamSet& descriptor);

    // Called (with the parameter's name) whenever the plugin changes a value; the effect turns these into
    // kOfxActionInstanceChanged with reason kOfxChangePluginEdited once the action that made them returns.
    std::function<void(const std::string&)> onPluginChange;
    // Host abilities the parameters consult.
    bool hostAnimatesStrings = false;
    bool hostAnimatesBooleans = true;
    bool hostAnimatesChoices = true;
    bool hostAnimatesCustom = false;

    // Undo blocks the plugin opened/closed (paramEditBegin names; "end" entries for paramEditEnd).
    std::vector<std::string> editLog() const;

    // ---- Suite entry points
    OfxStatus ofxDefine(const char* type, const char* name, OfxPropertySetHandle* props);
    OfxStatus ofxGetHandle(const char* name, OfxParamHandle* param, OfxPropertySetHandle* props);
    OfxStatus ofxEditBegin(const char* name);
    OfxStatus ofxEditEnd();

    static const OfxParameterSuiteV1* suite();

private:
    static constexpr std::uint32_t kMagic = 0x50534554;  // "PSET"
    std::uint32_t magic_ = kMagic;
    bool descriptor_;
    std::function<double()> currentTime_;
    PropertySet props_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Param>> params_;
    std::map<std::string, Param*> byName_;
    std::vector<std::string> editStack_;
    std::vector<std::string> editLog_;
};

}  // namespace ofxtest
