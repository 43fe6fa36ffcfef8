// Deterministic randomness: one root seed per run, split into independent
// streams per component (network, each client, the fault generator), so
// adding a draw in one component never shifts another's sequence.
// xoshiro256** seeded through splitmix64.
#ifndef LOCKCHECK_SIM_RNG_H_
#define LOCKCHECK_SIM_RNG_H_

#include <cstdint>

#include "impl/check.h"

namespace lockcheck::sim {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Mixes two words into one (for seeds of sub-streams and trace hashing).
inline uint64_t mix64(uint64_t a, uint64_t b) {
  uint64_t s = a ^ (b * 0x9e3779b97f4a7c15ULL);
  return splitmix64(s);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t s = seed;
    for (auto& w : s_) w = splitmix64(s);
  }

  // An independent stream named `stream`, derived from this one's seed
  // material without consuming any of its draws.
  Rng split(uint64_t stream) const { return Rng(mix64(s_[0] ^ s_[2], stream)); }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [lo, hi]. lo <= hi.
  int64_t between(int64_t lo, int64_t hi) {
    LC_CHECK(lo <= hi);
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int64_t>(next() % span);
  }

  // True with probability ppm / 1e6 (integers only: no float in the schedule).
  bool chance_ppm(int64_t ppm) { return static_cast<int64_t>(next() % 1'000'000) < ppm; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_RNG_H_
