// RedisServer: a real redis-server child process for tests.
//
// Runs `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no
// --daemonize no` on a free loopback port, in a private temporary working
// directory, with its output in a log file there. start() returns only once
// the server answers PING (bounded wait). The destructor stops it (SIGTERM,
// SIGKILL after a bounded wait) and removes the directory; the child also
// gets SIGKILL if the test process dies first, so no server outlives a run.
//
// A missing redis-server binary is an error from start(), never a skip:
// tests that need Redis must fail loudly where it is not installed.
#ifndef LOCKCHECK_TESTS_REDIS_SERVER_H_
#define LOCKCHECK_TESTS_REDIS_SERVER_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "redis/hiredis_env.h"
#include "impl/lock.h"
#include "redis/hiredis_reply.h"
#include "impl/result.h"

namespace lockcheck::testing {

class RedisServer {
 public:
  RedisServer() = default;
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts the server. The first start picks a free loopback port; later
  // starts (after stop()) reuse it, so clients can reconnect. Waits until
  // PING answers (up to 10 s). Error{kInvalidArgument} when redis-server is
  // not on PATH; Error{kConnectionLost} when it does not come up (the
  // message carries the tail of its log). Must not be running.
  Status start();

  // Stops the server: SIGTERM, then SIGKILL if it has not exited within
  // 5 s. Its data is gone (no persistence). No-op when not running.
  void stop();

  // SIGKILL, at once: a crash.
  void kill();

  // stop() then start() on the same port.
  Status restart();

  // SIGSTOP / SIGCONT: the server keeps its connections but answers nothing
  // until resumed, so requests time out. Must be running.
  void pause();
  void resume();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", port_}; }
  // "127.0.0.1:PORT".
  std::string address() const { return endpoint().to_string(); }

  // Sends one command over a fresh raw hiredis connection (independent of
  // HiredisEnv), for tests to inspect or set up the keyspace. An error reply
  // is a Reply of type kError, not an Error.
  Result<Reply> command(const std::vector<std::string>& argv) const;

  // The last lines of the server's log (for failure messages).
  std::string log_tail() const;

 private:
  Status spawn();
  Status wait_ready();
  void reap_or_kill();

  pid_t pid_ = -1;
  int port_ = 0;
  bool paused_ = false;
  std::string dir_;  // private working directory, holds redis.log
};

// A fixture that starts a fresh server for each test and fails the test
// (with the reason) when it cannot.
// Lock options for the tests: a key, its TTL and how long to wait for it.
inline LockOptions options_for(const std::string& key, Millis ttl, Millis acquire_timeout) {
  LockOptions o;
  o.key = key;
  o.ttl = ttl;
  o.acquire_timeout = acquire_timeout;
  return o;
}

class RedisServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = server_.start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }

  // The key's value read over a raw connection: nullopt for a missing key.
  std::optional<std::string> raw_get(const std::string& key) {
    auto r = server_.command({"GET", key});
    if (!r.ok()) return "<error: " + r.error().to_string() + ">";
    if (r->is_nil()) return std::nullopt;
    return r->str;
  }

  // PTTL in ms (-2: no key, -1: no expiry), or INT64_MIN on failure.
  int64_t raw_pttl(const std::string& key) {
    auto r = server_.command({"PTTL", key});
    if (!r.ok() || r->type != Reply::Type::kInteger) {
      ADD_FAILURE() << "PTTL failed: " << (r.ok() ? r->to_string() : r.error().to_string());
      return INT64_MIN;
    }
    return r->integer;
  }

  RedisServer server_;
};

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_TESTS_REDIS_SERVER_H_
