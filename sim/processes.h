// Processes: every simulated process's clocks, life (up or down, its
// incarnation) and pauses, and the work that waits while it is paused.
// Clients, Redis node processes and the resource alike; what runs as a
// process is a closure delivered to it. Internal to sim/.
#ifndef LOCKCHECK_SIM_PROCESSES_H_
#define LOCKCHECK_SIM_PROCESSES_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sim/clock.h"
#include "sim/event_loop.h"
#include "sim/ids.h"
#include "sim/inline_function.h"

namespace lockcheck::sim {

// Work a process runs (a message's arrival, a timer): held inline, so
// delivering it allocates nothing. Passed on by rvalue reference: each
// move of an inline closure is a call and a copy of its bytes.
using Work = InlineFunction<void(), 128>;

struct Process {
  std::string name;
  LocalClock clock;
  uint64_t incarnation = 0;
  bool down = false;
  TrueInstant paused_until{};
  Nanos paused_total{0};  // pause time scheduled so far, overlaps once (Event::paused)
  std::deque<Work> inbox;  // work that arrived while paused
};

class Processes {
 public:
  explicit Processes(EventLoop& loop) : loop_(loop) {}

  Slot add(Process p);
  size_t size() const { return procs_.size(); }
  Process& operator[](Slot s) { return procs_[s.value]; }
  const Process& operator[](Slot s) const { return procs_[s.value]; }

  // Runs fn as process s (incarnation inc) now, or when its pause ends;
  // drops it if the process died or restarted since.
  void deliver(Slot s, uint64_t inc, Work&& fn);
  // deliver(s, inc, fn) at true instant t (a timer or an arrival).
  EventLoop::TimerId at(TrueInstant t, Slot s, uint64_t inc, Work&& fn);
  // Stops s for d: what arrives meanwhile waits in its inbox.
  void pause(Slot s, Nanos d);
  // Marks s dead: its inbox, timers and in-flight messages are void.
  void kill(Slot s);

  TrueInstant now() const { return loop_.now(); }
  // The true instant at which s's monotonic clock will have advanced by d
  // from now (at its current rate).
  TrueInstant local_deadline(Slot s, Nanos d) const;
  int64_t wall_ms(Slot s) const { return unix_ms((*this)[s].clock.wall_at(now())); }
  int64_t mono_ms(Slot s) const { return to_ms((*this)[s].clock.mono_at(now()).time_since_epoch()); }
  bool up(Slot s) const { return !(*this)[s].down; }
  bool reachable(Slot s) const { return !(*this)[s].down && now() >= (*this)[s].paused_until; }
  // Time s has spent paused by true instant t (>= the last pause
  // scheduled; a pause still running counts up to t).
  Nanos paused_by(Slot s, TrueInstant t) const {
    return (*this)[s].paused_total - std::max(Nanos(0), (*this)[s].paused_until - t);
  }

 private:
  void drain(Slot s);

  EventLoop& loop_;
  std::deque<Process> procs_;  // never relocated: a Process (its inbox) is move-only
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_PROCESSES_H_
