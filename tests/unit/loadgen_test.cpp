// The load generator's own arithmetic and packet handling: what its reports rest on.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "frame_scan.hpp"
#include "latency_stats.hpp"
#include "open_loop_pacer.hpp"
#include "run_timers.hpp"
#include "target_url.hpp"
#include "worker_packets.hpp"

namespace throng::loadgen {
namespace {

using std::chrono::milliseconds;

TEST(LoadgenPercentiles, AreNearestRankOverEverySample) {
  std::vector<std::uint32_t> sorted;
  for (std::uint32_t i = 1; i <= 1000; ++i) sorted.push_back(i);
  EXPECT_EQ(NearestRank(sorted, 0.5), 500u);
  EXPECT_EQ(NearestRank(sorted, 0.99), 990u);
  EXPECT_EQ(NearestRank(sorted, 0.999), 999u);
  EXPECT_EQ(NearestRank(sorted, 1.0), 1000u);
  EXPECT_EQ(NearestRank({7}, 0.999), 7u);
  EXPECT_EQ(NearestRank({}, 0.5), 0u);
}

TEST(LoadgenStats, CountOperationsDueInsideTheWindowWheneverTheyEndButErrorsAlways) {
  LatencyStats stats;
  auto open = LatencyStats::Clock::now();
  auto close = open + std::chrono::seconds(2);
  stats.OpenWindow(open);
  stats.CloseWindow(close);
  stats.Record("live_update", open - milliseconds(1), open + milliseconds(5));  // warm-up
  stats.Fail("request_agent", "HTTP 503");
  for (int i = 1; i <= 99; ++i) {
    stats.Record("live_update", open + milliseconds(i), open + milliseconds(2 * i));
  }
  // Due just before the close, answered during the drain: the slowest, and counted.
  stats.Record("live_update", close - milliseconds(1), close + milliseconds(99));
  stats.Record("live_update", close, close + milliseconds(1));  // due after: not counted

  auto summary = stats.Summarize("live_update", 2.0);
  EXPECT_EQ(summary.count, 100u);
  EXPECT_DOUBLE_EQ(summary.per_second, 50.0);
  EXPECT_DOUBLE_EQ(summary.p50_ms, 50.0);
  EXPECT_DOUBLE_EQ(summary.p99_ms, 99.0);
  EXPECT_DOUBLE_EQ(summary.max_ms, 100.0);
  EXPECT_DOUBLE_EQ(summary.mean_ms, 50.5);
  EXPECT_EQ(stats.Errors(), 1u);
  EXPECT_EQ(stats.ErrorsJson()["request_agent: HTTP 503"], 1);
  EXPECT_EQ(stats.OperationsJson(2.0)["live_update"]["latency_ms"]["p99.9"], 100.0);
}

TEST(LoadgenPacer, MakesEventsDueAtTheRateWhateverWasTaken) {
  auto start = OpenLoopPacer::Clock::now();
  OpenLoopPacer pacer(1000, start);
  EXPECT_EQ(pacer.Pending(start - milliseconds(1)), 0u);
  EXPECT_EQ(pacer.Pending(start), 1u);
  EXPECT_EQ(pacer.Pending(start + milliseconds(10)), 11u);
  EXPECT_EQ(pacer.Take(), start);
  EXPECT_EQ(pacer.Take(), start + milliseconds(1));
  // Late takes keep their due times: latency counts from when an event was due.
  EXPECT_EQ(pacer.Pending(start + milliseconds(10)), 9u);
  for (int i = 0; i < 9; ++i) pacer.Take();
  EXPECT_EQ(pacer.Take(), start + milliseconds(11));
  EXPECT_EQ(pacer.NextDue(), start + milliseconds(12));
}

TEST(LoadgenRunTimers, PacedCallsEachEventOnceInOrderAtItsDueTime) {
  boost::asio::io_context io;
  RunTimers timers(io);
  std::vector<std::size_t> order;
  std::vector<RunTimers::TimePoint> dues;
  timers.Paced(20, 20000, [&](std::size_t k, RunTimers::TimePoint due) {
    order.push_back(k);
    dues.push_back(due);
    // Never called before its due time: the timer wakes for each event.
    EXPECT_GE(std::chrono::steady_clock::now(), due);
  });
  io.run();  // returns once the pacing has ended
  ASSERT_EQ(order.size(), 20u);
  for (std::size_t k = 0; k < order.size(); ++k) EXPECT_EQ(order[k], k);
  EXPECT_EQ(dues.back() - dues.front(), std::chrono::microseconds(19 * 50));
}

TEST(LoadgenRunTimers, PacedWhileStopsWhenTheCallSaysSo) {
  boost::asio::io_context io;
  RunTimers timers(io);
  std::size_t calls = 0;
  timers.PacedWhile(100000, [&](std::size_t k, RunTimers::TimePoint) {
    ++calls;
    return k < 4;
  });
  io.run();
  EXPECT_EQ(calls, 5u);
}

TEST(LoadgenFrames, FindStringFieldsOfCompactPackets) {
  std::string frame =
      R"({"packet_type":"client_bound_live_update","subject_id":"17-ab","data":{"update_id":"42","text":"say \"hi\""},"client_timestamp":1})";
  EXPECT_EQ(StringField(frame, "packet_type"), "client_bound_live_update");
  EXPECT_EQ(StringField(frame, "update_id"), "42");
  EXPECT_EQ(StringField(frame, "text"), R"(say \"hi\")");
  EXPECT_EQ(StringField(frame, "status"), std::nullopt);
  EXPECT_EQ(StringField(R"({"status":null})", "status"), std::nullopt);
  EXPECT_EQ(StringField(R"({"status":"unterminated)", "status"), std::nullopt);
}

TEST(LoadgenPackets, LiveUpdatesHaveTheAskedDataSizeAndParse) {
  auto frame = LiveUpdateFrame("17-ab", 9001, 100);
  auto packet = nlohmann::json::parse(frame);
  EXPECT_EQ(packet["packet_type"], "mephisto_bound_live_update");
  EXPECT_EQ(packet["subject_id"], "17-ab");
  EXPECT_EQ(packet["data"]["update_id"], "9001");
  EXPECT_EQ(packet["data"].dump().size(), 100u);
  // Too small a size still makes a valid packet.
  EXPECT_EQ(nlohmann::json::parse(LiveUpdateFrame("a", 1, 3))["data"]["update_id"], "1");
}

TEST(LoadgenPackets, AgentDetailsGiveTheAgentOrTheReasonThereIsNone) {
  std::string why;
  EXPECT_EQ(AgentIdOf(R"({"packet_type":"agent_details","data":{"agent_id":"5-x"}})", why), "5-x");
  EXPECT_EQ(AgentIdOf(R"({"data":{"agent_id":null,"failure_reason":"no work"}})", why),
            std::nullopt);
  EXPECT_EQ(why, "no work");
  EXPECT_EQ(AgentIdOf("<html>", why), std::nullopt);
  EXPECT_EQ(why, "the answer is not an agent_details packet");
  auto body = nlohmann::json::parse(RequestAgentBody("w1", "a1"));
  EXPECT_EQ(body["provider_data"]["agent_registration_id"], "a1-w1");
  EXPECT_EQ(nlohmann::json::parse(SubmitTaskBody("5-x", R"({"a":1})"))["final_data"]["a"], 1);
}

TEST(LoadgenTarget, ReadsHostPortAndPrefix) {
  auto target = ParseTargetUrl("http://127.0.0.1:3000/bench/");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->host, "127.0.0.1");
  EXPECT_EQ(target->port, "3000");
  EXPECT_EQ(target->Path("/request_agent"), "/bench/request_agent");
  EXPECT_EQ(ParseTargetUrl("http://example.org")->port, "80");
  EXPECT_FALSE(ParseTargetUrl("ws://127.0.0.1:3000"));
  EXPECT_FALSE(ParseTargetUrl("http://127.0.0.1:abc"));
}

}  // namespace
}  // namespace throng::loadgen
