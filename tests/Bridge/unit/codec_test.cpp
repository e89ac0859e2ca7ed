// Unit tests of the MessagePack codec, message framing, protocol messages and the persisted
// identities: valid round trips and malformed input (truncated, wrong types, oversize lengths).
#include <clocale>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "framing.h"
#include "identities.h"
#include "json.h"
#include "msgpack.h"
#include "protocol.h"
#include "test_util.h"

using deid::BridgeError;
using deid::msgpack::Value;
using Bytes = std::vector<uint8_t>;
using Kind = deid::BridgeError::Kind;

namespace {

bool decodes(const Bytes &b, Value &out) { return deid::msgpack::decode(b.data(), b.size(), out).ok; }

bool decodes(const Bytes &b) {
    Value v;
    return decodes(b, v);
}

std::string decodeError(const Bytes &b) {
    Value v;
    return deid::msgpack::decode(b.data(), b.size(), v).error;
}

Value roundTrip(const Value &v) {
    const Bytes b = deid::msgpack::encode(v);
    Value out;
    const auto r = deid::msgpack::decode(b.data(), b.size(), out);
    if (!r.ok) std::printf("  round trip failed: %s\n", r.error.c_str());
    return out;
}

int64_t asInt(const Value &v) {
    int64_t i = 0;
    CHECK(v.getInt(i));
    return i;
}

Bytes frameOf(const Bytes &payload) {
    Bytes out(4);
    deid::framing::writeLength(static_cast<uint32_t>(payload.size()), out.data());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

Value sampleRender() {
    deid::protocol::RenderRequest r;
    r.session = "ofx-1";
    r.clip = "ofx-1:0-99@25";
    r.frame = 42;
    r.slot = "/tmp/deid-0/slot-1-1.shm";
    r.width = 1920;
    r.height = 1080;
    r.depth = "float";
    r.method = "pixelate";
    r.strength = 0.75;
    r.maskScale = 1.5;
    r.feather = 0.25;
    r.threshold = 0.5;
    r.policy = "anonymize-only-listed";
    r.identities = {{1, true}, {3, false}};
    r.showBoxes = true;
    r.analysis = "";
    return deid::protocol::makeRender(r);
}

}  // namespace

// ---------------------------------------------------------------- encoding

TEST(encodes_known_bytes) {
    Value m = Value::map();
    m.set("a", 1);
    CHECK((deid::msgpack::encode(m) == Bytes{0x81, 0xa1, 'a', 0x01}));
    CHECK((deid::msgpack::encode(Value()) == Bytes{0xc0}));
    CHECK((deid::msgpack::encode(Value(true)) == Bytes{0xc3}));
    CHECK((deid::msgpack::encode(Value(false)) == Bytes{0xc2}));
    CHECK((deid::msgpack::encode(Value(-1)) == Bytes{0xff}));
    CHECK((deid::msgpack::encode(Value(-32)) == Bytes{0xe0}));
    CHECK((deid::msgpack::encode(Value(-33)) == Bytes{0xd0, 0xdf}));
    CHECK((deid::msgpack::encode(Value(127)) == Bytes{0x7f}));
    CHECK((deid::msgpack::encode(Value(128)) == Bytes{0xcc, 0x80}));
    CHECK((deid::msgpack::encode(Value(65535)) == Bytes{0xcd, 0xff, 0xff}));
    CHECK((deid::msgpack::encode(Value(65536)) == Bytes{0xce, 0x00, 0x01, 0x00, 0x00}));
    CHECK((deid::msgpack::encode(Value(1.0)) == Bytes{0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
    CHECK((deid::msgpack::encode(Value("")) == Bytes{0xa0}));
    CHECK((deid::msgpack::encode(Value::array()) == Bytes{0x90}));
    CHECK((deid::msgpack::encode(Value::map()) == Bytes{0x80}));
}

TEST(integers_round_trip_at_every_width) {
    const long long values[] = {0,        1,           31,          127,         128,         255,
                                256,      65535,       65536,       4294967295LL, 4294967296LL, -1,
                                -31,      -32,         -33,         -128,        -129,        -32768,
                                -32769,   -2147483648LL, -2147483649LL, std::numeric_limits<long long>::min(),
                                std::numeric_limits<long long>::max()};
    for (long long v : values) CHECK_EQ(asInt(roundTrip(Value(v))), v);
    const Value big = roundTrip(Value(std::numeric_limits<unsigned long long>::max()));
    uint64_t u = 0;
    CHECK(big.getUInt(u));
    CHECK_EQ(u, std::numeric_limits<uint64_t>::max());
    int64_t i = 0;
    CHECK(!big.getInt(i));  // does not fit a signed 64-bit integer
}

TEST(strings_and_containers_cross_length_boundaries) {
    for (size_t n : {size_t(0), size_t(31), size_t(32), size_t(255), size_t(256), size_t(65535), size_t(65536)}) {
        const std::string s(n, 'x');
        const Value v = roundTrip(Value(s));
        CHECK(v.str() != nullptr && *v.str() == s);
    }
    for (size_t n : {size_t(15), size_t(16), size_t(65535), size_t(65536)}) {
        Value a = Value::array();
        for (size_t i = 0; i < n; ++i) a.push(static_cast<int>(i % 7));
        const Value back = roundTrip(a);
        CHECK(back.arrayItems() != nullptr && back.arrayItems()->size() == n);
        Value m = Value::map();
        for (size_t i = 0; i < std::min<size_t>(n, 20); ++i) m.set("k" + std::to_string(i), static_cast<int>(i));
        CHECK(roundTrip(m).mapItems()->size() == std::min<size_t>(n, 20));
    }
}

TEST(render_message_round_trips_with_protocol_field_names) {
    const Value back = roundTrip(sampleRender());
    CHECK(back.isMap());
    CHECK(*back.find("type")->str() == "render");
    CHECK(asInt(*back.find("frame")) == 42);
    CHECK(asInt(*back.find("width")) == 1920);
    CHECK(*back.find("depth")->str() == "float");
    CHECK(*back.find("method")->str() == "pixelate");
    double d = 0;
    CHECK(back.find("maskScale")->getDouble(d) && d == 1.5);
    CHECK(back.find("threshold")->type() == deid::msgpack::Type::Double);
    bool b = false;
    CHECK(back.find("showBoxes")->getBool(b) && b);
    const Value *ids = back.find("identities");
    CHECK(ids != nullptr && ids->isMap() && ids->mapItems()->size() == 2);
    CHECK(ids->find("1")->getBool(b) && b);
    CHECK(ids->find("3")->getBool(b) && !b);
    CHECK(back.find("analysis")->str() != nullptr && back.find("analysis")->str()->empty());
    for (const char *k : {"session", "clip", "slot", "policy"}) CHECK(back.find(k) && back.find(k)->isStr());
    // One frame in the slot: no window fields at all.
    CHECK(back.find("windowFirst") == nullptr && back.find("windowCount") == nullptr);
}

TEST(render_message_carries_its_window_as_integers) {
    deid::protocol::RenderRequest r;
    r.frame = 42;
    r.windowFirst = 40;
    r.windowCount = 5;
    const Value back = roundTrip(deid::protocol::makeRender(r));
    CHECK(back.find("windowFirst") != nullptr && asInt(*back.find("windowFirst")) == 40);
    CHECK(back.find("windowCount") != nullptr && asInt(*back.find("windowCount")) == 5);
    CHECK(asInt(*back.find("frame")) == 42);
}

TEST(decodes_float32_and_all_int_encodings) {
    Value v;
    CHECK(decodes({0xca, 0x3f, 0xc0, 0x00, 0x00}, v));  // 1.5f
    double d = 0;
    CHECK(v.getDouble(d) && d == 1.5);
    CHECK(decodes({0xd1, 0xff, 0x7f}, v) && asInt(v) == -129);
    CHECK(decodes({0xd2, 0xff, 0xff, 0xff, 0xff}, v) && asInt(v) == -1);
    CHECK(decodes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}, v) && asInt(v) == std::numeric_limits<int64_t>::min());
    CHECK(decodes({0xcf, 0, 0, 0, 0, 0, 0, 0, 5}, v) && asInt(v) == 5);
    CHECK(decodes({0xd9, 0x02, 'h', 'i'}, v) && *v.str() == "hi");
    CHECK(decodes({0xda, 0x00, 0x01, 'x'}, v) && *v.str() == "x");
    CHECK(decodes({0xdb, 0, 0, 0, 1, 'y'}, v) && *v.str() == "y");
    CHECK(decodes({0xdc, 0x00, 0x01, 0xc0}, v) && v.arrayItems()->size() == 1);
    CHECK(decodes({0xde, 0x00, 0x01, 0xa1, 'k', 0x01}, v) && v.find("k") != nullptr);
}

// ---------------------------------------------------------------- malformed input

TEST(every_truncation_of_a_valid_message_is_rejected) {
    const Bytes full = deid::msgpack::encode(sampleRender());
    CHECK(decodes(full));
    for (size_t n = 0; n < full.size(); ++n) {
        const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        if (decodes(cut)) {
            std::printf("  truncation to %zu bytes decoded\n", n);
            CHECK(false);
        }
    }
    CHECK(!decodes(Bytes{}));
}

TEST(trailing_bytes_are_rejected) {
    Bytes b = deid::msgpack::encode(sampleRender());
    b.push_back(0xc0);
    CHECK(decodeError(b) == "trailing bytes after value");
}

TEST(oversize_lengths_are_rejected_without_allocating) {
    CHECK(!decodes({0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}));           // str32 of 4 GiB
    CHECK(!decodes({0xda, 0xff, 0xff, 'a'}));                         // str16
    CHECK(!decodes({0xd9, 0x10, 'a'}));                               // str8
    CHECK(!decodes({0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0}));           // array32 of 4 G elements
    CHECK(!decodes({0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a', 0xc0})); // map32
    CHECK(!decodes({0xdc, 0xff, 0xff}));                              // array16 with nothing
    CHECK(!decodes({0x9f}));                                          // fixarray of 15, empty
    CHECK(!decodes({0x8f, 0xa1, 'a'}));                               // fixmap of 15, one key
    CHECK(decodeError({0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}) == "string length exceeds input");
    CHECK(decodeError({0xdd, 0x7f, 0xff, 0xff, 0xff, 0xc0}) == "array length exceeds input");
}

TEST(wrong_types_are_rejected) {
    CHECK(decodeError({0x81, 0x01, 0x01}) == "map key is not a string");        // int key
    CHECK(decodeError({0x81, 0xc0, 0x01}) == "map key is not a string");        // nil key
    CHECK(decodeError({0x81, 0x91, 0xa0, 0x01}) == "map key is not a string");  // array key
    CHECK(!decodes({0xc4, 0x01, 0x00}));                                        // bin8
    CHECK(!decodes({0xc5, 0x00, 0x01, 0x00}));                                  // bin16
    CHECK(!decodes({0xd4, 0x01, 0x00}));                                        // fixext1
    CHECK(!decodes({0xc7, 0x01, 0x01, 0x00}));                                  // ext8
    CHECK(decodeError({0xc1}) == "invalid type byte");
    CHECK(!decodes({0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02}));                  // duplicate key

    Value v;
    CHECK(decodes({0xa3, 'a', 'b', 'c'}, v));
    int64_t i = 0;
    bool b = false;
    double d = 0;
    CHECK(!v.getInt(i));
    CHECK(!v.getBool(b));
    CHECK(!v.getDouble(d));
    CHECK(v.find("x") == nullptr);
    CHECK(v.arrayItems() == nullptr);
}

TEST(deep_nesting_is_rejected) {
    Bytes deep(40, 0x91);
    deep.push_back(0xc0);
    CHECK(decodeError(deep) == "nesting too deep");
    Bytes ok(30, 0x91);
    ok.push_back(0xc0);
    CHECK(decodes(ok));
}

TEST(random_and_mutated_input_never_crashes) {
    std::mt19937 rng(12345);
    const Bytes valid = deid::msgpack::encode(sampleRender());
    int decodedCount = 0;
    for (int round = 0; round < 20000; ++round) {
        Bytes b;
        if (round % 2 == 0) {
            b.resize(rng() % 64);
            for (auto &x : b) x = static_cast<uint8_t>(rng());
        } else {
            b = valid;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<uint8_t>(rng());
            if (rng() % 3 == 0) b.resize(rng() % b.size());
        }
        Value v;
        std::string err;
        if (deid::msgpack::decode(b.data(), b.size(), v).ok) ++decodedCount;
        deid::framing::decodeMessage(b.data(), b.size(), v, err);
    }
    CHECK(decodedCount >= 0);
}

// ---------------------------------------------------------------- framing

TEST(frames_carry_a_little_endian_length) {
    const Bytes frame = deid::framing::encodeFrame(deid::protocol::makePing());
    const Bytes payload = deid::msgpack::encode(deid::protocol::makePing());
    CHECK(frame.size() == payload.size() + 4);
    CHECK(frame[0] == payload.size() && frame[1] == 0 && frame[2] == 0 && frame[3] == 0);
    uint8_t h[4];
    deid::framing::writeLength(0x01020304u, h);
    CHECK(h[0] == 4 && h[1] == 3 && h[2] == 2 && h[3] == 1);
    CHECK(deid::framing::readLength(h) == 0x01020304u);
}

TEST(frame_encoding_refuses_non_maps_and_oversize_messages) {
    CHECK_THROWS_KIND(deid::framing::encodeFrame(Value(1)), Kind::Protocol);
    Value big = Value::map();
    big.set("type", "render");
    big.set("blob", std::string(deid::framing::kMaxPayload, 'x'));
    CHECK_THROWS_KIND(deid::framing::encodeFrame(big), Kind::Protocol);
}

TEST(frame_decoder_reassembles_split_and_joined_frames) {
    const Bytes a = deid::framing::encodeFrame(deid::protocol::makePing());
    const Bytes b = deid::framing::encodeFrame(sampleRender());
    Bytes stream = a;
    stream.insert(stream.end(), b.begin(), b.end());

    deid::framing::FrameDecoder dec;
    std::vector<Bytes> got;
    Bytes payload;
    for (uint8_t byte : stream) {  // one byte at a time
        CHECK(dec.wanted() >= 1);
        dec.push(&byte, 1);
        while (dec.next(payload) == deid::framing::FrameDecoder::Status::Frame) got.push_back(payload);
    }
    CHECK(got.size() == 2);
    CHECK(dec.buffered() == 0);

    deid::framing::FrameDecoder all;
    all.push(stream.data(), stream.size());
    CHECK(all.next(payload) == deid::framing::FrameDecoder::Status::Frame);
    Value v;
    std::string err;
    CHECK(deid::framing::decodeMessage(payload.data(), payload.size(), v, err) && *v.find("type")->str() == "ping");
    CHECK(all.next(payload) == deid::framing::FrameDecoder::Status::Frame);
    CHECK(deid::framing::decodeMessage(payload.data(), payload.size(), v, err) && *v.find("type")->str() == "render");
    CHECK(all.next(payload) == deid::framing::FrameDecoder::Status::NeedMore);
}

TEST(frame_decoder_rejects_bad_lengths) {
    using St = deid::framing::FrameDecoder::Status;
    Bytes payload;
    {
        deid::framing::FrameDecoder dec;
        const Bytes zero = {0, 0, 0, 0};
        dec.push(zero.data(), zero.size());
        CHECK(dec.next(payload) == St::BadLength);
        CHECK(dec.next(payload) == St::BadLength);  // final
    }
    {
        deid::framing::FrameDecoder dec;
        uint8_t h[4];
        deid::framing::writeLength(deid::framing::kMaxPayload + 1, h);
        dec.push(h, 4);
        CHECK(dec.next(payload) == St::BadLength);
    }
    {
        deid::framing::FrameDecoder dec;
        const Bytes huge = {0xff, 0xff, 0xff, 0xff};
        dec.push(huge.data(), huge.size());
        CHECK(dec.next(payload) == St::BadLength);
    }
    {
        deid::framing::FrameDecoder dec;
        uint8_t h[4];
        deid::framing::writeLength(deid::framing::kMaxPayload, h);  // exactly the limit is allowed
        dec.push(h, 4);
        CHECK(dec.next(payload) == St::NeedMore);
        CHECK(dec.wanted() == deid::framing::kMaxPayload);
    }
    {
        deid::framing::FrameDecoder dec;  // truncated header and body
        const Bytes partial = {5, 0, 0};
        dec.push(partial.data(), partial.size());
        CHECK(dec.next(payload) == St::NeedMore);
        const Bytes rest = {0, 0x80, 0xc0};
        dec.push(rest.data(), rest.size());
        CHECK(dec.next(payload) == St::NeedMore);
        CHECK(dec.wanted() == 3);
    }
}

TEST(messages_must_be_maps_with_a_type_string) {
    Value v;
    std::string err;
    auto decode = [&](const Bytes &b) { return deid::framing::decodeMessage(b.data(), b.size(), v, err); };
    CHECK(decode({0x81, 0xa4, 't', 'y', 'p', 'e', 0xa4, 'p', 'o', 'n', 'g'}));
    CHECK(!decode({0x91, 0xc0}));                                 // array
    CHECK(!decode({0x80}));                                       // no type
    CHECK(!decode({0x81, 0xa4, 't', 'y', 'p', 'e', 0x01}));       // type not a string
    CHECK(!decode({0x81, 0xa4, 't', 'y', 'p', 'e', 0xa4, 'p'}));  // truncated
    CHECK(!decode({}));
    CHECK(!decode(Bytes{0xc1}));
    (void)frameOf;
}

// ---------------------------------------------------------------- protocol replies

TEST(hello_and_welcome) {
    const Value hello = deid::protocol::makeHello("test");
    CHECK(*hello.find("type")->str() == "hello");
    CHECK(asInt(*hello.find("protocol")) == 1);
    CHECK(*hello.find("client")->str() == "test");

    Value w = Value::map();
    w.set("type", "welcome");
    w.set("protocol", 1);
    w.set("server", "deid 0.1");
    w.set("pid", 1234);
    const auto welcome = deid::protocol::parseWelcome(w);
    CHECK(welcome.pid == 1234 && welcome.server == "deid 0.1");

    Value other = w;
    other.set("protocol", 2);
    CHECK_THROWS_KIND(deid::protocol::parseWelcome(other), Kind::Protocol);
    Value mistyped = w;
    mistyped.set("protocol", "1");
    CHECK_THROWS_KIND(deid::protocol::parseWelcome(mistyped), Kind::Protocol);
    Value missing = Value::map();
    missing.set("type", "welcome");
    CHECK_THROWS_KIND(deid::protocol::parseWelcome(missing), Kind::Protocol);
}

TEST(error_replies_carry_the_server_message) {
    Value e = Value::map();
    e.set("type", "error");
    e.set("message", "no such analysis");
    try {
        deid::protocol::parseRendered(e);
        CHECK(false);
    } catch (const BridgeError &err) {
        CHECK(err.kind() == Kind::Server);
        CHECK(std::string(err.what()).find("no such analysis") != std::string::npos);
    }
    Value bare = Value::map();
    bare.set("type", "error");
    CHECK_THROWS_KIND(deid::protocol::parseOk(bare), Kind::Server);
}

TEST(replies_of_the_wrong_type_or_shape_are_protocol_errors) {
    Value pong = Value::map();
    pong.set("type", "pong");
    CHECK_THROWS_KIND(deid::protocol::parseRendered(pong), Kind::Protocol);
    CHECK_THROWS_KIND(deid::protocol::parseOk(Value(3)), Kind::Protocol);

    Value r = Value::map();
    r.set("type", "rendered");
    r.set("faces", 2);
    r.set("analysed", true);
    const auto rendered = deid::protocol::parseRendered(r);
    CHECK(rendered.faces == 2 && rendered.analysed);
    Value badFaces = r;
    badFaces.set("faces", 2.5);
    CHECK_THROWS_KIND(deid::protocol::parseRendered(badFaces), Kind::Protocol);
    Value badAnalysed = r;
    badAnalysed.set("analysed", 1);
    CHECK_THROWS_KIND(deid::protocol::parseRendered(badAnalysed), Kind::Protocol);
}

TEST(analysis_reply_is_checked_entry_by_entry) {
    auto identity = [](int id, double first, double last, const char *label) {
        Value m = Value::map();
        m.set("id", id);
        m.set("first", first);
        m.set("last", last);
        m.set("label", label);
        return m;
    };
    Value a = Value::map();
    a.set("type", "analysis");
    a.set("path", "/tmp/x.deid");
    Value list = Value::array();
    list.push(identity(2, 1.0, 5.5, "Person 2"));
    list.push(identity(1, 0.0, 41, "Person 1"));  // integer seconds are accepted
    a.set("identities", list);
    const auto parsed = deid::protocol::parseAnalysis(a);
    CHECK(parsed.path == "/tmp/x.deid" && parsed.identities.size() == 2);
    CHECK(parsed.identities[1].last == 41.0);

    Value dup = a;
    Value dupList = list;
    dupList.push(identity(2, 0, 1, "again"));
    dup.set("identities", dupList);
    CHECK_THROWS_KIND(deid::protocol::parseAnalysis(dup), Kind::Protocol);

    Value notList = a;
    notList.set("identities", Value::map());
    CHECK_THROWS_KIND(deid::protocol::parseAnalysis(notList), Kind::Protocol);

    Value badEntry = a;
    Value badList = Value::array();
    Value e = identity(1, 0, 1, "x");
    e.set("label", 5);
    badList.push(e);
    badEntry.set("identities", badList);
    CHECK_THROWS_KIND(deid::protocol::parseAnalysis(badEntry), Kind::Protocol);

    Value noPath = a;
    noPath.set("path", Value());
    CHECK_THROWS_KIND(deid::protocol::parseAnalysis(noPath), Kind::Protocol);
}

TEST(analyze_and_cache_requests) {
    deid::protocol::AnalyzeBegin b;
    b.session = "s";
    b.clip = "c";
    b.frames = 250;
    b.fps = 25.0;
    b.width = 640;
    b.height = 360;
    const Value begin = roundTrip(deid::protocol::makeAnalyzeBegin(b));
    CHECK(*begin.find("type")->str() == "analyze-begin" && asInt(*begin.find("frames")) == 250);
    CHECK(begin.find("fps")->type() == deid::msgpack::Type::Double);
    deid::protocol::AnalyzeFrame f;
    f.session = "s";
    f.frame = 7;
    f.slot = "/x";
    f.width = 640;
    f.height = 360;
    f.depth = "byte";
    const Value frame = roundTrip(deid::protocol::makeAnalyzeFrame(f));
    CHECK(*frame.find("type")->str() == "analyze-frame" && asInt(*frame.find("frame")) == 7);
    CHECK(*roundTrip(deid::protocol::makeAnalyzeEnd("s")).find("type")->str() == "analyze-end");
    CHECK(*roundTrip(deid::protocol::makeClearCache("s", "")).find("session")->str() == "s");
    CHECK(roundTrip(deid::protocol::makeClearCache("s", "")).find("fingerprint") == nullptr);
    CHECK(*roundTrip(deid::protocol::makeClearCache("s", "abc123")).find("fingerprint")->str() == "abc123");
}

// ---------------------------------------------------------------- persisted identities

TEST(identities_json_round_trips_and_assigns_slots_in_id_order) {
    std::vector<deid::protocol::Identity> ids;
    for (int i = 20; i >= 1; --i) {
        deid::protocol::Identity id;
        id.id = i;
        id.first = i * 1.25;
        id.last = i * 2.5 + 0.1;
        id.label = "Person " + std::to_string(i) + " \xE2\x80\x94 \"quoted\" \\ \n";
        ids.push_back(id);
    }
    const auto slots = deid::assignSlots(ids);
    CHECK(slots.size() == static_cast<size_t>(deid::kPersonSlots));
    CHECK(slots.front().slot == 1 && slots.front().id == 1);
    CHECK(slots.back().slot == 16 && slots.back().id == 16);

    const std::string text = deid::slotsToJson(slots);
    std::vector<deid::SlotIdentity> back;
    std::string err;
    CHECK(deid::slotsFromJson(text, back, err));
    CHECK(back.size() == slots.size());
    for (size_t i = 0; i < back.size() && i < slots.size(); ++i) {
        CHECK(back[i].slot == slots[i].slot && back[i].id == slots[i].id);
        CHECK(back[i].first == slots[i].first && back[i].last == slots[i].last);
        CHECK(back[i].label == slots[i].label);
    }
    CHECK(deid::slotsFromJson("", back, err) && back.empty());
}

TEST(identities_json_rejects_malformed_text) {
    std::vector<deid::SlotIdentity> out;
    std::string err;
    for (const char *bad : {"{", "[]", "{\"version\":2,\"identities\":[]}", "{\"version\":1}",
                            "{\"version\":1,\"identities\":[{\"slot\":0,\"id\":1,\"first\":0,\"last\":1,\"label\":\"\"}]}",
                            "{\"version\":1,\"identities\":[{\"slot\":17,\"id\":1,\"first\":0,\"last\":1,\"label\":\"\"}]}",
                            "{\"version\":1,\"identities\":[{\"slot\":1,\"id\":1,\"first\":0,\"last\":1}]}",
                            "{\"version\":1,\"identities\":[{\"slot\":1,\"id\":1,\"first\":0,\"last\":1,\"label\":\"a\"},"
                            "{\"slot\":1,\"id\":2,\"first\":0,\"last\":1,\"label\":\"b\"}]}",
                            "{\"version\":1,\"identities\":[]} x", "{\"version\":1,\"identities\":[],}",
                            "{\"version\":01,\"identities\":[]}", "\"\\ud800\""}) {
        if (deid::slotsFromJson(bad, out, err)) {
            std::printf("  accepted: %s\n", bad);
            CHECK(false);
        }
    }
}

TEST(json_handles_escapes_and_unicode) {
    Value v;
    std::string err;
    CHECK(deid::json::parse("{\"a\":\"\\u00e9\\ud83d\\ude00\\t\",\"b\":[1,-2.5e1,true,false,null]}", v, err));
    CHECK(*v.find("a")->str() == "\xC3\xA9\xF0\x9F\x98\x80\t");
    const Value *b = v.find("b");
    CHECK(b != nullptr && b->arrayItems()->size() == 5);
    double d = 0;
    CHECK((*b->arrayItems())[1].getDouble(d) && d == -25.0);
    CHECK(deid::json::write(Value(std::string("\x01"))) == "\"\\u0001\"");
    Value deep;
    CHECK(!deid::json::parse(std::string(100, '[') + std::string(100, ']'), deep, err));
}

TEST(json_numbers_ignore_the_numeric_locale) {
    const char *previous = std::setlocale(LC_NUMERIC, nullptr);
    const std::string saved = previous != nullptr ? previous : "C";
    bool comma = false;
    for (const char *name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE", "fr_FR"})
        if (std::setlocale(LC_NUMERIC, name) != nullptr) {
            comma = true;
            break;
        }
    if (!comma) std::printf("  (no decimal-comma locale installed: checking in the current locale only)\n");
    Value m = Value::map();
    m.set("x", 2.5);
    m.set("y", 1e-7);
    const std::string text = deid::json::write(m);
    CHECK(text.find("2.5") != std::string::npos);
    CHECK(text.find(',') == text.find(",\"y\""));  // the only comma separates the members
    Value back;
    std::string err;
    CHECK(deid::json::parse(text, back, err));
    double x = 0, y = 0;
    CHECK(back.find("x") && back.find("x")->getDouble(x) && x == 2.5);
    CHECK(back.find("y") && back.find("y")->getDouble(y) && y == 1e-7);
    std::setlocale(LC_NUMERIC, saved.c_str());
}

TEST(slot_labels) {
    deid::SlotIdentity s;
    s.id = 3;
    s.first = 2.4;
    s.last = 41.9;
    CHECK(deid::slotLabel(s) == "Person 3 \xE2\x80\x94 00:02\xE2\x80\x93" "00:41");
    s.label = "Person 3 from the server";
    CHECK(deid::slotLabel(s) == "Person 3 from the server");
    CHECK(std::string(deid::unusedSlotLabel()) == "\xE2\x80\x94");
}

int main() { return deid::test::runAll(); }
