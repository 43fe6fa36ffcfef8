// EventLoop: discrete-event scheduling on true time.
//
// Events run in (time, insertion sequence) order, so two events at the same
// instant run in the order they were scheduled: the schedule depends only
// on the seed, never on pointers, hashing or threads. One thread, no waits.
//
// An event's callback lives in a pool slot that is reused, inside the slot
// (InlineFunction): scheduling allocates nothing once the pool and the heap
// have grown to the run's peak. A timer that became pointless (a request's
// timeout after its reply) is cancelled: it leaves the queue at once.
#ifndef LOCKCHECK_SIM_EVENT_LOOP_H_
#define LOCKCHECK_SIM_EVENT_LOOP_H_

#include <cstdint>
#include <vector>

#include "sim/inline_function.h"
#include "sim/time.h"

namespace lockcheck::sim {

class EventLoop {
 public:
  // A bound on everything (TIGER_STYLE): a run that schedules more events
  // than this is a harness bug or a runaway strategy; run() stops there.
  static constexpr uint64_t kEventsMax = 50'000'000;

  // Room for a closure that carries a process's work (Processes::Work)
  // plus where to deliver it.
  using Fn = InlineFunction<void(), 176>;

  // Names one scheduled event; stays valid (and harmless) after it ran.
  struct TimerId {
    uint32_t index = UINT32_MAX;
    uint64_t seq = 0;
  };

  TrueInstant now() const { return now_; }

  // Schedules fn at t (>= now).
  TimerId at(TrueInstant t, Fn&& fn);
  TimerId after(Nanos d, Fn&& fn) { return at(now_ + d, std::move(fn)); }
  // Unschedules the event if it has not run yet; otherwise does nothing.
  // The others keep their (time, sequence) order.
  void cancel(TimerId id);

  // Runs events with time <= end, in order. Returns false if it stopped at
  // kEventsMax. Afterwards now() is the time of the last event run.
  bool run_until(TrueInstant end);

  bool empty() const { return heap_.empty(); }
  size_t queued() const { return heap_.size(); }
  uint64_t events_run() const { return events_run_; }

 private:
  struct Entry {  // in the heap: what orders it, and its pool slot
    TrueInstant t;
    uint64_t seq;
    uint32_t index;
  };
  struct Pooled {
    Fn fn;
    uint64_t seq = 0;       // of the event it holds; 0: free
    uint32_t heap_pos = 0;  // where its Entry is in heap_
  };
  static bool earlier(const Entry& a, const Entry& b) { return a.t != b.t ? a.t < b.t : a.seq < b.seq; }
  void place(size_t pos, const Entry& e);
  void sift_up(size_t pos);
  void sift_down(size_t pos);
  void remove_at(size_t pos);  // takes heap_[pos] out, keeps the heap a heap

  std::vector<Entry> heap_;  // a binary min-heap on (t, seq)
  std::vector<Pooled> pool_;
  std::vector<uint32_t> free_;  // pool slots not in use
  TrueInstant now_{};
  uint64_t seq_ = 1;  // 0 marks a free pool slot
  uint64_t events_run_ = 0;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_EVENT_LOOP_H_
