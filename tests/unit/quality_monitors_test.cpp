#include "quality_monitors.hpp"

#include <gtest/gtest.h>

namespace throng::operator_ {
namespace {

// The error of a monitoring group that must be refused; a test failure if it was accepted.
std::string ErrorOf(const std::string& monitoring) {
  auto monitors = ParseQualityMonitors(YAML::Load(monitoring));
  EXPECT_FALSE(monitors) << monitoring << " was accepted";
  return monitors ? std::string() : monitors.error().message;
}

TEST(QualityMonitorsTest, WithoutAMonitoringGroupTheDefaultsApply) {
  auto monitors = ParseQualityMonitors(YAML::Node());
  ASSERT_TRUE(monitors) << monitors.error().message;
  EXPECT_DOUBLE_EQ(monitors->min_gold_accuracy, 0.8);
  EXPECT_DOUBLE_EQ(monitors->min_screening_pass_rate, 0.2);
  EXPECT_DOUBLE_EQ(monitors->min_onboarding_pass_rate, 0.2);
  EXPECT_DOUBLE_EQ(monitors->max_empty_submission_share, 0.1);
  EXPECT_DOUBLE_EQ(monitors->max_fast_submission_share, 0.25);
  EXPECT_DOUBLE_EQ(monitors->fast_submission_fraction, 0.25);
}

TEST(QualityMonitorsTest, EachKeyIsReadAndTheOthersKeepTheirDefaults) {
  auto monitors = ParseQualityMonitors(YAML::Load(
      "{min_gold_accuracy: 0.9, min_screening_pass_rate: 0, max_empty_submission_share: 1,"
      " fast_submission_fraction: '0.5', min_onboarding_pass_rate: ~}"));
  ASSERT_TRUE(monitors) << monitors.error().message;
  EXPECT_DOUBLE_EQ(monitors->min_gold_accuracy, 0.9);
  EXPECT_DOUBLE_EQ(monitors->min_screening_pass_rate, 0);
  EXPECT_DOUBLE_EQ(monitors->max_empty_submission_share, 1);
  EXPECT_DOUBLE_EQ(monitors->fast_submission_fraction, 0.5);
  EXPECT_DOUBLE_EQ(monitors->min_onboarding_pass_rate, 0.2);
  EXPECT_DOUBLE_EQ(monitors->max_fast_submission_share, 0.25);
}

TEST(QualityMonitorsTest, BadValuesAreRefusedNamingTheKeyAndItsRange) {
  struct Case {
    std::string monitoring;
    std::string expected;
  };
  for (const auto& [monitoring, expected] : std::vector<Case>{
           {"{min_gold_accuracy: 1.5}",
            "monitoring.min_gold_accuracy must be a number from 0 to 1"},
           {"{min_screening_pass_rate: -0.1}", "monitoring.min_screening_pass_rate must be"},
           {"{max_fast_submission_share: lots}", "not 'lots'"},
           {"{max_empty_submission_share: .nan}", "monitoring.max_empty_submission_share"},
           {"{min_onboarding_pass_rate: .inf}", "monitoring.min_onboarding_pass_rate"},
           {"{min_gold_accuracy: true}", "monitoring.min_gold_accuracy"},
           {"{min_gold_accuracy: ' 0.5'}", "monitoring.min_gold_accuracy"},
           {"{min_gold_accuracy: [0.5]}", "not a list or mapping"},
           {"{fast_submission_fraction: 0}", "must be a number above 0 and at most 1"},
           {"{fast_submission_fraction: 2}", "monitoring.fast_submission_fraction"},
           {"{min_gold_acuracy: 0.5}", "monitoring.min_gold_acuracy is not a monitoring setting"},
           {"[0.5]", "'monitoring' section must be a mapping"},
       }) {
    auto error = ErrorOf(monitoring);
    EXPECT_NE(error.find(expected), std::string::npos) << monitoring << ": " << error;
  }
  // An unknown key lists the known ones.
  EXPECT_NE(ErrorOf("{gold: 1}").find("min_gold_accuracy, min_screening_pass_rate"),
            std::string::npos);
}

TEST(QualityMonitorsTest, ValuesAsTypedOnTheCommandLineFollowTheSameRules) {
  const auto& fraction = QualityMonitorSettings().back();
  ASSERT_STREQ(fraction.key, "fast_submission_fraction");
  EXPECT_DOUBLE_EQ(*ParseQualityMonitorValue(fraction, "0.1"), 0.1);
  EXPECT_DOUBLE_EQ(*ParseQualityMonitorValue(fraction, "1"), 1);
  EXPECT_FALSE(ParseQualityMonitorValue(fraction, "0"));
  EXPECT_FALSE(ParseQualityMonitorValue(fraction, ""));
  EXPECT_FALSE(ParseQualityMonitorValue(fraction, "0.1x"));
  const auto& accuracy = QualityMonitorSettings().front();
  EXPECT_DOUBLE_EQ(*ParseQualityMonitorValue(accuracy, "0"), 0);
}

}  // namespace
}  // namespace throng::operator_
