#pragma once

#include <chrono>
#include <thread>

namespace throng::testing {

// Polls `condition` for up to `seconds`; for conditions that depend on other threads.
template <typename Condition>
bool Eventually(Condition condition, double seconds = 5) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace throng::testing
