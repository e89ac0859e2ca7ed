#include "Param.h"

#include "Diagnostics.h"
#include "Registry.h"

#include <cfloat>
#include <climits>
#include <cmath>

namespace ofxtest {

namespace {

struct KindInfo {
    ParamKind kind;
    const char* type;
    int dimension;
    bool strings;
    bool ints;
    bool value;
};

const KindInfo kKinds[] = {
    {ParamKind::Integer, kOfxParamTypeInteger, 1, false, true, true},
    {ParamKind::Double, kOfxParamTypeDouble, 1, false, false, true},
    {ParamKind::Boolean, kOfxParamTypeBoolean, 1, false, true, true},
    {ParamKind::Choice, kOfxParamTypeChoice, 1, false, true, true},
    {ParamKind::String, kOfxParamTypeString, 0, true, false, true},
    {ParamKind::PushButton, kOfxParamTypePushButton, 0, false, false, false},
    {ParamKind::Page, kOfxParamTypePage, 0, false, false, false},
    {ParamKind::Group, kOfxParamTypeGroup, 0, false, false, false},
    {ParamKind::RGBA, kOfxParamTypeRGBA, 4, false, false, true},
    {ParamKind::RGB, kOfxParamTypeRGB, 3, false, false, true},
    {ParamKind::Double2D, kOfxParamTypeDouble2D, 2, false, false, true},
    {ParamKind::Integer2D, kOfxParamTypeInteger2D, 2, false, true, true},
    {ParamKind::Double3D, kOfxParamTypeDouble3D, 3, false, false, true},
    {ParamKind::Integer3D, kOfxParamTypeInteger3D, 3, false, true, true},
    {ParamKind::Custom, kOfxParamTypeCustom, 0, true, false, true},
    {ParamKind::StrChoice, kOfxParamTypeStrChoice, 0, true, false, true},
    {ParamKind::Bytes, kOfxParamTypeBytes, 0, false, false, false},
};

const KindInfo& info(ParamKind kind) {
    for (const auto& k : kKinds)
        if (k.kind == kind) return k;
    return kKinds[0];
}

bool isDoubleKind(ParamKind k) {
    return k == ParamKind::Double || k == ParamKind::Double2D || k == ParamKind::Double3D || k == ParamKind::RGB ||
           k == ParamKind::RGBA;
}

bool stepsOnly(ParamKind k) {
    return k == ParamKind::Boolean || k == ParamKind::Choice || paramHoldsString(k);
}

constexpr double kTimeEpsilon = 1e-6;

std::string where(const Param& p) { return "parameter '" + p.name() + "' (" + paramTypeName(p.kind()) + ")"; }

// The properties a host gives a parameter of each type, with their standard defaults.
void defineParamProperties(PropertySet& props, ParamKind kind, const std::string& name) {
    props.defineString(kOfxPropType, {kOfxTypeParameter}, true);
    props.defineString(kOfxPropName, {name}, true);
    props.defineString(kOfxParamPropType, {paramTypeName(kind)}, true);
    props.defineString(kOfxPropLabel, {name});
    props.defineString(kOfxPropShortLabel, {name});
    props.defineString(kOfxPropLongLabel, {name});
    props.defineInt(kOfxParamPropSecret, {0});
    props.defineString(kOfxParamPropHint, {""});
    props.defineString(kOfxParamPropScriptName, {name});
    props.defineString(kOfxParamPropParent, {""});
    props.defineInt(kOfxParamPropEnabled, {1});
    props.definePointer(kOfxParamPropDataPtr, {nullptr});
    props.defineString(kOfxPropIcon, {"", ""});

    if (kind == ParamKind::Group) {
        props.defineInt(kOfxParamPropGroupOpen, {1});
        return;
    }
    if (kind == ParamKind::Page) {
        props.defineString(kOfxParamPropPageChild, {}, false, 0);
        return;
    }

    props.definePointer(kOfxParamPropInteractV1, {nullptr});
    props.defineDouble(kOfxParamPropInteractSize, {0.0, 0.0});
    props.defineDouble(kOfxParamPropInteractSizeAspect, {1.0});
    props.defineInt(kOfxParamPropInteractMinimumSize, {10, 10});
    props.defineInt(kOfxParamPropInteractPreferedSize, {10, 10});
    props.defineInt(kOfxParamPropCanUndo, {1});
    props.defineInt(kOfxParamPropEvaluateOnChange, {1});
    props.defineString(kOfxParamPropCacheInvalidation, {kOfxParamInvalidateValueChange});
    props.defineInt(kOfxParamPropPluginMayWrite, {0});
    if (kind == ParamKind::PushButton || kind == ParamKind::Bytes) return;

    props.defineInt(kOfxParamPropAnimates, {1});
    props.defineInt(kOfxParamPropIsAnimating, {0}, true);
    props.defineInt(kOfxParamPropIsAutoKeying, {0}, true);
    props.defineInt(kOfxParamPropPersistant, {1});

    const int dim = paramDimension(kind);
    if (paramHoldsString(kind)) {
        props.defineString(kOfxParamPropDefault, {""});
    } else if (paramHoldsInts(kind)) {
        props.defineInt(kOfxParamPropDefault, std::vector<int>(dim, 0));
    } else {
        props.defineDouble(kOfxParamPropDefault, std::vector<double>(dim, 0.0));
    }

    switch (kind) {
        case ParamKind::Integer:
        case ParamKind::Integer2D:
        case ParamKind::Integer3D:
            props.defineInt(kOfxParamPropMin, std::vector<int>(dim, INT_MIN));
            props.defineInt(kOfxParamPropMax, std::vector<int>(dim, INT_MAX));
            props.defineInt(kOfxParamPropDisplayMin, std::vector<int>(dim, INT_MIN));
            props.defineInt(kOfxParamPropDisplayMax, std::vector<int>(dim, INT_MAX));
            if (dim > 1) props.defineString(kOfxParamPropDimensionLabel, dim == 2 ? std::vector<std::string>{"x", "y"} : std::vector<std::string>{"x", "y", "z"});
            break;
        case ParamKind::Double:
        case ParamKind::Double2D:
        case ParamKind::Double3D:
        case ParamKind::RGB:
        case ParamKind::RGBA: {
            const bool colour = kind == ParamKind::RGB || kind == ParamKind::RGBA;
            props.defineDouble(kOfxParamPropMin, std::vector<double>(dim, colour ? 0.0 : -DBL_MAX));
            props.defineDouble(kOfxParamPropMax, std::vector<double>(dim, colour ? 1.0 : DBL_MAX));
            props.defineDouble(kOfxParamPropDisplayMin, std::vector<double>(dim, colour ? 0.0 : -DBL_MAX));
            props.defineDouble(kOfxParamPropDisplayMax, std::vector<double>(dim, colour ? 1.0 : DBL_MAX));
            props.defineDouble(kOfxParamPropIncrement, {1.0});
            props.defineInt(kOfxParamPropDigits, {2});
            if (!colour) {
                props.defineString(kOfxParamPropDoubleType, {kOfxParamDoubleTypePlain});
                props.defineString(kOfxParamPropDefaultCoordinateSystem, {kOfxParamCoordinatesCanonical});
            }
            if (kind == ParamKind::Double) props.defineInt(kOfxParamPropShowTimeMarker, {0});
            if (kind == ParamKind::Double2D) {
                props.defineInt(kOfxParamPropHasHostOverlayHandle, {0}, true);
                props.defineInt(kOfxParamPropUseHostOverlayHandle, {0});
            }
            if (dim > 1) {
                std::vector<std::string> labels = kind == ParamKind::RGBA ? std::vector<std::string>{"r", "g", "b", "a"}
                                                 : kind == ParamKind::RGB ? std::vector<std::string>{"r", "g", "b"}
                                                 : dim == 2             ? std::vector<std::string>{"x", "y"}
                                                                        : std::vector<std::string>{"x", "y", "z"};
                props.defineString(kOfxParamPropDimensionLabel, labels);
            }
            break;
        }
        case ParamKind::Choice:
            props.defineString(kOfxParamPropChoiceOption, {}, false, 0);
            props.defineInt(kOfxParamPropChoiceOrder, {}, false, 0);
            break;
        case ParamKind::StrChoice:
            props.defineString(kOfxParamPropChoiceOption, {}, false, 0);
            props.defineString(kOfxParamPropChoiceEnum, {}, false, 0);
            break;
        case ParamKind::String:
            props.defineString(kOfxParamPropStringMode, {kOfxParamStringIsSingleLine});
            props.defineInt(kOfxParamPropStringFilePathExists, {1});
            break;
        case ParamKind::Custom:
            props.definePointer(kOfxParamPropCustomInterpCallbackV1, {nullptr});
            break;
        default:
            break;
    }
}

}  // namespace

bool paramKindFromType(const std::string& type, ParamKind* kind) {
    for (const auto& k : kKinds)
        if (type == k.type) {
            *kind = k.kind;
            return true;
        }
    return false;
}

const char* paramTypeName(ParamKind kind) { return info(kind).type; }
int paramDimension(ParamKind kind) { return info(kind).dimension; }
bool paramHoldsString(ParamKind kind) { return info(kind).strings; }
bool paramHoldsInts(ParamKind kind) { return info(kind).ints; }
bool paramHasValue(ParamKind kind) { return info(kind).value; }

// ---------------------------------------------------------------------------------------------------------------
// Param

Param::Param(ParamSet& owner, std::string name, ParamKind kind, bool descriptor)
    : owner_(owner),
      name_(std::move(name)),
      kind_(kind),
      descriptor_(descriptor),
      props_(std::string(descriptor ? "parameter descriptor '" : "parameter '") + name_ + "'", this),
      interpolation_(stepsOnly(kind) ? Interpolation::Step : Interpolation::Linear) {
    defineParamProperties(props_, kind, name_);
    static_.numbers.assign(paramDimension(kind), 0.0);
    Registry<Param>::add(this);
}

Param::~Param() {
    Registry<Param>::remove(this);
    magic_ = 0;
}

Param* Param::fromHandle(OfxParamHandle handle) {
    if (handle == nullptr || !Registry<Param>::contains(handle)) return nullptr;
    auto* p = reinterpret_cast<Param*>(handle);
    return p->magic_ == kMagic ? p : nullptr;
}

bool Param::animates() const {
    if (!paramHasValue(kind_)) return false;
    if (props_.getInt(kOfxParamPropAnimates, 0, 1) == 0) return false;
    switch (kind_) {
        case ParamKind::String:
        case ParamKind::StrChoice: return owner_.hostAnimatesStrings;
        case ParamKind::Custom: return owner_.hostAnimatesCustom;
        case ParamKind::Boolean: return owner_.hostAnimatesBooleans;
        case ParamKind::Choice: return owner_.hostAnimatesChoices;
        default: return true;
    }
}

Interpolation Param::interpolation() const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return interpolation_;
}

bool Param::setInterpolation(Interpolation mode) {
    if (stepsOnly(kind_) && mode != Interpolation::Step) return false;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    interpolation_ = mode;
    return true;
}

bool Param::valid(const ParamValue& value, std::string* why) const {
    if (paramHoldsString(kind_)) return true;
    if (static_cast<int>(value.numbers.size()) != paramDimension(kind_)) {
        *why = "wrong number of values";
        return false;
    }
    if (kind_ == ParamKind::Choice) {
        const int options = props_.dimension(kOfxParamPropChoiceOption);
        const double v = value.numbers[0];
        if (v < 0 || v >= options || v != std::floor(v)) {
            *why = "choice index " + std::to_string(v) + " outside 0.." + std::to_string(options - 1);
            return false;
        }
    }
    if (kind_ == ParamKind::Boolean && value.numbers[0] != 0.0 && value.numbers[0] != 1.0) {
        *why = "boolean value " + std::to_string(value.numbers[0]) + " is neither 0 nor 1";
        return false;
    }
    return true;
}

void Param::keysChanged() {
    props_.setInt(kOfxParamPropIsAnimating, 0, keys_.empty() ? 0 : 1);
}

void Param::pluginChanged() {
    if (!descriptor_ && owner_.onPluginChange) owner_.onPluginChange(name_);
}

bool Param::setValue(const ParamValue& value) {
    std::string why;
    if (!paramHasValue(kind_) || !valid(value, &why)) return false;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (keys_.empty()) static_ = value;
    else keys_[owner_.currentTime()] = value;
    return true;
}

bool Param::setKey(double time, const ParamValue& value) {
    std::string why;
    if (!animates() || !valid(value, &why)) return false;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    keys_[time] = value;
    keysChanged();
    return true;
}

bool Param::deleteKey(double time) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    for (auto it = keys_.begin(); it != keys_.end(); ++it)
        if (std::fabs(it->first - time) < kTimeEpsilon) {
            if (keys_.size() == 1) static_ = it->second;
            keys_.erase(it);
            keysChanged();
            return true;
        }
    return false;
}

void Param::deleteAllKeys() {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (!keys_.empty()) static_ = interpolate(owner_.currentTime());
    keys_.clear();
    keysChanged();
}

ParamValue Param::valueAt(double time) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return interpolate(time);
}

ParamValue Param::value() const { return valueAt(owner_.currentTime()); }

std::vector<double> Param::keyTimes() const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::vector<double> times;
    for (const auto& k : keys_) times.push_back(k.first);
    return times;
}

void Param::initialiseFromDefault() {
    if (!paramHasValue(kind_)) return;
    ParamValue v;
    if (paramHoldsString(kind_)) {
        v.text = props_.getString(kOfxParamPropDefault);
    } else if (paramHoldsInts(kind_)) {
        for (int x : props_.getInts(kOfxParamPropDefault)) v.numbers.push_back(x);
    } else {
        v.numbers = props_.getDoubles(kOfxParamPropDefault);
    }
    v.numbers.resize(paramDimension(kind_), 0.0);
    std::string why;
    if (!valid(v, &why)) Diagnostics::get().violation("default of " + where(*this) + " is invalid: " + why);
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    static_ = v;
    keys_.clear();
    keysChanged();
}

void Param::copyValuesFrom(const Param& other) {
    if (&other == this) return;
    std::scoped_lock lock(mutex_, other.mutex_);
    static_ = other.static_;
    keys_ = other.keys_;
    interpolation_ = other.interpolation_;
    keysChanged();
}

ParamValue Param::interpolate(double time) const {
    if (keys_.empty()) return static_;
    auto after = keys_.lower_bound(time);  // first key at or after time
    if (after != keys_.end() && std::fabs(after->first - time) < kTimeEpsilon) return after->second;
    if (after == keys_.begin()) return after->second;
    auto before = std::prev(after);
    if (after == keys_.end()) return before->second;
    if (interpolation_ == Interpolation::Step || paramHoldsString(kind_)) return before->second;
    const double f = (time - before->first) / (after->first - before->first);
    ParamValue out;
    for (size_t i = 0; i < before->second.numbers.size(); ++i) {
        double v = before->second.numbers[i] + (after->second.numbers[i] - before->second.numbers[i]) * f;
        if (paramHoldsInts(kind_)) v = std::round(v);  // std::round: half away from zero
        out.numbers.push_back(v);
    }
    return out;
}

double Param::slopeAt(double time, int dim) const {
    if (keys_.size() < 2 || interpolation_ == Interpolation::Step) return 0.0;
    auto after = keys_.upper_bound(time);  // the segment [before, after) holds time
    if (after == keys_.begin() || after == keys_.end()) return 0.0;
    auto before = std::prev(after);
    return (after->second.numbers[dim] - before->second.numbers[dim]) / (after->first - before->first);
}

double Param::integral(double t1, double t2, int dim) const {
    if (t2 < t1) return -integral(t2, t1, dim);
    std::vector<double> cuts{t1};
    for (const auto& k : keys_)
        if (k.first > t1 && k.first < t2) cuts.push_back(k.first);
    cuts.push_back(t2);
    double sum = 0.0;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
        const double a = cuts[i], b = cuts[i + 1];
        if (b <= a) continue;
        if (interpolation_ == Interpolation::Step) {
            // Constant over [a, b): the value just after a.
            sum += interpolate(a + (b - a) * 0.5).numbers[dim] * (b - a);
        } else {
            // Linear over [a, b] (no key inside): the trapezoid is exact.
            sum += 0.5 * (interpolate(a).numbers[dim] + interpolate(b).numbers[dim]) * (b - a);
        }
    }
    return sum;
}

OfxStatus Param::ofxGetValue(double time, va_list args) {
    if (!paramHasValue(kind_)) {
        Diagnostics::get().violation("paramGetValue on " + where(*this) + ", which has no value");
        return kOfxStatErrUnsupported;
    }
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const ParamValue v = interpolate(time);
    if (paramHoldsString(kind_)) {
        char** out = va_arg(args, char**);
        if (out == nullptr) return kOfxStatErrValue;
        *out = const_cast<char*>(stringPool_.insert(v.text).first->c_str());
        return kOfxStatOK;
    }
    for (int i = 0; i < paramDimension(kind_); ++i) {
        if (paramHoldsInts(kind_)) {
            int* out = va_arg(args, int*);
            if (out == nullptr) return kOfxStatErrValue;
            *out = static_cast<int>(std::llround(v.numbers[i]));
        } else {
            double* out = va_arg(args, double*);
            if (out == nullptr) return kOfxStatErrValue;
            *out = v.numbers[i];
        }
    }
    return kOfxStatOK;
}

OfxStatus Param::ofxGetDerivative(double time, va_list args) {
    if (!isDoubleKind(kind_)) {
        Diagnostics::get().warning("paramGetDerivative on " + where(*this) + " (only double parameters have one)");
        return kOfxStatErrUnsupported;
    }
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    for (int i = 0; i < paramDimension(kind_); ++i) {
        double* out = va_arg(args, double*);
        if (out == nullptr) return kOfxStatErrValue;
        *out = slopeAt(time, i);
    }
    return kOfxStatOK;
}

OfxStatus Param::ofxGetIntegral(double t1, double t2, va_list args) {
    if (!isDoubleKind(kind_)) {
        Diagnostics::get().warning("paramGetIntegral on " + where(*this) + " (only double parameters have one)");
        return kOfxStatErrUnsupported;
    }
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    for (int i = 0; i < paramDimension(kind_); ++i) {
        double* out = va_arg(args, double*);
        if (out == nullptr) return kOfxStatErrValue;
        *out = integral(t1, t2, i);
    }
    return kOfxStatOK;
}

OfxStatus Param::ofxSetValue(bool atTime, double time, va_list args) {
    const char* fn = atTime ? "paramSetValueAtTime" : "paramSetValue";
    if (!paramHasValue(kind_)) {
        Diagnostics::get().violation(std::string(fn) + " on " + where(*this) + ", which has no value");
        return kOfxStatErrUnsupported;
    }
    if (ActionScope::inside(kOfxImageEffectActionRender))
        Diagnostics::get().violation(std::string(fn) + " on " + where(*this) + " during a render");
    ParamValue v;
    if (paramHoldsString(kind_)) {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) {
            Diagnostics::get().violation(std::string(fn) + " with a null string on " + where(*this));
            return kOfxStatErrValue;
        }
        v.text = s;
    } else {
        for (int i = 0; i < paramDimension(kind_); ++i)
            v.numbers.push_back(paramHoldsInts(kind_) ? static_cast<double>(va_arg(args, int)) : va_arg(args, double));
    }
    std::string why;
    if (!valid(v, &why)) {
        Diagnostics::get().violation(std::string(fn) + " on " + where(*this) + ": " + why);
        return kOfxStatErrValue;
    }
    {
        std::lock_guard<std::recursive_mutex> lock(mutex_);
        if (atTime) {
            if (!animates()) {
                Diagnostics::get().warning(std::string(fn) + " on " + where(*this) + ", which does not animate");
                return kOfxStatErrValue;
            }
            keys_[time] = v;
            keysChanged();
        } else if (keys_.empty()) {
            static_ = v;
        } else {
            keys_[owner_.currentTime()] = v;
        }
    }
    pluginChanged();
    return kOfxStatOK;
}

OfxStatus Param::ofxGetNumKeys(unsigned int* count) {
    if (count == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    *count = static_cast<unsigned int>(keys_.size());
    return kOfxStatOK;
}

OfxStatus Param::ofxGetKeyTime(unsigned int nth, OfxTime* time) {
    if (time == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (nth >= keys_.size()) return kOfxStatErrBadIndex;
    *time = std::next(keys_.begin(), nth)->first;
    return kOfxStatOK;
}

OfxStatus Param::ofxGetKeyIndex(double time, int direction, int* index) {
    if (index == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    int i = 0, found = -1;
    for (auto it = keys_.begin(); it != keys_.end(); ++it, ++i) {
        const double t = it->first;
        if (direction == 0 && std::fabs(t - time) < kTimeEpsilon) { found = i; break; }
        if (direction < 0 && t < time - kTimeEpsilon) found = i;  // keeps the last one before
        if (direction > 0 && t > time + kTimeEpsilon) { found = i; break; }
    }
    if (found < 0) return kOfxStatFailed;
    *index = found;
    return kOfxStatOK;
}

OfxStatus Param::ofxDeleteKey(double time) {
    if (ActionScope::inside(kOfxImageEffectActionRender))
        Diagnostics::get().violation("paramDeleteKey on " + where(*this) + " during a render");
    if (!deleteKey(time)) return kOfxStatErrBadIndex;
    pluginChanged();
    return kOfxStatOK;
}

OfxStatus Param::ofxDeleteAllKeys() {
    if (ActionScope::inside(kOfxImageEffectActionRender))
        Diagnostics::get().violation("paramDeleteAllKeys on " + where(*this) + " during a render");
    deleteAllKeys();
    pluginChanged();
    return kOfxStatOK;
}

OfxStatus Param::ofxCopyFrom(Param& from, double offset, const OfxRangeD* range) {
    if (from.kind_ != kind_) {
        Diagnostics::get().violation("paramCopy from " + where(from) + " to " + where(*this));
        return kOfxStatErrValue;
    }
    if (&from == this) return kOfxStatOK;
    {
        std::scoped_lock lock(mutex_, from.mutex_);
        if (range == nullptr) {
            static_ = from.static_;
            keys_.clear();
            for (const auto& k : from.keys_) keys_[k.first + offset] = k.second;
        } else {
            for (auto it = keys_.begin(); it != keys_.end();)
                it = (it->first >= range->min + offset && it->first <= range->max + offset) ? keys_.erase(it) : std::next(it);
            for (const auto& k : from.keys_)
                if (k.first >= range->min && k.first <= range->max) keys_[k.first + offset] = k.second;
        }
        keysChanged();
    }
    pluginChanged();
    return kOfxStatOK;
}

// ---------------------------------------------------------------------------------------------------------------
// ParamSet

ParamSet::ParamSet(bool descriptor, std::function<double()> currentTime)
    : descriptor_(descriptor),
      currentTime_(std::move(currentTime)),
      props_(descriptor ? "parameter set descriptor" : "parameter set", this) {
    props_.defineInt(kOfxPropParamSetNeedsSyncing, {0});
    props_.defineString(kOfxPluginPropParamPageOrder, {}, false, 0);
    Registry<ParamSet>::add(this);
}

ParamSet::~ParamSet() {
    Registry<ParamSet>::remove(this);
    magic_ = 0;
}

ParamSet* ParamSet::fromHandle(OfxParamSetHandle handle) {
    if (handle == nullptr || !Registry<ParamSet>::contains(handle)) return nullptr;
    auto* s = reinterpret_cast<ParamSet*>(handle);
    return s->magic_ == kMagic ? s : nullptr;
}

Param* ParamSet::find(const std::string& name) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : it->second;
}

void ParamSet::instantiateFrom(ParamSet& descriptor) {
    props_.copyFrom(descriptor.props_);
    for (const auto& d : descriptor.params_) {
        auto p = std::make_unique<Param>(*this, d->name(), d->kind(), false);
        p->props().copyFrom(d->props());
        p->props().setString(kOfxPropType, 0, kOfxTypeParameterInstance);
        for (const char* fixed : {kOfxPropType, kOfxPropName, kOfxParamPropType, kOfxParamPropIsAnimating, kOfxParamPropIsAutoKeying})
            p->props().setReadOnly(fixed, true);
        p->setInterpolation(d->interpolation());
        p->initialiseFromDefault();
        std::lock_guard<std::mutex> lock(mutex_);
        byName_[p->name()] = p.get();
        params_.push_back(std::move(p));
    }
}

std::vector<std::string> ParamSet::editLog() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return editLog_;
}

OfxStatus ParamSet::ofxDefine(const char* type, const char* name, OfxPropertySetHandle* props) {
    if (type == nullptr || name == nullptr) {
        Diagnostics::get().violation("paramDefine with a null type or name");
        return kOfxStatErrValue;
    }
    if (!descriptor_) {
        Diagnostics::get().violation(std::string("paramDefine('") + name + "') on an instance's parameter set");
        return kOfxStatErrUnsupported;
    }
    ParamKind kind;
    if (!paramKindFromType(type, &kind)) {
        Diagnostics::get().violation(std::string("paramDefine('") + name + "') with unknown type " + type);
        return kOfxStatErrUnknown;
    }
    if (kind == ParamKind::StrChoice || kind == ParamKind::Bytes) {
        Diagnostics::get().warning(std::string("paramDefine('") + name + "') of type " + type + ", which this host does not support");
        return kOfxStatErrUnsupported;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (byName_.count(name) != 0) {
        Diagnostics::get().violation(std::string("paramDefine('") + name + "') twice");
        return kOfxStatErrExists;
    }
    auto p = std::make_unique<Param>(*this, name, kind, true);
    if (props != nullptr) *props = p->props().handle();
    byName_[name] = p.get();
    params_.push_back(std::move(p));
    return kOfxStatOK;
}

OfxStatus ParamSet::ofxGetHandle(const char* name, OfxParamHandle* param, OfxPropertySetHandle* props) {
    if (name == nullptr || param == nullptr) return kOfxStatErrValue;
    Param* p = find(name);
    if (p == nullptr) {
        Diagnostics::get().warning(std::string("paramGetHandle('") + name + "'): no such parameter");
        return kOfxStatErrUnknown;
    }
    *param = p->handle();
    if (props != nullptr) *props = p->props().handle();
    return kOfxStatOK;
}

OfxStatus ParamSet::ofxEditBegin(const char* name) {
    std::lock_guard<std::mutex> lock(mutex_);
    editStack_.push_back(name ? name : "");
    editLog_.push_back(std::string("begin:") + (name ? name : ""));
    return kOfxStatOK;
}

OfxStatus ParamSet::ofxEditEnd() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (editStack_.empty()) {
        Diagnostics::get().violation("paramEditEnd without paramEditBegin");
        return kOfxStatFailed;
    }
    editStack_.pop_back();
    editLog_.push_back("end");
    return kOfxStatOK;
}

// ---------------------------------------------------------------------------------------------------------------
// The suite

namespace {

Param* resolveParam(OfxParamHandle h, const char* fn) {
    Param* p = Param::fromHandle(h);
    if (p == nullptr) Diagnostics::get().violation(std::string(fn) + " on a bad parameter handle");
    return p;
}

ParamSet* resolveSet(OfxParamSetHandle h, const char* fn) {
    ParamSet* s = ParamSet::fromHandle(h);
    if (s == nullptr) Diagnostics::get().violation(std::string(fn) + " on a bad parameter set handle");
    return s;
}

OfxStatus paramDefine(OfxParamSetHandle set, const char* type, const char* name, OfxPropertySetHandle* props) {
    ParamSet* s = resolveSet(set, "paramDefine");
    return s ? s->ofxDefine(type, name, props) : kOfxStatErrBadHandle;
}

OfxStatus paramGetHandle(OfxParamSetHandle set, const char* name, OfxParamHandle* param, OfxPropertySetHandle* props) {
    ParamSet* s = resolveSet(set, "paramGetHandle");
    return s ? s->ofxGetHandle(name, param, props) : kOfxStatErrBadHandle;
}

OfxStatus paramSetGetPropertySet(OfxParamSetHandle set, OfxPropertySetHandle* props) {
    ParamSet* s = resolveSet(set, "paramSetGetPropertySet");
    if (s == nullptr) return kOfxStatErrBadHandle;
    if (props == nullptr) return kOfxStatErrValue;
    *props = s->props().handle();
    return kOfxStatOK;
}

OfxStatus paramGetPropertySet(OfxParamHandle param, OfxPropertySetHandle* props) {
    Param* p = resolveParam(param, "paramGetPropertySet");
    if (p == nullptr) return kOfxStatErrBadHandle;
    if (props == nullptr) return kOfxStatErrValue;
    *props = p->props().handle();
    return kOfxStatOK;
}

OfxStatus paramGetValue(OfxParamHandle param, ...) {
    Param* p = resolveParam(param, "paramGetValue");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, param);
    const OfxStatus st = p->ofxGetValue(p->owner().currentTime(), args);
    va_end(args);
    return st;
}

OfxStatus paramGetValueAtTime(OfxParamHandle param, OfxTime time, ...) {
    Param* p = resolveParam(param, "paramGetValueAtTime");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, time);
    const OfxStatus st = p->ofxGetValue(time, args);
    va_end(args);
    return st;
}

OfxStatus paramGetDerivative(OfxParamHandle param, OfxTime time, ...) {
    Param* p = resolveParam(param, "paramGetDerivative");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, time);
    const OfxStatus st = p->ofxGetDerivative(time, args);
    va_end(args);
    return st;
}

OfxStatus paramGetIntegral(OfxParamHandle param, OfxTime time1, OfxTime time2, ...) {
    Param* p = resolveParam(param, "paramGetIntegral");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, time2);
    const OfxStatus st = p->ofxGetIntegral(time1, time2, args);
    va_end(args);
    return st;
}

OfxStatus paramSetValue(OfxParamHandle param, ...) {
    Param* p = resolveParam(param, "paramSetValue");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, param);
    const OfxStatus st = p->ofxSetValue(false, 0.0, args);
    va_end(args);
    return st;
}

OfxStatus paramSetValueAtTime(OfxParamHandle param, OfxTime time, ...) {
    Param* p = resolveParam(param, "paramSetValueAtTime");
    if (p == nullptr) return kOfxStatErrBadHandle;
    va_list args;
    va_start(args, time);
    const OfxStatus st = p->ofxSetValue(true, time, args);
    va_end(args);
    return st;
}

OfxStatus paramGetNumKeys(OfxParamHandle param, unsigned int* n) {
    Param* p = resolveParam(param, "paramGetNumKeys");
    return p ? p->ofxGetNumKeys(n) : kOfxStatErrBadHandle;
}

OfxStatus paramGetKeyTime(OfxParamHandle param, unsigned int nth, OfxTime* time) {
    Param* p = resolveParam(param, "paramGetKeyTime");
    return p ? p->ofxGetKeyTime(nth, time) : kOfxStatErrBadHandle;
}

OfxStatus paramGetKeyIndex(OfxParamHandle param, OfxTime time, int direction, int* index) {
    Param* p = resolveParam(param, "paramGetKeyIndex");
    return p ? p->ofxGetKeyIndex(time, direction, index) : kOfxStatErrBadHandle;
}

OfxStatus paramDeleteKey(OfxParamHandle param, OfxTime time) {
    Param* p = resolveParam(param, "paramDeleteKey");
    return p ? p->ofxDeleteKey(time) : kOfxStatErrBadHandle;
}

OfxStatus paramDeleteAllKeys(OfxParamHandle param) {
    Param* p = resolveParam(param, "paramDeleteAllKeys");
    return p ? p->ofxDeleteAllKeys() : kOfxStatErrBadHandle;
}

OfxStatus paramCopy(OfxParamHandle to, OfxParamHandle from, OfxTime offset, const OfxRangeD* range) {
    Param* t = resolveParam(to, "paramCopy");
    Param* f = resolveParam(from, "paramCopy");
    return t && f ? t->ofxCopyFrom(*f, offset, range) : kOfxStatErrBadHandle;
}

OfxStatus paramEditBegin(OfxParamSetHandle set, const char* name) {
    ParamSet* s = resolveSet(set, "paramEditBegin");
    return s ? s->ofxEditBegin(name) : kOfxStatErrBadHandle;
}

OfxStatus paramEditEnd(OfxParamSetHandle set) {
    ParamSet* s = resolveSet(set, "paramEditEnd");
    return s ? s->ofxEditEnd() : kOfxStatErrBadHandle;
}

const OfxParameterSuiteV1 kParameterSuite = {
    paramDefine,      paramGetHandle,      paramSetGetPropertySet, paramGetPropertySet, paramGetValue,
    paramGetValueAtTime, paramGetDerivative, paramGetIntegral,     paramSetValue,       paramSetValueAtTime,
    paramGetNumKeys,  paramGetKeyTime,     paramGetKeyIndex,       paramDeleteKey,      paramDeleteAllKeys,
    paramCopy,        paramEditBegin,      paramEditEnd,
};

}  // namespace

const OfxParameterSuiteV1* ParamSet::suite() { return &kParameterSuite; }

}  // namespace ofxtest
