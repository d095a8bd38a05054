#include "throng/common/stop_signal.hpp"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace throng {

StopSignal::StopSignal(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  thread_ = std::thread([this, set] {
    int count = 0;
    while (!done_) {
      timespec timeout{0, 200'000'000};
      int received = sigtimedwait(&set, nullptr, &timeout);
      if (received == SIGINT || received == SIGTERM) on_signal_(++count);
    }
  });
}

StopSignal::~StopSignal() {
  done_ = true;
  thread_.join();
}

}  // namespace throng
