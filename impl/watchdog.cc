#include "impl/watchdog.h"

#include <algorithm>

namespace lockcheck {

Task<void> WatchdogLock::keep_alive(Env& env, std::shared_ptr<LeaseCell> cell, LockOptions options) {
  LC_CHECK(cell != nullptr);
  const Nanos period = options.ttl / 3;
  for (;;) {
    co_await env.sleep(period);
    if (cell->stop) co_return;
    auto renewed = co_await extend(env, cell->lease, options);
    if (cell->stop) co_return;  // released while the renewal was in flight
    if (renewed.ok()) {
      cell->lease = std::move(renewed).value();
      continue;
    }
    if (renewed.error().code == ErrorCode::kNotHeld) {
      cell->lost = true;
      cell->lease.valid_until = std::min(cell->lease.valid_until, env.mono_now());
      co_return;
    }
    // No answer: the old lease lapses at its own end unless a later
    // renewal gets through first.
  }
}

}  // namespace lockcheck
