#include "impl/env.h"

#include <cstdio>

namespace lockcheck {

int64_t random_between(Env& env, int64_t lo, int64_t hi) {
  LC_CHECK(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(env.random_u64());  // full 64-bit range
  return lo + static_cast<int64_t>(env.random_u64() % span);
}

std::string random_token(Env& env) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(env.random_u64()),
                static_cast<unsigned long long>(env.random_u64()));
  return std::string(buf, 32);
}

}  // namespace lockcheck
