#include "identities.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json.h"

namespace deid {

using msgpack::Value;

std::vector<SlotIdentity> assignSlots(const std::vector<protocol::Identity> &identities) {
    std::vector<protocol::Identity> sorted = identities;
    std::sort(sorted.begin(), sorted.end(),
              [](const protocol::Identity &a, const protocol::Identity &b) { return a.id < b.id; });
    std::vector<SlotIdentity> slots;
    for (const protocol::Identity &id : sorted) {
        if (static_cast<int>(slots.size()) >= kPersonSlots) break;
        SlotIdentity s;
        s.slot = static_cast<int>(slots.size()) + 1;
        s.id = id.id;
        s.first = id.first;
        s.last = id.last;
        s.label = id.label;
        slots.push_back(std::move(s));
    }
    return slots;
}

std::string slotsToJson(const std::vector<SlotIdentity> &slots) {
    Value doc = Value::map();
    doc.set("version", 1);
    Value list = Value::array();
    for (const SlotIdentity &s : slots) {
        Value item = Value::map();
        item.set("slot", s.slot);
        item.set("id", static_cast<long long>(s.id));
        item.set("first", s.first);
        item.set("last", s.last);
        item.set("label", s.label);
        list.push(std::move(item));
    }
    doc.set("identities", std::move(list));
    return json::write(doc);
}

bool slotsFromJson(const std::string &text, std::vector<SlotIdentity> &out, std::string &error) {
    out.clear();
    if (text.empty()) return true;
    Value doc;
    if (!json::parse(text, doc, error)) return false;
    int version = 0;
    const Value *v = doc.find("version");
    if (v == nullptr || !v->getInt(version) || version != 1) {
        error = "unsupported identities version";
        return false;
    }
    const Value *list = doc.find("identities");
    if (list == nullptr || list->arrayItems() == nullptr) {
        error = "no identities list";
        return false;
    }
    std::vector<SlotIdentity> slots;
    for (const Value &item : *list->arrayItems()) {
        SlotIdentity s;
        const Value *slot = item.find("slot");
        const Value *id = item.find("id");
        const Value *first = item.find("first");
        const Value *last = item.find("last");
        const Value *label = item.find("label");
        if (slot == nullptr || !slot->getInt(s.slot) || s.slot < 1 || s.slot > kPersonSlots || id == nullptr ||
            !id->getInt(s.id) || s.id < 1 || first == nullptr || !first->getDouble(s.first) || last == nullptr ||
            !last->getDouble(s.last) || label == nullptr || !label->isStr()) {
            error = "malformed identity entry";
            return false;
        }
        s.label = *label->str();
        for (const SlotIdentity &seen : slots)
            if (seen.slot == s.slot || seen.id == s.id) {
                error = "duplicate slot or identity";
                return false;
            }
        slots.push_back(std::move(s));
    }
    out = std::move(slots);
    return true;
}

namespace {
std::string clock(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
    const long long total = static_cast<long long>(seconds);
    char buf[32];
    if (total >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", total / 60, total % 60);
    return buf;
}
}  // namespace

std::string slotLabel(const SlotIdentity &s) {
    if (!s.label.empty()) return s.label;
    // "Person N — mm:ss–mm:ss" (em dash, en dash)
    return "Person " + std::to_string(s.id) + " \xE2\x80\x94 " + clock(s.first) + "\xE2\x80\x93" + clock(s.last);
}

const char *unusedSlotLabel() { return "\xE2\x80\x94"; }

}  // namespace deid
