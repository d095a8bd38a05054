#include "task_data_loader.hpp"

#include <gtest/gtest.h>

namespace throng::operator_ {
namespace {

TEST(TaskDataLoader, CsvWithQuotesCommasNewlinesAndCrlf) {
  auto rows = ParseCsvData("id,text\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\nthere\"\r\n", "t.csv");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0]["text"], "a, b");
  EXPECT_EQ((*rows)[1]["text"], "say \"hi\"\nthere");
  EXPECT_EQ((*rows)[1]["id"], "2");
}

TEST(TaskDataLoader, CsvErrorsNameTheRecord) {
  auto ragged = ParseCsvData("a,b\n1,2\n3\n", "t.csv");
  ASSERT_FALSE(ragged);
  EXPECT_NE(ragged.error().message.find("record 3"), std::string::npos);
  EXPECT_FALSE(ParseCsvData("a,b\n\"open,2\n", "t.csv"));
  EXPECT_FALSE(ParseCsvData("", "t.csv"));
}

TEST(TaskDataLoader, JsonMustBeAnArrayOfObjects) {
  auto rows = ParseJsonData(R"([{"x":1},{"x":2}])", "t.json");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u);
  EXPECT_FALSE(ParseJsonData(R"({"x":1})", "t.json"));
  EXPECT_FALSE(ParseJsonData(R"([1,2])", "t.json"));
  EXPECT_FALSE(ParseJsonData(R"([{"x":1})", "t.json"));
}

TEST(TaskDataLoader, JsonlSkipsBlankLinesAndNamesTheBadLine) {
  auto rows = ParseJsonlData("{\"x\":1}\n\n{\"x\":2}\n", "t.jsonl");
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->size(), 2u);
  auto bad = ParseJsonlData("{\"x\":1}\n[2]\n", "t.jsonl");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
}

TEST(TaskDataLoader, UnknownExtensionIsRefused) {
  auto result = LoadTaskData("/nonexistent/data.xlsx");
  ASSERT_FALSE(result);
}

}  // namespace
}  // namespace throng::operator_
