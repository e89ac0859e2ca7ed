#include "PropertySet.h"

#include "Diagnostics.h"

#include <unordered_set>

namespace ofxtest {

namespace {

// Every live set, so a stale or foreign handle is answered with kOfxStatErrBadHandle instead of a crash.
std::mutex& registryMutex() {
    static std::mutex m;
    return m;
}
std::unordered_set<const PropertySet*>& registry() {
    static std::unordered_set<const PropertySet*> r;
    return r;
}

std::string describe(const PropertySet& set, const char* name) {
    return std::string(name ? name : "(null)") + " on " + set.kind();
}

}  // namespace

const char* propTypeName(PropType type) {
    switch (type) {
        case PropType::Int: return "int";
        case PropType::Double: return "double";
        case PropType::String: return "string";
        case PropType::Pointer: return "pointer";
    }
    return "?";
}

int PropertySet::Property::size() const {
    switch (type) {
        case PropType::Int: return static_cast<int>(ints.size());
        case PropType::Double: return static_cast<int>(doubles.size());
        case PropType::String: return static_cast<int>(strings.size());
        case PropType::Pointer: return static_cast<int>(pointers.size());
    }
    return 0;
}

void PropertySet::Property::resize(int n) {
    switch (type) {
        case PropType::Int: ints.resize(n, 0); break;
        case PropType::Double: doubles.resize(n, 0.0); break;
        case PropType::String: strings.resize(n); break;
        case PropType::Pointer: pointers.resize(n, nullptr); break;
    }
}

PropertySet::PropertySet(std::string kind, void* owner) : kind_(std::move(kind)), owner_(owner) {
    std::lock_guard<std::mutex> lock(registryMutex());
    registry().insert(this);
}

PropertySet::~PropertySet() {
    {
        std::lock_guard<std::mutex> lock(registryMutex());
        registry().erase(this);
    }
    magic_ = 0;
}

PropertySet* PropertySet::fromHandle(OfxPropertySetHandle handle) {
    auto* set = reinterpret_cast<PropertySet*>(handle);
    if (set == nullptr) return nullptr;
    std::lock_guard<std::mutex> lock(registryMutex());
    if (registry().count(set) == 0) return nullptr;
    return set->magic_ == kMagic ? set : nullptr;
}

PropertySet::Property& PropertySet::defineProperty(const std::string& name, PropType type, bool readOnly, int fixedDimension) {
    Property& p = properties_[name];
    p = Property{};
    p.type = type;
    p.readOnly = readOnly;
    p.fixedDimension = fixedDimension;
    return p;
}

void PropertySet::defineInt(const std::string& name, std::vector<int> defaults, bool readOnly, int fixedDimension) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property& p = defineProperty(name, PropType::Int, readOnly, fixedDimension < 0 ? static_cast<int>(defaults.size()) : fixedDimension);
    p.ints = defaults;
    p.defaultInts = std::move(defaults);
}

void PropertySet::defineDouble(const std::string& name, std::vector<double> defaults, bool readOnly, int fixedDimension) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property& p = defineProperty(name, PropType::Double, readOnly, fixedDimension < 0 ? static_cast<int>(defaults.size()) : fixedDimension);
    p.doubles = defaults;
    p.defaultDoubles = std::move(defaults);
}

void PropertySet::defineString(const std::string& name, std::vector<std::string> defaults, bool readOnly, int fixedDimension) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property& p = defineProperty(name, PropType::String, readOnly, fixedDimension < 0 ? static_cast<int>(defaults.size()) : fixedDimension);
    p.strings = defaults;
    p.defaultStrings = std::move(defaults);
}

void PropertySet::definePointer(const std::string& name, std::vector<void*> defaults, bool readOnly, int fixedDimension) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property& p = defineProperty(name, PropType::Pointer, readOnly, fixedDimension < 0 ? static_cast<int>(defaults.size()) : fixedDimension);
    p.pointers = defaults;
    p.defaultPointers = std::move(defaults);
}

void PropertySet::copyFrom(const PropertySet& other, int readOnly) {
    if (&other == this) return;
    std::scoped_lock lock(mutex_, other.mutex_);
    for (const auto& [name, p] : other.properties_) {
        Property copy = p;
        if (readOnly >= 0) copy.readOnly = readOnly != 0;
        properties_[name] = std::move(copy);
    }
}

void PropertySet::setReadOnly(const std::string& name, bool readOnly) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (Property* p = find(name)) p->readOnly = readOnly;
}

PropertySet::Property* PropertySet::find(const std::string& name) {
    auto it = properties_.find(name);
    return it == properties_.end() ? nullptr : &it->second;
}

const PropertySet::Property* PropertySet::find(const std::string& name) const {
    auto it = properties_.find(name);
    return it == properties_.end() ? nullptr : &it->second;
}

const char* PropertySet::intern(const std::string& value) {
    return stringPool_.insert(value).first->c_str();
}

// ---------------------------------------------------------------------------------------------------------------
// Host-side access

namespace {
template <typename T>
void hostWrite(std::vector<T>& values, int index, const T& value, int fixedDimension) {
    if (index < 0) return;
    if (static_cast<size_t>(index) >= values.size()) {
        if (fixedDimension > 0 && index >= fixedDimension) return;
        values.resize(static_cast<size_t>(index) + 1);
    }
    values[static_cast<size_t>(index)] = value;
}
}  // namespace

void PropertySet::setInt(const std::string& name, int index, int value) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::Int) p = &defineProperty(name, PropType::Int, false, 0);
    hostWrite(p->ints, index, value, p->fixedDimension);
}

void PropertySet::setDouble(const std::string& name, int index, double value) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::Double) p = &defineProperty(name, PropType::Double, false, 0);
    hostWrite(p->doubles, index, value, p->fixedDimension);
}

void PropertySet::setString(const std::string& name, int index, const std::string& value) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::String) p = &defineProperty(name, PropType::String, false, 0);
    hostWrite(p->strings, index, value, p->fixedDimension);
}

void PropertySet::setPointer(const std::string& name, int index, void* value) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::Pointer) p = &defineProperty(name, PropType::Pointer, false, 0);
    hostWrite(p->pointers, index, value, p->fixedDimension);
}

void PropertySet::setInts(const std::string& name, const std::vector<int>& values) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::Int) p = &defineProperty(name, PropType::Int, false, 0);
    p->ints = values;
}

void PropertySet::setDoubles(const std::string& name, const std::vector<double>& values) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::Double) p = &defineProperty(name, PropType::Double, false, 0);
    p->doubles = values;
}

void PropertySet::setStrings(const std::string& name, const std::vector<std::string>& values) {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr || p->type != PropType::String) p = &defineProperty(name, PropType::String, false, 0);
    p->strings = values;
}

bool PropertySet::has(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    return find(name) != nullptr;
}

PropType PropertySet::typeOf(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    return p ? p->type : PropType::Int;
}

int PropertySet::dimension(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    return p ? p->size() : 0;
}

int PropertySet::getInt(const std::string& name, int index, int fallback) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    if (!p || index < 0) return fallback;
    if (p->type == PropType::Int && index < static_cast<int>(p->ints.size())) return p->ints[index];
    if (p->type == PropType::Double && index < static_cast<int>(p->doubles.size())) return static_cast<int>(p->doubles[index]);
    return fallback;
}

double PropertySet::getDouble(const std::string& name, int index, double fallback) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    if (!p || index < 0) return fallback;
    if (p->type == PropType::Double && index < static_cast<int>(p->doubles.size())) return p->doubles[index];
    if (p->type == PropType::Int && index < static_cast<int>(p->ints.size())) return p->ints[index];
    return fallback;
}

std::string PropertySet::getString(const std::string& name, int index, const std::string& fallback) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    if (!p || p->type != PropType::String || index < 0 || index >= static_cast<int>(p->strings.size())) return fallback;
    return p->strings[index];
}

void* PropertySet::getPointer(const std::string& name, int index) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    if (!p || p->type != PropType::Pointer || index < 0 || index >= static_cast<int>(p->pointers.size())) return nullptr;
    return p->pointers[index];
}

std::vector<int> PropertySet::getInts(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    return p && p->type == PropType::Int ? p->ints : std::vector<int>{};
}

std::vector<double> PropertySet::getDoubles(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    return p && p->type == PropType::Double ? p->doubles : std::vector<double>{};
}

std::vector<std::string> PropertySet::getStrings(const std::string& name) const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    return p && p->type == PropType::String ? p->strings : std::vector<std::string>{};
}

std::vector<std::string> PropertySet::names() const {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& entry : properties_) out.push_back(entry.first);
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Plugin-side access (the property suite)

OfxStatus PropertySet::checkWrite(const char* name, PropType type, int index, int count, Property** out) {
    if (name == nullptr) {
        Diagnostics::get().violation("property write with a null name on " + kind_);
        return kOfxStatErrUnknown;
    }
    Property* p = find(name);
    if (p == nullptr) {
        if (!extensible_) {
            Diagnostics::get().warning("plugin wrote unknown property " + describe(*this, name) + " (kOfxStatErrUnknown)");
            return kOfxStatErrUnknown;
        }
        Diagnostics::get().warning("plugin created property " + describe(*this, name));
        p = &defineProperty(name, type, false, 0);
    }
    if (p->type != type) {
        Diagnostics::get().violation(std::string("plugin wrote ") + propTypeName(type) + " to " + propTypeName(p->type) +
                                     " property " + describe(*this, name));
        return kOfxStatErrValue;
    }
    if (p->readOnly) {
        Diagnostics::get().violation("plugin wrote read-only property " + describe(*this, name));
        return kOfxStatErrValue;
    }
    if (index < 0 || count < 0) {
        Diagnostics::get().violation("plugin wrote negative index/count to " + describe(*this, name));
        return kOfxStatErrBadIndex;
    }
    const int last = count > 0 ? count : index + 1;  // size needed
    if (p->fixedDimension > 0 && last > p->fixedDimension) {
        Diagnostics::get().violation("plugin wrote index " + std::to_string(last - 1) + " of " + describe(*this, name) +
                                     " (dimension " + std::to_string(p->fixedDimension) + ")");
        return kOfxStatErrBadIndex;
    }
    if (p->fixedDimension == 0 && count == 0 && index > p->size()) {
        // Variable-dimension properties grow one value at a time; a gap would leave undefined values.
        Diagnostics::get().violation("plugin wrote index " + std::to_string(index) + " past the end of " + describe(*this, name));
        return kOfxStatErrBadIndex;
    }
    *out = p;
    return kOfxStatOK;
}

OfxStatus PropertySet::checkRead(const char* name, PropType type, int index, int count, const Property** out) {
    if (name == nullptr) {
        Diagnostics::get().violation("property read with a null name on " + kind_);
        return kOfxStatErrUnknown;
    }
    const Property* p = find(name);
    if (p == nullptr) {
        Diagnostics::get().warning("plugin read unknown property " + describe(*this, name));
        return kOfxStatErrUnknown;
    }
    if (p->type != type) {
        Diagnostics::get().violation(std::string("plugin read ") + propTypeName(type) + " from " + propTypeName(p->type) +
                                     " property " + describe(*this, name));
        return kOfxStatErrValue;
    }
    const int need = count > 0 ? count : index + 1;
    if (index < 0 || count < 0 || need > p->size()) return kOfxStatErrBadIndex;
    *out = p;
    return kOfxStatOK;
}

#define OFXTEST_SET_ONE(TYPE, FIELD, VALUE)                                              \
    std::lock_guard<std::recursive_mutex> lock(mutex_);                                  \
    Property* p = nullptr;                                                               \
    if (OfxStatus st = checkWrite(name, TYPE, index, 0, &p); st != kOfxStatOK) return st; \
    if (index >= static_cast<int>(p->FIELD.size())) p->resize(index + 1);                \
    p->FIELD[index] = VALUE;                                                             \
    return kOfxStatOK;

OfxStatus PropertySet::ofxSetPointer(const char* name, int index, void* value) { OFXTEST_SET_ONE(PropType::Pointer, pointers, value) }
OfxStatus PropertySet::ofxSetString(const char* name, int index, const char* value) {
    if (value == nullptr) {
        Diagnostics::get().violation(std::string("plugin wrote a null string to ") + describe(*this, name));
        return kOfxStatErrValue;
    }
    OFXTEST_SET_ONE(PropType::String, strings, std::string(value))
}
OfxStatus PropertySet::ofxSetDouble(const char* name, int index, double value) { OFXTEST_SET_ONE(PropType::Double, doubles, value) }
OfxStatus PropertySet::ofxSetInt(const char* name, int index, int value) { OFXTEST_SET_ONE(PropType::Int, ints, value) }
#undef OFXTEST_SET_ONE

// Writing N values sets the first N; a variable-dimension property then has exactly N.
#define OFXTEST_SET_N(TYPE, FIELD, CONVERT)                                                \
    std::lock_guard<std::recursive_mutex> lock(mutex_);                                    \
    if (count > 0 && values == nullptr) return kOfxStatErrValue;                           \
    Property* p = nullptr;                                                                 \
    if (OfxStatus st = checkWrite(name, TYPE, 0, count, &p); st != kOfxStatOK) return st;  \
    if (p->fixedDimension == 0) p->resize(count);                                          \
    else if (count > static_cast<int>(p->FIELD.size())) p->resize(count);                  \
    for (int i = 0; i < count; ++i) p->FIELD[i] = CONVERT(values[i]);                      \
    return kOfxStatOK;

#define OFXTEST_SAME(x) (x)
#define OFXTEST_STR(x) std::string((x) ? (x) : "")
OfxStatus PropertySet::ofxSetPointerN(const char* name, int count, void* const* values) { OFXTEST_SET_N(PropType::Pointer, pointers, OFXTEST_SAME) }
OfxStatus PropertySet::ofxSetStringN(const char* name, int count, const char* const* values) { OFXTEST_SET_N(PropType::String, strings, OFXTEST_STR) }
OfxStatus PropertySet::ofxSetDoubleN(const char* name, int count, const double* values) { OFXTEST_SET_N(PropType::Double, doubles, OFXTEST_SAME) }
OfxStatus PropertySet::ofxSetIntN(const char* name, int count, const int* values) { OFXTEST_SET_N(PropType::Int, ints, OFXTEST_SAME) }
#undef OFXTEST_SET_N

OfxStatus PropertySet::ofxGetPointer(const char* name, int index, void** value) {
    if (value == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Pointer, index, 0, &p); st != kOfxStatOK) return st;
    *value = p->pointers[index];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetString(const char* name, int index, char** value) {
    if (value == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::String, index, 0, &p); st != kOfxStatOK) return st;
    *value = const_cast<char*>(intern(p->strings[index]));
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetDouble(const char* name, int index, double* value) {
    if (value == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Double, index, 0, &p); st != kOfxStatOK) return st;
    *value = p->doubles[index];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetInt(const char* name, int index, int* value) {
    if (value == nullptr) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Int, index, 0, &p); st != kOfxStatOK) return st;
    *value = p->ints[index];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetPointerN(const char* name, int count, void** values) {
    if (values == nullptr && count > 0) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Pointer, 0, count, &p); st != kOfxStatOK) return st;
    for (int i = 0; i < count; ++i) values[i] = p->pointers[i];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetStringN(const char* name, int count, char** values) {
    if (values == nullptr && count > 0) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::String, 0, count, &p); st != kOfxStatOK) return st;
    for (int i = 0; i < count; ++i) values[i] = const_cast<char*>(intern(p->strings[i]));
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetDoubleN(const char* name, int count, double* values) {
    if (values == nullptr && count > 0) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Double, 0, count, &p); st != kOfxStatOK) return st;
    for (int i = 0; i < count; ++i) values[i] = p->doubles[i];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetIntN(const char* name, int count, int* values) {
    if (values == nullptr && count > 0) return kOfxStatErrValue;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = nullptr;
    if (OfxStatus st = checkRead(name, PropType::Int, 0, count, &p); st != kOfxStatOK) return st;
    for (int i = 0; i < count; ++i) values[i] = p->ints[i];
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxReset(const char* name) {
    if (name == nullptr) return kOfxStatErrUnknown;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    Property* p = find(name);
    if (p == nullptr) return kOfxStatErrUnknown;
    if (p->readOnly) {
        Diagnostics::get().violation("plugin reset read-only property " + describe(*this, name));
        return kOfxStatErrValue;
    }
    p->ints = p->defaultInts;
    p->doubles = p->defaultDoubles;
    p->strings = p->defaultStrings;
    p->pointers = p->defaultPointers;
    return kOfxStatOK;
}

OfxStatus PropertySet::ofxGetDimension(const char* name, int* count) {
    if (count == nullptr) return kOfxStatErrValue;
    if (name == nullptr) return kOfxStatErrUnknown;
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    const Property* p = find(name);
    if (p == nullptr) {
        Diagnostics::get().warning("plugin asked the dimension of unknown property " + describe(*this, name));
        return kOfxStatErrUnknown;
    }
    *count = p->size();
    return kOfxStatOK;
}

// ---------------------------------------------------------------------------------------------------------------
// The suite: C entry points resolving the handle, then forwarding.

namespace {

PropertySet* resolve(OfxPropertySetHandle h, const char* fn, const char* name) {
    PropertySet* set = PropertySet::fromHandle(h);
    if (set == nullptr)
        Diagnostics::get().violation(std::string(fn) + "(" + (name ? name : "(null)") + ") on a bad property set handle");
    return set;
}

#define OFXTEST_FORWARD(FN, METHOD, T)                                                    \
    OfxStatus FN(OfxPropertySetHandle h, const char* property, int index, T value) {      \
        PropertySet* set = resolve(h, #FN, property);                                      \
        return set ? set->METHOD(property, index, value) : kOfxStatErrBadHandle;           \
    }

OFXTEST_FORWARD(propSetPointer, ofxSetPointer, void*)
OFXTEST_FORWARD(propSetString, ofxSetString, const char*)
OFXTEST_FORWARD(propSetDouble, ofxSetDouble, double)
OFXTEST_FORWARD(propSetInt, ofxSetInt, int)
OFXTEST_FORWARD(propSetPointerN, ofxSetPointerN, void* const*)
OFXTEST_FORWARD(propSetStringN, ofxSetStringN, const char* const*)
OFXTEST_FORWARD(propSetDoubleN, ofxSetDoubleN, const double*)
OFXTEST_FORWARD(propSetIntN, ofxSetIntN, const int*)
OFXTEST_FORWARD(propGetPointer, ofxGetPointer, void**)
OFXTEST_FORWARD(propGetString, ofxGetString, char**)
OFXTEST_FORWARD(propGetDouble, ofxGetDouble, double*)
OFXTEST_FORWARD(propGetInt, ofxGetInt, int*)
OFXTEST_FORWARD(propGetPointerN, ofxGetPointerN, void**)
OFXTEST_FORWARD(propGetStringN, ofxGetStringN, char**)
OFXTEST_FORWARD(propGetDoubleN, ofxGetDoubleN, double*)
OFXTEST_FORWARD(propGetIntN, ofxGetIntN, int*)
#undef OFXTEST_FORWARD

OfxStatus propReset(OfxPropertySetHandle h, const char* property) {
    PropertySet* set = resolve(h, "propReset", property);
    return set ? set->ofxReset(property) : kOfxStatErrBadHandle;
}

OfxStatus propGetDimension(OfxPropertySetHandle h, const char* property, int* count) {
    PropertySet* set = resolve(h, "propGetDimension", property);
    return set ? set->ofxGetDimension(property, count) : kOfxStatErrBadHandle;
}

const OfxPropertySuiteV1 kPropertySuite = {
    propSetPointer,  propSetString,  propSetDouble,  propSetInt,  propSetPointerN,  propSetStringN,
    propSetDoubleN,  propSetIntN,    propGetPointer, propGetString, propGetDouble,  propGetInt,
    propGetPointerN, propGetStringN, propGetDoubleN, propGetIntN, propReset,       propGetDimension,
};

}  // namespace

const OfxPropertySuiteV1* PropertySet::suite() { return &kPropertySuite; }

}  // namespace ofxtest
