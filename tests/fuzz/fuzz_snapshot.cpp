// libFuzzer target: metric snapshots as the aggregator reads them from Redis (any process
// that can write to Redis can put anything there). The input holds up to eight
// length-prefixed protobuf messages; the first byte picks tight or default merge limits.
// Decoded snapshots go through the merge the way the refresher hands them over (one service,
// distinct instance ids), and the merge must not depend on their order.
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "fuzz_input.hpp"
#include "snapshot_merger.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace throng;
  google::protobuf::LogSilencer quiet;  // invalid UTF-8 in string fields is logged otherwise
  fuzz::FuzzInput input(data, size);
  aggregator::MergeLimits limits;
  if (input.Byte() & 1) limits = {2, 8, 3, 2, 16, 16, 16};  // reach every drop path quickly
  std::vector<v1::MetricsSnapshot> snapshots;
  std::set<std::string> ids;
  for (int i = 0; i < 8 && !input.empty(); ++i) {
    auto value = input.Piece();
    v1::MetricsSnapshot snapshot;
    if (!snapshot.ParseFromString(value)) continue;
    // The refresher keeps only snapshots stored under their own service and instance key.
    if (!snapshots.empty() && snapshot.service() != snapshots.front().service()) continue;
    if (!ids.insert(snapshot.instance_id()).second) continue;
    snapshots.push_back(std::move(snapshot));
  }
  auto merged = aggregator::MergeSnapshots(snapshots, limits);
  std::reverse(snapshots.begin(), snapshots.end());
  auto reversed = aggregator::MergeSnapshots(snapshots, limits);
  if (merged.text != reversed.text || merged.errors != reversed.errors) __builtin_trap();
  if (merged.text.empty() != (merged.series == 0)) __builtin_trap();
  return 0;
}
