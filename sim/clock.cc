#include "sim/clock.h"

#include <cstdint>

#include "impl/check.h"

namespace lockcheck::sim {

namespace {
constexpr int64_t kPpm = 1'000'000;
// The longest span (ns) whose product with a rate (<= kPpm + kDriftPpmMax)
// or with kPpm, plus a rate, fits int64.
constexpr int64_t kSpan64Max = (INT64_MAX - 2 * kPpm) / (kPpm + LocalClock::kDriftPpmMax);
}

LocalClock::LocalClock(MonoInstant mono_start, WallInstant wall_start, int64_t drift_ppm)
    : wall_offset_(wall_start.time_since_epoch() - mono_start.time_since_epoch()) {
  LC_CHECK(drift_ppm >= -kDriftPpmMax && drift_ppm <= kDriftPpmMax);
  segments_.push_back({TrueInstant{}, mono_start, drift_ppm});
}

MonoInstant LocalClock::advance(const Segment& s, TrueInstant t) {
  const int64_t dt = (t - s.t_start).count();
  // Most clocks do not drift, and most spans fit 64 bits even multiplied
  // by the rate (|dt| up to 2.3 hours): both take the cheap exact way
  // (a 128-bit division is a library call). Truncation is the same.
  if (s.drift_ppm == 0) return s.mono_start + Nanos(dt);
  if (dt >= -kSpan64Max && dt <= kSpan64Max) return s.mono_start + Nanos(dt * (kPpm + s.drift_ppm) / kPpm);
  const __int128 dm = __int128{dt} * (kPpm + s.drift_ppm) / kPpm;
  return s.mono_start + Nanos(static_cast<int64_t>(dm));
}

MonoInstant LocalClock::mono_at(TrueInstant t) const {
  // Most reads are "now", in the last segment; search backwards.
  for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
    if (t >= it->t_start) return advance(*it, t);
  }
  return advance(segments_.front(), t);  // before the start: extrapolate
}

TrueInstant LocalClock::true_at_mono(MonoInstant m) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    const bool last = i + 1 == segments_.size();
    if (!last && advance(s, segments_[i + 1].t_start) < m) continue;
    if (m <= s.mono_start) return s.t_start;
    const int64_t dm = (m - s.mono_start).count();  // > 0
    if (s.drift_ppm == 0) return s.t_start + Nanos(dm);
    const int64_t rate = kPpm + s.drift_ppm;
    if (dm <= kSpan64Max) return s.t_start + Nanos((dm * kPpm + rate - 1) / rate);  // ceil: first instant reading >= m
    const __int128 dt = (__int128{dm} * kPpm + rate - 1) / rate;
    return s.t_start + Nanos(static_cast<int64_t>(dt));
  }
  LC_CHECK(false);
  return {};
}

void LocalClock::set_drift(TrueInstant now, int64_t drift_ppm) {
  LC_CHECK(drift_ppm >= -kDriftPpmMax && drift_ppm <= kDriftPpmMax);
  LC_CHECK(now >= segments_.back().t_start);
  const MonoInstant m = advance(segments_.back(), now);
  if (now == segments_.back().t_start) {
    segments_.back().drift_ppm = drift_ppm;
  } else {
    segments_.push_back({now, m, drift_ppm});
  }
}

}  // namespace lockcheck::sim
