#include "sim/event_loop.h"

#include <utility>

#include "impl/check.h"

namespace lockcheck::sim {

EventLoop::TimerId EventLoop::at(TrueInstant t, Fn&& fn) {
  LC_CHECK(t >= now_);
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    LC_CHECK(pool_.size() < UINT32_MAX);
    index = static_cast<uint32_t>(pool_.size());
    pool_.emplace_back();
  }
  const uint64_t seq = seq_++;
  pool_[index].fn = std::move(fn);
  pool_[index].seq = seq;
  heap_.push_back(Entry{t, seq, index});
  pool_[index].heap_pos = static_cast<uint32_t>(heap_.size() - 1);
  sift_up(heap_.size() - 1);
  return TimerId{index, seq};
}

void EventLoop::cancel(TimerId id) {
  if (id.index >= pool_.size() || pool_[id.index].seq != id.seq) return;  // ran, or cancelled
  remove_at(pool_[id.index].heap_pos);
}

bool EventLoop::run_until(TrueInstant end) {
  while (!heap_.empty() && heap_.front().t <= end) {
    if (events_run_ >= kEventsMax) return false;
    now_ = heap_.front().t;
    // Out of the pool before it runs: what it schedules may reuse its slot
    // or grow the pool.
    Fn fn = std::move(pool_[heap_.front().index].fn);
    remove_at(0);
    ++events_run_;
    fn();
  }
  return true;
}

void EventLoop::place(size_t pos, const Entry& e) {
  heap_[pos] = e;
  pool_[e.index].heap_pos = static_cast<uint32_t>(pos);
}

void EventLoop::sift_up(size_t pos) {
  const Entry e = heap_[pos];
  while (pos > 0) {
    const size_t parent = (pos - 1) / 2;
    if (!earlier(e, heap_[parent])) break;
    place(pos, heap_[parent]);
    pos = parent;
  }
  place(pos, e);
}

void EventLoop::sift_down(size_t pos) {
  const Entry e = heap_[pos];
  const size_t n = heap_.size();
  while (true) {
    size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
    if (!earlier(heap_[child], e)) break;
    place(pos, heap_[child]);
    pos = child;
  }
  place(pos, e);
}

void EventLoop::remove_at(size_t pos) {
  const uint32_t index = heap_[pos].index;
  pool_[index].fn.reset();
  pool_[index].seq = 0;
  free_.push_back(index);
  const Entry last = heap_.back();
  heap_.pop_back();
  if (pos == heap_.size()) return;
  place(pos, last);
  // The moved entry may belong above or below its new place.
  if (pos > 0 && earlier(last, heap_[(pos - 1) / 2])) {
    sift_up(pos);
  } else {
    sift_down(pos);
  }
}

}  // namespace lockcheck::sim
