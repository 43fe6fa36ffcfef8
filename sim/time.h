// True time: the simulator's own clock. Nobody inside the simulated world
// can read it; processes see only their local clocks (sim/clock.h). It is a
// distinct type from MonoInstant/WallInstant so the two never mix.
#ifndef LOCKCHECK_SIM_TIME_H_
#define LOCKCHECK_SIM_TIME_H_

#include "impl/time.h"

namespace lockcheck::sim {

using TrueClock = TagClock<struct TrueScale, true>;
using TrueInstant = TrueClock::time_point;

inline int64_t true_ms(TrueInstant t) { return to_ms(t.time_since_epoch()); }
inline TrueInstant at_ms(int64_t ms) { return TrueInstant{} + Millis(ms); }

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_TIME_H_
