#include "provider_spec.hpp"

#include <gtest/gtest.h>

namespace throng::operator_ {
namespace {

Result<ProviderSpec> Parse(const std::string& provider) {
  return ParseProviderSpec(YAML::Load(provider));
}

// The error of a config that must be refused; a test failure if it was accepted.
std::string ErrorOf(const std::string& provider) {
  auto spec = Parse(provider);
  EXPECT_FALSE(spec) << provider << " was accepted";
  return spec ? std::string() : spec.error().message;
}

bool Mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ProviderSpecTest, WithoutAProviderGroupTheRunIsMock) {
  auto spec = ParseProviderSpec(YAML::Node());
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->type, "mock");
  EXPECT_EQ(spec->requester_name, "mock_requester");
  EXPECT_EQ(spec->glue, "mock");
  EXPECT_TRUE(spec->frontend_args.is_null());
}

TEST(ProviderSpecTest, InhouseSharesTheMockGlueAndMephistosTypeKeyIsAccepted) {
  auto spec = Parse("{_provider_type: inhouse, requester_name: lab}");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->type, "inhouse");
  EXPECT_EQ(spec->requester_name, "lab");
  EXPECT_EQ(spec->glue, "mock");
  EXPECT_TRUE(spec->frontend_args.is_null());
}

TEST(ProviderSpecTest, ProlificSendsWorkersToProlificsCompletionPageWithTheCode) {
  auto spec = Parse("{type: prolific, prolific_completion_code: C1A2B3C4}");
  ASSERT_TRUE(spec) << spec.error().message;
  EXPECT_EQ(spec->type, "prolific");
  EXPECT_EQ(spec->requester_name, "prolific_requester");
  EXPECT_EQ(spec->glue, "prolific");
  EXPECT_EQ(spec->frontend_args["type"], "prolific");
  EXPECT_EQ(spec->frontend_args["submit_redirect_url"],
            "https://app.prolific.com/submissions/complete?cc=C1A2B3C4");
}

TEST(ProviderSpecTest, TheCompletionUrlIsConfigurableAndTheCodeIsEncoded) {
  auto local = Parse(
      "{type: prolific, prolific_completion_code: 'A+B/C&d',"
      " prolific_completion_url: 'http://127.0.0.1:8080/done?study=s1'}");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->frontend_args["submit_redirect_url"],
            "http://127.0.0.1:8080/done?study=s1&cc=A%2BB%2FC%26d");
  // Digits only: the code as written, not a number.
  auto digits = Parse("{type: prolific, prolific_completion_code: 0012}");
  ASSERT_TRUE(digits) << digits.error().message;
  EXPECT_EQ(digits->frontend_args["submit_redirect_url"],
            "https://app.prolific.com/submissions/complete?cc=0012");
}

TEST(ProviderSpecTest, ProlificWithoutACompletionCodeIsRefusedNamingTheKey) {
  for (const char* config : {"{type: prolific}", "{type: prolific, prolific_completion_code: ~}"}) {
    auto error = ErrorOf(config);
    EXPECT_TRUE(Mentions(error, "provider.prolific_completion_code is required")) << error;
  }
  for (const char* config : {"{type: prolific, prolific_completion_code: ''}",
                             "{type: prolific, prolific_completion_code: 'C1 A2'}",
                             "{type: prolific, prolific_completion_code: [C1]}"}) {
    auto error = ErrorOf(config);
    EXPECT_TRUE(Mentions(error, "provider.prolific_completion_code")) << error;
  }
}

TEST(ProviderSpecTest, ACompletionUrlMustBeHttpWithAHost) {
  for (const char* url : {"ftp://example.com/done", "app.prolific.com/submissions/complete",
                          "https://", "http:///done", "https://example.com/done#top",
                          "https://example.com/a b", "javascript:alert(1)"}) {
    auto error = ErrorOf(std::string("{type: prolific, prolific_completion_code: C1,"
                                     " prolific_completion_url: '") +
                         url + "'}");
    EXPECT_TRUE(Mentions(error, "provider.prolific_completion_url")) << url << ": " << error;
    EXPECT_TRUE(Mentions(error, "http:// or https://")) << error;
  }
}

TEST(ProviderSpecTest, AnUnknownProviderListsTheSupportedOnes) {
  auto error = ErrorOf("{type: mturk}");
  EXPECT_TRUE(Mentions(error, "provider.type 'mturk' is not supported")) << error;
  EXPECT_TRUE(Mentions(error, "mock, inhouse, prolific")) << error;
}

TEST(ProviderSpecTest, AnUnknownKeyListsTheProvidersSettings) {
  // Prolific's API-mode settings of Mephisto do nothing in link mode: say so, do not ignore them.
  auto error = ErrorOf(
      "{type: prolific, prolific_completion_code: C1, prolific_eligibility_requirements: []}");
  EXPECT_TRUE(Mentions(error, "provider.prolific_eligibility_requirements is not a setting"))
      << error;
  EXPECT_TRUE(Mentions(error, "prolific_completion_code, prolific_completion_url")) << error;
  error = ErrorOf("{type: mock, prolific_completion_code: C1}");
  EXPECT_TRUE(Mentions(error, "of provider 'mock'; its settings: type, requester_name")) << error;
}

}  // namespace
}  // namespace throng::operator_
