#include "impl/env.h"

#include <cstdio>

namespace lockcheck {

int64_t random_between(Env& env, int64_t lo, int64_t hi) {
  LC_CHECK(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  if (span == 0) return static_cast<int64_t>(env.random_u64());  // full 64-bit range
  return lo + static_cast<int64_t>(env.random_u64() % span);
}

Task<Result<Reply>> Env::call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) {
  LC_CHECK(!argv.empty());
  if (mono_now() >= reply_by) {
    co_return Error{ErrorCode::kTimeout, argv.front() + " not sent: the caller's deadline had passed"};
  }
  co_return co_await call(node, std::move(argv));
}

MonoInstant later(MonoInstant t, Nanos d) {
  LC_CHECK(d >= Nanos(0) && t >= MonoInstant{});
  if (d >= MonoInstant::max() - t) return MonoInstant::max();
  return t + d;
}

MonoInstant one_request_from_now(Env& env) { return later(env.mono_now(), env.request_timeout()); }

std::vector<std::string> command(std::initializer_list<std::string_view> parts) {
  std::vector<std::string> argv;
  argv.reserve(parts.size());
  for (const std::string_view part : parts) argv.emplace_back(part);
  return argv;
}

std::string random_token(Env& env) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx",
                static_cast<unsigned long long>(env.random_u64()),
                static_cast<unsigned long long>(env.random_u64()));
  return std::string(buf, 32);
}

}  // namespace lockcheck
