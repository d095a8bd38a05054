#pragma once

#include <optional>

namespace throng::router {

// One agent's status exchange with the operator, timed (Mephisto's "agent status ping round
// trip"): the router forwards the agent's `alive`, the operator answers with the agent's
// `update_status`. Times are the router clock's seconds, passed in so tests need no sleeps.
class StatusPing {
 public:
  // An `alive` for the agent went to the operator (a newer one replaces an unanswered one).
  void Sent(double now_seconds) { sent_at_ = now_seconds; }

  // An `update_status` for the agent came back: the round trip if an `alive` is waiting for
  // it and was sent at most `give_up_after` seconds ago (an older one was never answered, e.g.
  // the operator was away or the run is not a live one). Either way nothing waits afterwards.
  std::optional<double> Answered(double now_seconds, double give_up_after);

 private:
  double sent_at_ = 0;  // 0: no alive waiting for an answer
};

}  // namespace throng::router
