// A typed, multi-dimensional OpenFX property set, as a host keeps one behind every handle it gives a plugin.
//
// - Every property has one type (int, double, string, pointer) and either a fixed dimension or a variable one.
// - The host declares the properties a set carries; a plugin reading an undeclared one gets kOfxStatErrUnknown,
//   an index outside the current dimension gets kOfxStatErrBadIndex, a read or write with the wrong type gets
//   kOfxStatErrValue, and a write to a property that is read-only for plugins gets kOfxStatErrValue too.
// - Writing one past the end of a variable-dimension property appends; a fixed one never changes size.
// - Strings returned by propGetString stay valid for as long as the set lives (every value ever handed out is
//   kept), so a plugin may hold on to them across later writes.
// - Sets are thread-safe: render threads and the main thread may use one at the same time.
#pragma once

#include "Ofx.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ofxtest {

enum class PropType { Int, Double, String, Pointer };

const char* propTypeName(PropType type);

class PropertySet {
public:
    // `kind` names the set in diagnostics, e.g. "image effect instance".
    explicit PropertySet(std::string kind, void* owner = nullptr);
    ~PropertySet();
    PropertySet(const PropertySet&) = delete;
    PropertySet& operator=(const PropertySet&) = delete;

    OfxPropertySetHandle handle() { return reinterpret_cast<OfxPropertySetHandle>(this); }
    // The set behind a handle, or null when the handle is not a live property set of this host.
    static PropertySet* fromHandle(OfxPropertySetHandle handle);
    const std::string& kind() const { return kind_; }
    void* owner() const { return owner_; }

    // ---- Declaring properties (host side). `fixedDimension` 0 means variable; -1 means "the size of the defaults".
    void defineInt(const std::string& name, std::vector<int> defaults, bool readOnly = false, int fixedDimension = -1);
    void defineDouble(const std::string& name, std::vector<double> defaults, bool readOnly = false, int fixedDimension = -1);
    void defineString(const std::string& name, std::vector<std::string> defaults, bool readOnly = false, int fixedDimension = -1);
    void definePointer(const std::string& name, std::vector<void*> defaults, bool readOnly = false, int fixedDimension = -1);
    // Copies every property of `other` (type, values, defaults, dimension) into this set; `readOnly` overrides
    // the access of the copies when given.
    void copyFrom(const PropertySet& other, int readOnly = -1);
    void setReadOnly(const std::string& name, bool readOnly);
    // A set whose plugin writes may create properties the host did not declare (the write still gets a warning).
    void setExtensible(bool extensible) { extensible_ = extensible; }

    // ---- Host-side access: bypasses read-only; a missing property is created with the written type.
    void setInt(const std::string& name, int index, int value);
    void setDouble(const std::string& name, int index, double value);
    void setString(const std::string& name, int index, const std::string& value);
    void setPointer(const std::string& name, int index, void* value);
    void setInts(const std::string& name, const std::vector<int>& values);
    void setDoubles(const std::string& name, const std::vector<double>& values);
    void setStrings(const std::string& name, const std::vector<std::string>& values);

    bool has(const std::string& name) const;
    PropType typeOf(const std::string& name) const;  // undefined for a missing property: check has() first
    int dimension(const std::string& name) const;    // 0 for a missing property
    int getInt(const std::string& name, int index = 0, int fallback = 0) const;
    double getDouble(const std::string& name, int index = 0, double fallback = 0.0) const;
    std::string getString(const std::string& name, int index = 0, const std::string& fallback = {}) const;
    void* getPointer(const std::string& name, int index = 0) const;
    std::vector<int> getInts(const std::string& name) const;
    std::vector<double> getDoubles(const std::string& name) const;
    std::vector<std::string> getStrings(const std::string& name) const;
    std::vector<std::string> names() const;

    // ---- The OpenFX property suite entry points (plugin side).
    OfxStatus ofxSetPointer(const char* name, int index, void* value);
    OfxStatus ofxSetString(const char* name, int index, const char* value);
    OfxStatus ofxSetDouble(const char* name, int index, double value);
    OfxStatus ofxSetInt(const char* name, int index, int value);
    OfxStatus ofxSetPointerN(const char* name, int count, void* const* values);
    OfxStatus ofxSetStringN(const char* name, int count, const char* const* values);
    OfxStatus ofxSetDoubleN(const char* name, int count, const double* values);
    OfxStatus ofxSetIntN(const char* name, int count, const int* values);
    OfxStatus ofxGetPointer(const char* name, int index, void** value);
    OfxStatus ofxGetString(const char* name, int index, char** value);
    OfxStatus ofxGetDouble(const char* name, int index, double* value);
    OfxStatus ofxGetInt(const char* name, int index, int* value);
    OfxStatus ofxGetPointerN(const char* name, int count, void** values);
    OfxStatus ofxGetStringN(const char* name, int count, char** values);
    OfxStatus ofxGetDoubleN(const char* name, int count, double* values);
    OfxStatus ofxGetIntN(const char* name, int count, int* values);
    OfxStatus ofxReset(const char* name);
    OfxStatus ofxGetDimension(const char* name, int* count);

    // The property suite V1 whose functions dispatch to the set behind each handle.
    static const OfxPropertySuiteV1* suite();

private:
    struct Property {
        PropType type = PropType::Int;
        bool readOnly = false;
        int fixedDimension = 0;  // 0: variable
        std::vector<int> ints, defaultInts;
        std::vector<double> doubles, defaultDoubles;
        std::vector<std::string> strings, defaultStrings;
        std::vector<void*> pointers, defaultPointers;
        int size() const;
        void resize(int n);
    };

    Property* find(const std::string& name);
    const Property* find(const std::string& name) const;
    Property& defineProperty(const std::string& name, PropType type, bool readOnly, int fixedDimension);
    // Checks a plugin write; creates the property in an extensible set. Returns OK or the status to return.
    OfxStatus checkWrite(const char* name, PropType type, int index, int count, Property** out);
    OfxStatus checkRead(const char* name, PropType type, int index, int count, const Property** out);
    const char* intern(const std::string& value);  // caller holds mutex_

    static constexpr std::uint32_t kMagic = 0x50524f50;  // "PROP"
    std::uint32_t magic_ = kMagic;
    std::string kind_;
    void* owner_ = nullptr;
    bool extensible_ = false;
    mutable std::recursive_mutex mutex_;
    std::map<std::string, Property> properties_;
    std::set<std::string> stringPool_;
};

}  // namespace ofxtest
