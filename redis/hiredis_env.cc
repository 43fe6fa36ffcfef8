#include "redis/hiredis_env.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <thread>
#include <utility>

#include "base/text.h"

namespace lockcheck {

namespace {

Error invalid(std::string why) { return Error{ErrorCode::kInvalidArgument, std::move(why)}; }

// At least 1 us: a zero timeval means "no timeout" to the socket layer.
timeval to_timeval(Nanos d) {
  const int64_t us = std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us / 1'000'000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1'000'000);
  return tv;
}

// Blocking hiredis writes with write(2), and a write to a connection the
// server has closed raises SIGPIPE, whose default action kills the process.
// A library must not change process-wide signal dispositions, and hiredis
// 0.14 offers no MSG_NOSIGNAL (Linux has no SO_NOSIGPIPE), so SIGPIPE is
// blocked in the calling thread: once, on the thread's first request, and
// for good (masking around each request took 4 system calls: 8 of the 20
// of a lock cycle). A SIGPIPE a failed write raised then stays pending, and
// is consumed after that write (errno EPIPE), so none accumulates.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    thread_local bool blocked = false;
    if (blocked) return;
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    blocked = true;
  }
  // Runs right after the request, so errno is still the request's.
  ~ScopedSigpipeBlock() {
    if (errno != EPIPE) return;
    const int saved_errno = errno;
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe, nullptr, &zero) == -1 && errno == EINTR) {
    }
    errno = saved_errno;
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;
};

// The socket timeout to set for a wait of at most `left`: half the slack
// under it, so that the next call's deadline, a few microseconds either way
// of this one's, is served by it too.
Nanos socket_timeout_for(Nanos left) {
  return left > HiredisEnv::kTimeoutSlack ? left - HiredisEnv::kTimeoutSlack / 2 : left;
}

// Appends argv as one RESP command, an array of bulk strings:
// *<argc>\r\n then $<len>\r\n<arg>\r\n per argument.
void append_resp_command(std::string& out, const std::vector<std::string>& argv) {
  const auto append_header = [&out](char kind, size_t n) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    LC_CHECK(ec == std::errc());
    out.push_back(kind);
    out.append(digits, end);
    out.append("\r\n");
  };
  append_header('*', argv.size());
  for (const auto& a : argv) {
    append_header('$', a.size());
    out.append(a);
    out.append("\r\n");
  }
}

std::string describe_context_error(const redisContext* c) {
  if (c == nullptr) return "out of memory";
  return c->errstr[0] != '\0' ? std::string(c->errstr) : "unknown error";
}

}  // namespace

Result<std::vector<Endpoint>> parse_endpoints(std::string_view text) {
  if (text.empty()) return invalid("empty endpoint list (expected host:port[,host:port...])");
  std::vector<Endpoint> out;
  for (const std::string_view item : split_list(text)) {
    const std::string quoted = "'" + std::string(item) + "'";
    if (item.empty()) return invalid("empty endpoint in '" + std::string(text) + "' (expected host:port)");
    if (item.find_first_of(" \t\r\n") != std::string_view::npos) {
      return invalid("whitespace in endpoint " + quoted + " (expected host:port)");
    }
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) return invalid("missing ':' in endpoint " + quoted + " (expected host:port)");
    const std::string_view host = item.substr(0, colon);
    const std::string_view port_text = item.substr(colon + 1);
    if (host.empty()) return invalid("missing host in endpoint " + quoted + " (expected host:port)");
    if (port_text.empty()) return invalid("missing port in endpoint " + quoted + " (expected host:port)");
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return invalid("bad port '" + std::string(port_text) + "' in endpoint " + quoted +
                     " (expected a number in 1..65535)");
    }
    out.push_back(Endpoint{std::string(host), port});
  }
  return out;
}

HiredisEnv::HiredisEnv(std::vector<Endpoint> endpoints, Millis connect_timeout, Millis request_timeout)
    : connect_timeout_(connect_timeout), request_timeout_(request_timeout) {
  // Seed from 128 bits of std::random_device, not a single 32-bit word.
  std::random_device rd;
  std::seed_seq seq{rd(), rd(), rd(), rd()};
  rng_.seed(seq);
  nodes_.reserve(endpoints.size());
  for (auto& e : endpoints) nodes_.push_back(Node{std::move(e), nullptr});
}

HiredisEnv::~HiredisEnv() {
  for (auto& n : nodes_) {
    if (n.ctx != nullptr) redisFree(n.ctx);
  }
}

Result<std::unique_ptr<HiredisEnv>> HiredisEnv::connect(std::vector<Endpoint> endpoints,
                                                        Millis connect_timeout,
                                                        Millis request_timeout) {
  if (endpoints.empty()) return invalid("no Redis endpoints given");
  if (connect_timeout <= Millis(0)) return invalid("connect timeout must be positive");
  if (request_timeout <= Millis(0)) return invalid("request timeout must be positive");
  for (const auto& e : endpoints) {
    if (e.host.empty() || e.port < 1 || e.port > 65535) {
      return invalid("bad endpoint '" + e.to_string() + "'");
    }
  }
  std::unique_ptr<HiredisEnv> env(new HiredisEnv(std::move(endpoints), connect_timeout, request_timeout));
  for (auto& n : env->nodes_) {
    if (auto s = env->open(n, env->connect_timeout_); !s.ok()) return s.error();
  }
  return env;
}

Status HiredisEnv::open(Node& node, Millis connect_timeout) {
  if (node.ctx != nullptr) {
    redisFree(node.ctx);
    node.ctx = nullptr;
    node.socket_timeout = Nanos(0);
  }
  redisContext* c = redisConnectWithTimeout(node.endpoint.host.c_str(), node.endpoint.port,
                                            to_timeval(connect_timeout));
  if (c == nullptr || c->err != 0) {
    Error e{ErrorCode::kConnectionLost,
            "cannot connect to " + node.endpoint.to_string() + ": " + describe_context_error(c)};
    if (c != nullptr) redisFree(c);
    return e;
  }
  node.ctx = c;
  return set_socket_timeout(node, socket_timeout_for(request_timeout_));
}

Status HiredisEnv::set_socket_timeout(Node& node, Nanos timeout) {
  LC_CHECK(node.ctx != nullptr);
  LC_CHECK(timeout > Nanos(0));
  ++timeout_changes_;
  if (redisSetTimeout(node.ctx, to_timeval(timeout)) != REDIS_OK) {
    Error e{ErrorCode::kConnectionLost, "cannot set a timeout on " + node.endpoint.to_string() + ": " +
                                            describe_context_error(node.ctx)};
    redisFree(node.ctx);
    node.ctx = nullptr;
    node.socket_timeout = Nanos(0);
    return e;
  }
  node.socket_timeout = timeout;
  return Ok{};
}

MonoInstant HiredisEnv::mono_now() {
  return MonoInstant(std::chrono::duration_cast<Nanos>(std::chrono::steady_clock::now().time_since_epoch()));
}

WallInstant HiredisEnv::wall_now() {
  return WallInstant(std::chrono::duration_cast<Nanos>(std::chrono::system_clock::now().time_since_epoch()));
}

Task<void> HiredisEnv::sleep(Nanos d) {
  LC_CHECK(d >= Nanos(0));
  std::this_thread::sleep_for(d);
  co_return;
}

uint64_t HiredisEnv::random_u64() { return rng_(); }

const Endpoint& HiredisEnv::endpoint(size_t node) const {
  LC_CHECK(node < nodes_.size());
  return nodes_[node].endpoint;
}

Task<Result<Reply>> HiredisEnv::call(size_t node, std::vector<std::string> argv) {
  co_return call_now(node, argv, request_timeout_);
}

Task<Result<Reply>> HiredisEnv::call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) {
  LC_CHECK(!argv.empty());
  const MonoInstant now = mono_now();
  if (now >= reply_by) {
    co_return Error{ErrorCode::kTimeout, argv.front() + " not sent: the caller's deadline had passed"};
  }
  co_return call_now(node, argv, std::min<Nanos>(request_timeout_, reply_by - now));
}

Result<Reply> HiredisEnv::call_now(size_t node_index, const std::vector<std::string>& argv, Nanos wait) {
  LC_CHECK(node_index < nodes_.size());
  LC_CHECK(!argv.empty());
  LC_CHECK(wait > Nanos(0) && wait <= request_timeout_);
  Node& node = nodes_[node_index];
  const MonoInstant give_up_at = mono_now() + wait;
  if (node.ctx == nullptr) {
    // A reconnect spends the caller's time too: connect within what is left.
    const Millis connect = std::min(connect_timeout_, std::chrono::ceil<Millis>(wait));
    if (auto s = open(node, connect); !s.ok()) return s.error();
  }
  const Nanos left = give_up_at - mono_now();
  if (left <= Nanos(0)) {
    return Error{ErrorCode::kTimeout, argv.front() + " to " + node.endpoint.to_string() +
                                          ": not sent, the caller's deadline passed while connecting"};
  }
  // The timeout already set serves when it is at most `left` and at most
  // kTimeoutSlack shorter (the common case: the last call's deadline was as
  // far off); a new one is set only otherwise.
  if (node.socket_timeout > left || node.socket_timeout < left - kTimeoutSlack) {
    if (auto s = set_socket_timeout(node, socket_timeout_for(left)); !s.ok()) return s.error();
  }
  const bool cut_short = left < request_timeout_ - kTimeoutSlack;

  // What redisCommandArgv does, less its per-argument formatting (sdscatfmt
  // and sds regrowth: a fifth of the client's instructions per cycle).
  command_.clear();
  append_resp_command(command_, argv);
  void* raw = nullptr;
  int saved_errno = 0;
  {
    ScopedSigpipeBlock no_sigpipe;
    errno = 0;
    if (redisAppendFormattedCommand(node.ctx, command_.data(), command_.size()) == REDIS_OK) {
      redisGetReply(node.ctx, &raw);  // leaves raw null on failure
    }
    saved_errno = errno;
  }
  if (command_.capacity() > kCommandBufferKeepMax) std::string().swap(command_);  // a big value's buffer
  if (raw != nullptr) {
    Reply reply = reply_from_hiredis(static_cast<redisReply*>(raw));
    freeReplyObject(raw);
    return reply_to_result(std::move(reply));
  }

  // The context is unusable now (hiredis sets err for good); a reply that
  // arrives late on it would answer the wrong command. Drop it.
  const std::string where = node.endpoint.to_string();
  const int err = node.ctx->err;
  const std::string what = describe_context_error(node.ctx);
  const Nanos waited = node.socket_timeout;
  redisFree(node.ctx);
  node.ctx = nullptr;
  node.socket_timeout = Nanos(0);
  const std::string cmd = argv.front();
  if (err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
    return Error{ErrorCode::kTimeout, cmd + " to " + where + ": no reply within " + std::to_string(to_ms(waited)) + " ms" +
                                          (cut_short ? " (the caller's deadline)" : "")};
  }
  if (err == REDIS_ERR_PROTOCOL) {
    return Error{ErrorCode::kProtocol, cmd + " to " + where + ": " + what};
  }
  return Error{ErrorCode::kConnectionLost, cmd + " to " + where + ": connection lost: " + what};
}

}  // namespace lockcheck
