// The router reads a browser packet's routing fields without building a document; it must
// decide exactly as a full parse would.

#include "packet_fields.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace throng::router {
namespace {

TEST(PacketFields, ReadsTheTopLevelRoutingFieldsOnly) {
  auto fields = ReadPacketFields(
      R"({"packet_type":"mephisto_bound_live_update","subject_id":"17-ab","data":{"packet_type":"x","subject_id":"y","client_timestamp":5,"list":[{"subject_id":"z"}]},"client_timestamp":1712.5})");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->packet_type, "mephisto_bound_live_update");
  EXPECT_EQ(fields->subject_id, "17-ab");
  EXPECT_DOUBLE_EQ(fields->client_timestamp, 1712.5);
}

TEST(PacketFields, LeavesOutFieldsThatAreNotStringsOrNumbers) {
  auto fields = ReadPacketFields(R"({"packet_type":7,"subject_id":null,"client_timestamp":"3"})");
  ASSERT_TRUE(fields);
  EXPECT_FALSE(fields->packet_type);
  EXPECT_FALSE(fields->subject_id);
  EXPECT_EQ(fields->client_timestamp, 0);
  fields = ReadPacketFields(R"({"packet_type":{"a":1},"subject_id":["s"],"client_timestamp":2})");
  ASSERT_TRUE(fields);
  EXPECT_FALSE(fields->packet_type);
  EXPECT_FALSE(fields->subject_id);
  EXPECT_EQ(fields->client_timestamp, 2);
  EXPECT_EQ(ReadPacketFields(R"({"client_timestamp":-4})")->client_timestamp, -4);
}

TEST(PacketFields, TheLastOfARepeatedFieldWinsAsInADocument) {
  auto fields = ReadPacketFields(
      R"({"packet_type":"alive","packet_type":"heartbeat","subject_id":"a","subject_id":1})");
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->packet_type, "heartbeat");
  EXPECT_FALSE(fields->subject_id);
}

TEST(PacketFields, RefusesAnythingButOneValidObject) {
  for (const char* text : {"", "null", "[]", R"([{"packet_type":"alive"}])", R"("alive")", "{",
                           R"({"packet_type":"alive"} {})", R"({"packet_type":"alive",})",
                           "{\"packet_type\":\"\xff\"}", R"({"a":01})"}) {
    EXPECT_FALSE(ReadPacketFields(text)) << text;
    EXPECT_TRUE(nlohmann::json::parse(text, nullptr, false).is_discarded() ||
                !nlohmann::json::parse(text, nullptr, false).is_object())
        << text;
  }
  EXPECT_TRUE(ReadPacketFields("  {}  "));
}

}  // namespace
}  // namespace throng::router
