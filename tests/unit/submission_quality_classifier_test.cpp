#include "submission_quality_classifier.hpp"

#include <gtest/gtest.h>

namespace throng::operator_ {
namespace {

using nlohmann::json;

TEST(SubmissionQualityTest, EmptyMeansNoValueAnywhereButNullEmptyStringListOrObject) {
  for (const char* empty : {"{}", "null", R"({"a":null})", R"({"a":""})", R"({"a":[]})",
                            R"({"a":{}})", R"({"a":{"b":[null,"",{}]},"c":[[]]})", "[]", R"("")"}) {
    EXPECT_TRUE(IsEmptySubmission(json::parse(empty))) << empty;
  }
  for (const char* answered : {R"({"a":"x"})", R"({"a":0})", R"({"a":false})",
                               R"({"a":{"b":[null,"",{"c":" "}]}})", R"({"a":[[],[1]]})", "0"}) {
    EXPECT_FALSE(IsEmptySubmission(json::parse(answered))) << answered;
  }
}

TEST(SubmissionQualityTest, TheMedianNeedsTenSamplesAndKeepsTheLast101) {
  RecentCompletionTimes recent;
  for (int i = 1; i <= 9; ++i) recent.Add(i);
  EXPECT_FALSE(recent.Median());
  recent.Add(10);
  EXPECT_DOUBLE_EQ(*recent.Median(), 5.5);  // an even count: between the two middle ones
  recent.Add(11);
  EXPECT_DOUBLE_EQ(*recent.Median(), 6);
  // 200 more samples of 1000 s: only the last 101 count, so the early ones are gone.
  for (int i = 0; i < 200; ++i) recent.Add(1000);
  EXPECT_DOUBLE_EQ(*recent.Median(), 1000);
}

TEST(SubmissionQualityTest, FastIsBelowTheFractionOfTheMedianAndEmptyWinsOverFast) {
  const json answer{{"label", "positive"}};
  EXPECT_EQ(ClassifySubmission(answer, 1, std::nullopt, 0.25), "normal");  // too few samples
  EXPECT_EQ(ClassifySubmission(answer, 24.9, 100.0, 0.25), "fast");
  EXPECT_EQ(ClassifySubmission(answer, 25, 100.0, 0.25), "normal");  // not below
  EXPECT_EQ(ClassifySubmission(answer, 49, 100.0, 0.5), "fast");
  EXPECT_EQ(ClassifySubmission(json::object(), 1, 100.0, 0.25), "empty");
  EXPECT_EQ(ClassifySubmission(json::object(), 100, std::nullopt, 0.25), "empty");
}

TEST(SubmissionQualityTest, EachRunIsJudgedAgainstItsOwnRecentCompletions) {
  SubmissionQualityClassifier classifier;
  const json answer{{"label", "positive"}};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(classifier.Classify(1, answer, 100, 0.25), "normal");
  EXPECT_EQ(classifier.Classify(1, answer, 20, 0.25), "fast");
  EXPECT_EQ(classifier.Classify(2, answer, 20, 0.25), "normal");  // run 2 has no history yet
  EXPECT_EQ(classifier.Classify(1, json::object(), 20, 0.25), "empty");
  classifier.Forget(1);
  EXPECT_EQ(classifier.Classify(1, answer, 20, 0.25), "normal");
}

}  // namespace
}  // namespace throng::operator_
