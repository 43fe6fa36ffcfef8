// Env: everything lock code may ask of the world (the LevelDB Env idea).
//
// Lock strategies are written once against this interface. The hiredis
// backend (hiredis_env.h) implements it with real sockets and clocks; the
// simulator (sim/) implements it with virtual time and modeled Redis nodes.
// Nothing else in impl/ reads a clock, sleeps, opens a socket or keeps a
// global: an Env& is passed explicitly to every operation.
#ifndef LOCKCHECK_IMPL_ENV_H_
#define LOCKCHECK_IMPL_ENV_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "impl/reply.h"
#include "impl/result.h"
#include "impl/task.h"
#include "impl/time.h"

namespace lockcheck {

class Env {
 public:
  virtual ~Env() = default;

  // This process's monotonic clock: never goes back, may drift.
  virtual MonoInstant mono_now() = 0;
  // This process's wall clock: may jump either way.
  virtual WallInstant wall_now() = 0;
  // Suspends the caller for `d` of this process's monotonic time. d >= 0.
  virtual Task<void> sleep(Nanos d) = 0;
  // Uniform 64 random bits. In simulation, drawn from the run's seed.
  virtual uint64_t random_u64() = 0;

  // Number of Redis nodes this process is connected to (>= 1).
  virtual size_t node_count() const = 0;
  // Sends one command to node `node` (< node_count()) and yields its reply.
  // An error reply from Redis is Error{kRedisError}; no reply within the
  // request timeout is Error{kTimeout}; a broken connection is
  // Error{kConnectionLost}. The last two leave the outcome unknown.
  virtual Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) = 0;
};

// Uniform integer in [lo, hi] from env's random source. lo <= hi.
int64_t random_between(Env& env, int64_t lo, int64_t hi);

// 128 random bits as 32 lowercase hex characters: a lock token no other
// client can guess or collide with.
std::string random_token(Env& env);

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_ENV_H_
