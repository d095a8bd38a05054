#include "json_data_scanner.hpp"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string>

namespace throng::echo {
namespace {

// The value found, as text; "<none>" for nullopt, so failures print readably.
std::string Data(std::string_view text) {
  auto value = FindDataValue(text);
  return value ? std::string(*value) : "<none>";
}

TEST(JsonDataScanner, FindsTheDataObjectOfALiveUpdateExactlyAsWritten) {
  const std::string frame = R"({"packet_type":"mephisto_bound_live_update","subject_id":"7-ab",)"
                            R"("data":{"text":"hi","update_id":"u1"},"client_timestamp":1.5})";
  EXPECT_EQ(Data(frame), R"({"text":"hi","update_id":"u1"})");
  // A view into the input, not a copy.
  auto value = FindDataValue(frame);
  ASSERT_TRUE(value);
  EXPECT_EQ(value->data(), frame.data() + frame.find(R"({"text")"));
}

TEST(JsonDataScanner, KeepsWhitespaceInsideTheValueButNotAroundIt) {
  EXPECT_EQ(Data(" \n{ \"data\" :\t{ \"a\" : [ 1 , 2 ] }\r\n, \"x\":1 } \n"),
            R"({ "a" : [ 1 , 2 ] })");
}

TEST(JsonDataScanner, DataMayBeAnyJsonValue) {
  EXPECT_EQ(Data(R"({"data":"text"})"), R"("text")");
  EXPECT_EQ(Data(R"({"data":[1,{"b":[]},"c"]})"), R"([1,{"b":[]},"c"])");
  EXPECT_EQ(Data(R"({"data":-12.5e+3})"), "-12.5e+3");
  EXPECT_EQ(Data(R"({"data":0})"), "0");
  EXPECT_EQ(Data(R"({"data":true})"), "true");
  EXPECT_EQ(Data(R"({"data":false})"), "false");
  EXPECT_EQ(Data(R"({"data":null})"), "null");
  EXPECT_EQ(Data(R"({"data":{}})"), "{}");
}

TEST(JsonDataScanner, BracesAndQuotesInsideStringsDoNotEndTheValue) {
  const std::string data = R"({"t":"} ] { \" \\\" \\","u":"\u00e9\/\b\f\n\r\t","v":"a\\"})";
  EXPECT_EQ(Data(R"({"before":"\"data\":1","data":)" + data + R"(,"after":"}"})"), data);
}

TEST(JsonDataScanner, OnlyATopLevelDataKeyCounts) {
  EXPECT_EQ(Data(R"({"outer":{"data":1},"list":[{"data":2}],"x":"data"})"), "<none>");
  EXPECT_EQ(Data(R"({"outer":{"data":1},"data":{"real":true}})"), R"({"real":true})");
  // The key must be exactly "data": not a prefix, not a longer name.
  EXPECT_EQ(Data(R"({"dat":1,"datas":2,"Data":3})"), "<none>");
}

TEST(JsonDataScanner, ARepeatedKeyGivesItsLastValueAsJsonParsersDo) {
  EXPECT_EQ(Data(R"({"data":1,"data":{"second":2}})"), R"({"second":2})");
}

TEST(JsonDataScanner, NonAsciiBytesInStringsAreKept) {
  EXPECT_EQ(Data(R"({"data":{"text":"héllo ✓ 😀"}})"), R"({"text":"héllo ✓ 😀"})");
}

TEST(JsonDataScanner, AbsentDataIsNullopt) {
  EXPECT_EQ(Data("{}"), "<none>");
  EXPECT_EQ(Data(R"({"packet_type":"heartbeat","subject_id":"a"})"), "<none>");
}

TEST(JsonDataScanner, MalformedTextIsNulloptNeverACrash) {
  const char* cases[] = {
      "",
      "   ",
      "null",
      "[]",
      R"(["data",{}])",
      R"("data")",
      "{",
      R"({"data")",
      R"({"data":)",
      R"({"data":{})",
      R"({"data":{}}})",
      R"({"data":{}} x)",
      R"({"data":{}}{})",
      R"({"data":{},})",
      R"({,"data":{}})",
      R"({"data" {}})",
      R"({"data"::{}})",
      R"({"data":{},"x"})",
      R"({data:{}})",
      R"({'data':{}})",
      R"({"data":{"a":1,}})",
      R"({"data":[1,]})",
      R"({"data":[1 2]})",
      R"({"data":{"a" 1}})",
      R"({"data":{"a":}})",
      R"({"data":{1:2}})",
      R"({"data":[}})",
      R"({"data":{]})",
      R"({"data":"unterminated})",
      R"({"data":"bad escape \x"})",
      R"({"data":"short unicode \u12"})",
      R"({"data":"bad unicode \u12G4"})",
      R"({"data":"trailing backslash\)",
      "{\"data\":\"raw\ncontrol\"}",
      R"({"data":tru})",
      R"({"data":nul})",
      R"({"data":True})",
      R"({"data":01})",
      R"({"data":-})",
      R"({"data":1.})",
      R"({"data":.5})",
      R"({"data":1e})",
      R"({"data":1e+})",
      R"({"data":+1})",
      R"({"data":NaN})",
      R"({"data":Infinity})",
      R"({"data":0x10})",
      R"({"data":1}garbage)",
      R"({"data":1} /* comment */)",
  };
  for (const char* text : cases) {
    EXPECT_FALSE(FindDataValue(text)) << text;
    // The scanner agrees with a full parser on every one of them.
    EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded() ||
                !nlohmann::json::parse(text, nullptr, false).is_object() ||
                !nlohmann::json::parse(text, nullptr, false).contains("data"))
        << text;
  }
}

TEST(JsonDataScanner, EmbeddedNulBytesAreMalformed) {
  static constexpr char kText[] = "{\"data\":\"a\0b\"}";
  const std::string text(kText, sizeof(kText) - 1);
  EXPECT_FALSE(FindDataValue(text));
}

TEST(JsonDataScanner, NestingBeyondTheLimitIsRefusedWithoutExhaustingTheStack) {
  auto nested = [](int depth) {
    return R"({"data":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
  };
  EXPECT_TRUE(FindDataValue(nested(kMaxJsonDepth - 1)));
  EXPECT_FALSE(FindDataValue(nested(kMaxJsonDepth)));
  EXPECT_FALSE(FindDataValue(nested(1'000'000)));
  EXPECT_FALSE(FindDataValue(R"({"data":)" + std::string(1'000'000, '[')));
}

TEST(JsonDataScanner, AgreesWithAFullParserOnWellFormedFrames) {
  const char* frames[] = {
      R"({"data":{"a":[1,2,{"b":"c"}],"d":null,"e":-0.5E-7}})",
      R"({"x":[[[]]],"data":{"nested":{"deeper":{"deepest":"\"}"}}}})",
      R"({"data":[true,false,null,"",{},[]],"y":{}})",
  };
  for (const char* frame : frames) {
    auto value = FindDataValue(frame);
    ASSERT_TRUE(value) << frame;
    EXPECT_EQ(nlohmann::json::parse(*value), nlohmann::json::parse(frame)["data"]) << frame;
  }
}

TEST(JsonDataScanner, SeveralMembersComeFromOnePass) {
  constexpr std::array<std::string_view, 3> keys = {"packet_type", "subject_id", "missing"};
  std::array<std::optional<std::string_view>, keys.size()> values;
  ASSERT_TRUE(
      FindTopLevelValues(R"({"subject_id":"a-1","data":{},"packet_type":"alive"})", keys, values));
  EXPECT_EQ(values[0], R"("alive")");
  EXPECT_EQ(values[1], R"("a-1")");
  EXPECT_FALSE(values[2]);
  EXPECT_FALSE(FindTopLevelValues(R"({"packet_type":"alive")", keys, values));
  EXPECT_EQ(FindTopLevelValue(R"({"packet_type":"alive"})", "packet_type"), R"("alive")");
}

TEST(JsonDataScanner, PlainStringContentIsForEscapeFreeStringsOnly) {
  EXPECT_EQ(PlainStringContent(R"("alive")"), "alive");
  EXPECT_EQ(PlainStringContent(R"("")"), "");
  EXPECT_FALSE(PlainStringContent(R"("a\"b")"));
  EXPECT_FALSE(PlainStringContent(R"("\u0061")"));
  EXPECT_FALSE(PlainStringContent("1"));
  EXPECT_FALSE(PlainStringContent(R"(")"));
  EXPECT_FALSE(PlainStringContent("{}"));
}

}  // namespace
}  // namespace throng::echo
