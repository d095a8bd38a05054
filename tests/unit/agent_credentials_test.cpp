#include "throng/common/agent_credentials.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "agent_gate.hpp"
#include "test_agent_ids.hpp"
#include "throng/common/random_token.hpp"

namespace throng {
namespace {

const std::string kKey(AgentCredentials::kMinKeyBytes, 'k');

TEST(AgentCredentials, AnIssuedIdVerifiesToItsSubject) {
  AgentCredentials credentials(kKey);
  for (const std::string subject : {"1", "17", "onboarding_4", "agent-with-dashes"}) {
    auto id = credentials.Issue(subject);
    EXPECT_EQ(id.rfind(subject + "-", 0), 0u) << id;
    EXPECT_EQ(id.size(), subject.size() + 1 + 32) << id;
    EXPECT_EQ(credentials.Verify(id), subject);
  }
}

TEST(AgentCredentials, AnythingElseIsRefused) {
  AgentCredentials credentials(kKey);
  const auto id = credentials.Issue("17");
  const auto tag = id.substr(3);
  std::string flipped = id;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  for (const std::string& forged :
       {std::string("17"), std::string("17-"), "18-" + tag, "onboarding_17-" + tag, "-" + tag,
        flipped, id.substr(0, id.size() - 1), id + "0", "17-" + std::string(32, '0'), std::string(),
        AgentCredentials(std::string(32, 'x')).Issue("17")}) {
    EXPECT_FALSE(credentials.Verify(forged)) << forged;
  }
}

TEST(AgentCredentials, KeysShorterThan32BytesAreRefused) {
  EXPECT_THROW(AgentCredentials(std::string(31, 'k')), std::invalid_argument);
}

TEST(AgentCredentials, OperatorIdsTellTaskAndOnboardingAgentsApart) {
  const auto& ids = testing::TestAgentIds();
  EXPECT_EQ(ids.ParseTask(ids.Task(17)), 17);
  EXPECT_EQ(ids.ParseOnboarding(ids.Onboarding(4)), 4);
  EXPECT_EQ(ids.Onboarding(4).rfind("onboarding_4-", 0), 0u);  // mephisto-task checks the prefix
  EXPECT_FALSE(ids.ParseTask(ids.Onboarding(4)));
  EXPECT_FALSE(ids.ParseOnboarding(ids.Task(4)));
  EXPECT_FALSE(ids.ParseTask(ids.credentials().Issue("-3")));
  EXPECT_EQ(ids.Describe(ids.Task(17)), "17");
  EXPECT_EQ(ids.Describe("17"), "unverified");
}

TEST(AgentGate, RefusesEverythingUntilTheOperatorSendsTheKey) {
  router::AgentGate gate;
  const auto id = AgentCredentials(kKey).Issue("5");
  EXPECT_EQ(gate.Check(id), router::AgentGate::Verdict::kNoKeyYet);
  gate.SetKey("too short");  // ignored
  EXPECT_EQ(gate.Check(id), router::AgentGate::Verdict::kNoKeyYet);
  gate.SetKey(kKey);
  EXPECT_EQ(gate.Check(id), router::AgentGate::Verdict::kIssued);
  EXPECT_EQ(gate.Check("5"), router::AgentGate::Verdict::kForged);
  gate.SetKey("");  // a heartbeat without a key keeps the one known
  EXPECT_EQ(gate.Check(id), router::AgentGate::Verdict::kIssued);
}

TEST(RandomToken, IsHexOfTheAskedLengthAndNeverRepeats) {
  auto a = RandomHex(16);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(16), a);
}

}  // namespace
}  // namespace throng
