// LocalClock: one process's view of time.
//
//   mono(T) = piecewise-linear in true time T, rate (1 + drift_ppm * 1e-6)
//   wall(T) = mono(T) + wall_offset, where wall_offset changes on jumps
//
// Drift changes start a new segment, so past readings stay exact and the
// simulator can later ask "at what true instant did this clock read m?"
// (used to place a holder's belief of validity on the true time line).
#ifndef LOCKCHECK_SIM_CLOCK_H_
#define LOCKCHECK_SIM_CLOCK_H_

#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace lockcheck::sim {

class LocalClock {
 public:
  // |drift_ppm| <= kDriftPpmMax. The clock reads mono_start at T = 0.
  static constexpr int64_t kDriftPpmMax = 100'000;  // 10%: beyond that it is broken hardware
  LocalClock(MonoInstant mono_start, WallInstant wall_start, int64_t drift_ppm);

  MonoInstant mono_at(TrueInstant t) const;
  WallInstant wall_at(TrueInstant t) const { return WallInstant{} + (mono_at(t) - MonoInstant{}) + wall_offset_; }

  // The earliest true instant >= the clock's start at which mono >= m.
  TrueInstant true_at_mono(MonoInstant m) const;

  // From true instant `now` (>= the last change) on, runs at drift_ppm.
  void set_drift(TrueInstant now, int64_t drift_ppm);
  // Steps the wall clock (NTP step, operator); the monotonic clock is untouched.
  void jump_wall(Nanos delta) { wall_offset_ += delta; }

  int64_t drift_ppm() const { return segments_.back().drift_ppm; }

 private:
  struct Segment {
    TrueInstant t_start;
    MonoInstant mono_start;
    int64_t drift_ppm;
  };
  static MonoInstant advance(const Segment& s, TrueInstant t);
  std::vector<Segment> segments_;  // t_start strictly increasing; never empty
  Nanos wall_offset_;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_CLOCK_H_
