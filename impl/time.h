// Strong time types for lock code.
//
// A process reads two clocks: a monotonic clock (only moves forward, may
// drift) and a wall clock (unix time, may jump). Their instants are distinct
// types so a monotonic deadline can never be compared against a wall reading
// by accident. Durations are std::chrono::nanoseconds; never double seconds.
#ifndef LOCKCHECK_IMPL_TIME_H_
#define LOCKCHECK_IMPL_TIME_H_

#include <chrono>
#include <cstdint>

namespace lockcheck {

using Nanos = std::chrono::nanoseconds;
using Millis = std::chrono::milliseconds;

// A tag "clock": it only names a time scale (Scale, a tag type), so that
// instants of different scales never mix; nobody calls now() on it.
template <typename Scale, bool kSteady>
struct TagClock {
  using duration = Nanos;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<TagClock, duration>;
  static constexpr bool is_steady = kSteady;
};
using MonoClock = TagClock<struct MonoScale, true>;
using WallClock = TagClock<struct WallScale, false>;

// A reading of a process's monotonic clock (arbitrary epoch).
using MonoInstant = MonoClock::time_point;
// A reading of a process's wall clock, nanoseconds since the unix epoch.
using WallInstant = WallClock::time_point;

// Unix milliseconds of a wall instant (what Redis stores for PX expiry).
inline int64_t unix_ms(WallInstant t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}

// Whole milliseconds of a duration, truncated toward zero.
inline int64_t to_ms(Nanos d) { return std::chrono::duration_cast<Millis>(d).count(); }

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_TIME_H_
