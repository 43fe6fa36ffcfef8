#include "sim/event_loop.h"

#include "impl/check.h"

namespace lockcheck::sim {

void EventLoop::at(TrueInstant t, std::function<void()> fn) {
  LC_CHECK(t >= now_);
  queue_.push(Event{t, seq_++, std::move(fn)});
}

bool EventLoop::run_until(TrueInstant end) {
  while (!queue_.empty() && queue_.top().t <= end) {
    if (events_run_ >= kEventsMax) return false;
    // top() is const only to protect the heap order, which depends on t and
    // seq alone; moving the callback out leaves both intact for pop().
    Event e = std::move(const_cast<Event&>(queue_.top()));
    queue_.pop();
    now_ = e.t;
    ++events_run_;
    e.fn();
  }
  return true;
}

}  // namespace lockcheck::sim
