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
#include <initializer_list>
#include <string>
#include <string_view>
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

  // As call(), but the caller gives up at `reply_by` on this process's
  // monotonic clock when that comes before the request timeout: no reply
  // by then is Error{kTimeout} (outcome unknown), and a reply_by already
  // reached sends nothing. Lock operations keep their own time promises
  // with it (an acquire ends within its timeout plus one request timeout).
  // The default checks reply_by only before sending; the simulator and
  // HiredisEnv also cut a call short at it.
  virtual Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by);

  // The longest one call() waits for its reply (the backend's request
  // timeout). Nanos::max(): calls are not bounded (test backends that
  // answer at once).
  virtual Nanos request_timeout() const { return Nanos::max(); }

  // A remark from the lock code about a decision the history would not
  // otherwise show, e.g. a grant refused because its validity ran out. The
  // simulator records it as an event (`replay -v` prints it); the real
  // backend ignores it. Only called off the hot path.
  virtual void note(std::string text) { (void)text; }
};

// t + d, saturating at MonoInstant::max() (d may be Nanos::max()). d >= 0.
MonoInstant later(MonoInstant t, Nanos d);

// When a lock operation that has one request's time left must give up:
// one request timeout from now.
MonoInstant one_request_from_now(Env& env);

// Uniform integer in [lo, hi] from env's random source. lo <= hi.
int64_t random_between(Env& env, int64_t lo, int64_t hi);

// A command's argv made from its parts: one allocation for the vector and
// one per part too long for a short string, where a braced list of
// std::string copies every part twice (into the list, then the vector).
// Build it in a statement of its own, not inside a co_await expression
// (g++ 12 miscompiles braced lists of string literals there).
std::vector<std::string> command(std::initializer_list<std::string_view> parts);

// 128 random bits as 32 lowercase hex characters: a lock token no other
// client can guess or collide with.
std::string random_token(Env& env);

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_ENV_H_
