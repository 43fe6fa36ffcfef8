// The history of a real-time check: events stamped with true time, read
// from the machine's steady clock since the recorder was made.
#ifndef LOCKCHECK_SERVE_RECORDER_H_
#define LOCKCHECK_SERVE_RECORDER_H_

#include <chrono>
#include <vector>

#include "sim/history.h"

namespace lockcheck::serve {

// Events one check may record; past it the check is a harness fault.
inline constexpr size_t kEventsMax = 1'000'000;

class Recorder {
 public:
  Recorder() : origin_(std::chrono::steady_clock::now()) {}
  sim::TrueInstant now() const {
    return sim::TrueInstant{} + std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now() - origin_);
  }
  // Stamps `e` with now() and keeps it; false once kEventsMax is reached.
  bool record(sim::Event e) {
    if (events_.size() >= kEventsMax) {
      overflow_ = true;
      return false;
    }
    e.at = now();
    events_.push_back(std::move(e));
    return true;
  }
  std::vector<sim::Event>& events() { return events_; }
  bool overflow() const { return overflow_; }
  std::chrono::steady_clock::time_point origin() const { return origin_; }

 private:
  std::chrono::steady_clock::time_point origin_;
  std::vector<sim::Event> events_;
  bool overflow_ = false;
};

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_RECORDER_H_
