// EventLoop: discrete-event scheduling on true time.
//
// Events run in (time, insertion sequence) order, so two events at the same
// instant run in the order they were scheduled: the schedule depends only
// on the seed, never on pointers, hashing or threads. One thread, no waits.
#ifndef LOCKCHECK_SIM_EVENT_LOOP_H_
#define LOCKCHECK_SIM_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/time.h"

namespace lockcheck::sim {

class EventLoop {
 public:
  // A bound on everything (TIGER_STYLE): a run that schedules more events
  // than this is a harness bug or a runaway strategy; run() stops there.
  static constexpr uint64_t kEventsMax = 50'000'000;

  TrueInstant now() const { return now_; }

  // Schedules fn at t (>= now).
  void at(TrueInstant t, std::function<void()> fn);
  void after(Nanos d, std::function<void()> fn) { at(now_ + d, std::move(fn)); }

  // Runs events with time <= end, in order. Returns false if it stopped at
  // kEventsMax. Afterwards now() is the time of the last event run.
  bool run_until(TrueInstant end);

  bool empty() const { return queue_.empty(); }
  uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    TrueInstant t;
    uint64_t seq;
    std::function<void()> fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.t != b.t ? a.t > b.t : a.seq > b.seq;
    }
  };
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  TrueInstant now_{};
  uint64_t seq_ = 0;
  uint64_t events_run_ = 0;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_EVENT_LOOP_H_
