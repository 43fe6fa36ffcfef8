// HiredisEnv: the real world behind the Env seam.
//
// Real clocks (std::chrono::steady_clock / system_clock), a real thread
// sleep, a PRNG seeded from std::random_device, and one blocking hiredis
// connection per Redis node. Every await completes synchronously, so a
// strategy's Task can be driven with run_sync() (impl/task.h).
//
// This is the only place in lockcheck that may read real clocks, sleep a
// thread, draw real randomness or open a socket.
#ifndef LOCKCHECK_REDIS_HIREDIS_ENV_H_
#define LOCKCHECK_REDIS_HIREDIS_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "impl/env.h"
#include "redis/hiredis_reply.h"

struct redisContext;

namespace lockcheck {

// One Redis server address.
struct Endpoint {
  std::string host;
  int port = 0;  // 1..65535

  bool operator==(const Endpoint&) const = default;
  // "host:port".
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

// Parses "host:port[,host:port...]". The port is the text after the last
// ':' and must be a decimal number in 1..65535; the host must be non-empty;
// no element may be empty and no whitespace is accepted. Any violation is
// Error{kInvalidArgument} naming the offending element.
Result<std::vector<Endpoint>> parse_endpoints(std::string_view text);

// Not thread-safe: one HiredisEnv per thread (each has its own connections).
// The first command a thread sends blocks SIGPIPE in that thread for good
// (the process-wide disposition is untouched): a write there to a closed
// socket then fails with EPIPE instead of killing the process.
class HiredisEnv : public Env {
 public:
  // Connects to every endpoint (in order; node i is endpoints[i]).
  // connect_timeout bounds each TCP connect; request_timeout bounds each
  // command's write and read. Both must be > 0 and endpoints non-empty, else
  // Error{kInvalidArgument}. An endpoint that cannot be reached is
  // Error{kConnectionLost, "cannot connect to HOST:PORT: <reason>"}.
  static Result<std::unique_ptr<HiredisEnv>> connect(std::vector<Endpoint> endpoints,
                                                     Millis connect_timeout,
                                                     Millis request_timeout);

  ~HiredisEnv() override;
  HiredisEnv(const HiredisEnv&) = delete;
  HiredisEnv& operator=(const HiredisEnv&) = delete;

  // steady_clock's reading as a MonoInstant (same epoch as steady_clock).
  MonoInstant mono_now() override;
  // system_clock's reading as nanoseconds since the unix epoch.
  WallInstant wall_now() override;
  // Blocks the calling thread for d, then completes (synchronously).
  Task<void> sleep(Nanos d) override;
  // From a std::mt19937_64 seeded by std::random_device.
  uint64_t random_u64() override;

  size_t node_count() const override { return nodes_.size(); }

  // Sends argv to node `node` and completes synchronously with its reply.
  //   - an error reply:                 Error{kRedisError, text}
  //   - no reply within request_timeout: Error{kTimeout}
  //   - connection refused/reset/EOF:    Error{kConnectionLost}
  //   - an unparsable reply:             Error{kProtocol}
  // After any of the last three the connection is dropped (a late reply must
  // never be taken for the next command's), and the next call to the same
  // node reconnects once before sending; if that fails it is kConnectionLost
  // and the call after tries again. The reconnect's TCP connect counts
  // against the same request timeout (it waits at most the smaller of the
  // connect and request timeouts), so a call never takes longer than one
  // request timeout. It may give up up to kTimeoutSlack sooner than the
  // request timeout: the socket timeout is changed only when it falls
  // outside [wait - kTimeoutSlack, wait] (see call_now), which keeps
  // setsockopt(2) off the common path. node < node_count(); argv non-empty.
  Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) override;
  // As call(), but the wait for the reply (and a reconnect's TCP connect)
  // ends at reply_by when that is sooner (never later, and at most
  // kTimeoutSlack sooner); a reply_by already reached sends nothing.
  // Error{kTimeout} either way.
  Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) override;
  Nanos request_timeout() const override { return request_timeout_; }

  // The address of node `node` (< node_count()).
  const Endpoint& endpoint(size_t node) const;

  // How much sooner than its deadline a call may give up. Callers' deadlines
  // ("one request from now", an acquire's cutoff) land a few microseconds
  // apart from call to call; with no slack every command would set the
  // socket timeout (2 setsockopt calls) and set it back (2 more).
  static constexpr Nanos kTimeoutSlack = Millis(1);

  // How many times the socket timeout was changed, over all nodes and
  // reconnects (each change is 2 setsockopt calls). For tests and benchmarks.
  int64_t timeout_changes() const { return timeout_changes_; }

 private:
  struct Node {
    Endpoint endpoint;
    redisContext* ctx = nullptr;  // null: disconnected, reconnect on next call
    // The receive and send timeout set on ctx's socket (> 0 while connected).
    Nanos socket_timeout{0};
  };

  HiredisEnv(std::vector<Endpoint> endpoints, Millis connect_timeout, Millis request_timeout);

  // (Re)opens node's connection, waiting at most connect_timeout for the
  // TCP connect. Error{kConnectionLost} on failure.
  Status open(Node& node, Millis connect_timeout);
  // Sets node's socket timeout to `timeout` (> 0). Error{kConnectionLost}
  // on failure, with the connection dropped.
  Status set_socket_timeout(Node& node, Nanos timeout);
  // The blocking body of call(): waits at most `wait` (> 0, <= the request
  // timeout) for the connect and the reply, and at least wait - kTimeoutSlack.
  Result<Reply> call_now(size_t node, const std::vector<std::string>& argv, Nanos wait);

  std::vector<Node> nodes_;
  Millis connect_timeout_;
  Millis request_timeout_;
  std::mt19937_64 rng_;
  int64_t timeout_changes_ = 0;
  // The command being sent, in RESP; reused so that a command costs no
  // allocation here. A buffer grown past kCommandBufferKeepMax (a big
  // value) is released after its command.
  std::string command_;
  static constexpr size_t kCommandBufferKeepMax = 64 * 1024;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_REDIS_HIREDIS_ENV_H_
