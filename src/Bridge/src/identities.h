// Person slots: which identity of the current analysis each of the effect's fixed slots shows, and the
// JSON form persisted in the hidden "identities_json" parameter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol.h"

namespace deid {

constexpr int kPersonSlots = 16;

struct SlotIdentity {
    int slot = 0;     // 1..kPersonSlots
    int64_t id = 0;   // identity number in the analysis
    double first = 0;
    double last = 0;
    std::string label;
};

// Assigns identities to slots in ascending identity order; identities past the last slot get none.
std::vector<SlotIdentity> assignSlots(const std::vector<protocol::Identity> &identities);

std::string slotsToJson(const std::vector<SlotIdentity> &slots);
// Parses the persisted form. Empty text is an empty list. Returns false on any malformed content.
bool slotsFromJson(const std::string &text, std::vector<SlotIdentity> &out, std::string &error);

// The label shown for an identity ("Person 3 — 00:02–00:41"); the server's label when it has one.
std::string slotLabel(const SlotIdentity &s);
// The label shown for an unused slot.
const char *unusedSlotLabel();

}  // namespace deid
