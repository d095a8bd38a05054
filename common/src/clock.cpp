#include "throng/common/clock.hpp"

namespace throng {

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace throng
