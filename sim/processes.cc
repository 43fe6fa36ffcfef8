#include "sim/processes.h"

#include <algorithm>
#include <utility>

namespace lockcheck::sim {

Slot Processes::add(Process p) {
  procs_.push_back(std::move(p));
  return Slot(procs_.size() - 1);
}

EventLoop::TimerId Processes::at(TrueInstant t, Slot s, uint64_t inc, Work&& fn) {
  return loop_.at(t, [this, s, inc, fn = std::move(fn)]() mutable { deliver(s, inc, std::move(fn)); });
}

void Processes::deliver(Slot s, uint64_t inc, Work&& fn) {
  Process& p = (*this)[s];
  if (p.down || p.incarnation != inc) return;
  if (now() < p.paused_until || !p.inbox.empty()) {
    p.inbox.push_back(std::move(fn));
    return;
  }
  fn();
}

void Processes::drain(Slot s) {
  Process& p = (*this)[s];
  while (!p.inbox.empty() && !p.down && now() >= p.paused_until) {
    auto fn = std::move(p.inbox.front());
    p.inbox.pop_front();
    fn();
  }
}

void Processes::pause(Slot s, Nanos d) {
  Process& proc = (*this)[s];
  const TrueInstant until = std::max(proc.paused_until, now() + d);
  proc.paused_total += until - std::max(proc.paused_until, now());  // overlaps count once
  proc.paused_until = until;
  loop_.at(proc.paused_until, [this, s]() { drain(s); });
}

void Processes::kill(Slot s) {
  Process& proc = (*this)[s];
  proc.paused_total = paused_by(s, now());  // the rest of a running pause never happens
  proc.down = true;
  ++proc.incarnation;
  proc.inbox.clear();
  proc.paused_until = {};
}

TrueInstant Processes::local_deadline(Slot s, Nanos d) const {
  const Process& p = (*this)[s];
  return std::max(now(), p.clock.true_at_mono(p.clock.mono_at(now()) + d));
}

}  // namespace lockcheck::sim
