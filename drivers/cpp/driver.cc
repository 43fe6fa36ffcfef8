// lockcheck's own blocking client (impl/client.h) as a driver
// (docs/drivers.md): LOCKCHECK_STRATEGY picks `single` or `redlock`.
//
// It does what a careful user of LockClient does: before each write it
// checks that its lease is still valid on its own monotonic clock, and
// stops writing (and releases) once it is not.
#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "redis/client.h"

namespace {

using lockcheck::Millis;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    std::fprintf(stderr, "lockcheck-driver: %s is not set\n", name);
    std::exit(2);
  }
  return v;
}

int64_t env_int(const char* name) { return std::strtoll(env(name).c_str(), nullptr, 10); }

// The control connection: every command must be answered +OK.
class Control {
 public:
  explicit Control(const std::string& host_port) {
    const size_t colon = host_port.rfind(':');
    ctx_ = redisConnect(host_port.substr(0, colon).c_str(), std::atoi(host_port.c_str() + colon + 1));
    if (ctx_ == nullptr || ctx_->err) die("cannot connect to LOCKCHECK_CONTROL " + host_port);
  }
  // Sends argv; returns the status reply's text.
  std::string send(const std::vector<std::string>& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const std::string& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (r == nullptr) die("control connection lost");
    const bool ok = r->type == REDIS_REPLY_STATUS;
    const std::string text = r->str ? std::string(r->str, r->len) : "";
    freeReplyObject(r);
    if (!ok) die("control refused " + argv[0] + ": " + text);
    return text;
  }

 private:
  [[noreturn]] static void die(const std::string& what) {
    std::fprintf(stderr, "lockcheck-driver: %s\n", what.c_str());
    std::exit(3);
  }
  redisContext* ctx_ = nullptr;
};

}  // namespace

int main() {
  Control control(env("LOCKCHECK_CONTROL"));
  const std::string client = env("LOCKCHECK_CLIENT");
  // Connected to every node before HELLO, so before any client passes the
  // start barrier: a fault struck at another client's first grant (a node
  // crash) must not find this one still connecting, which LockClient takes
  // as fatal (a run saw cpp-single exit 2 with "Connection refused").
  auto endpoints = lockcheck::parse_endpoints(env("LOCKCHECK_NODES"));
  if (!endpoints.ok()) {
    std::fprintf(stderr, "lockcheck-driver: %s\n", endpoints.error().to_string().c_str());
    return 2;
  }
  const Millis ttl_ms(env_int("LOCKCHECK_TTL_MS"));
  // Each request gets a tenth of the TTL (at least 50 ms): short against
  // the lease, long against loopback.
  const Millis request_timeout_ms = std::max(Millis(50), ttl_ms / 10);
  auto lock_client = lockcheck::LockClient::connect(*endpoints, env("LOCKCHECK_STRATEGY"), request_timeout_ms);
  if (!lock_client.ok()) {
    std::fprintf(stderr, "lockcheck-driver: %s\n", lock_client.error().to_string().c_str());
    return 2;
  }
  control.send({"LOCKCHECK.HELLO", client});
  while (control.send({"LOCKCHECK.START"}) != "GO") std::this_thread::sleep_for(Millis(5));
  lockcheck::LockOptions options;
  options.key = env("LOCKCHECK_KEY");
  options.ttl = ttl_ms;
  options.acquire_timeout = Millis(env_int("LOCKCHECK_ACQUIRE_TIMEOUT_MS"));
  const int64_t acquires = env_int("LOCKCHECK_ACQUIRES");
  const int64_t writes = env_int("LOCKCHECK_WRITES");
  const Millis hold_ms(env_int("LOCKCHECK_HOLD_MS"));
  const Millis think_ms(env_int("LOCKCHECK_THINK_MS"));
  for (int64_t i = 0; i < acquires; ++i) {
    control.send({"LOCKCHECK.ACQUIRING"});
    auto guard = (*lock_client)->acquire(options);
    if (!guard.ok()) {
      control.send({"LOCKCHECK.NOTGRANTED", guard.error().to_string()});
      std::this_thread::sleep_for(think_ms);
      continue;
    }
    const std::string token = guard->lease().token;
    const auto validity_ms = std::chrono::duration_cast<Millis>(guard->remaining()).count();
    control.send({"LOCKCHECK.GRANTED", token, std::to_string(validity_ms)});
    for (int64_t w = 0; w < writes; ++w) {
      if (!guard->valid()) {
        control.send({"LOCKCHECK.LOST"});
        break;
      }
      control.send({"LOCKCHECK.CHECKED"});
      control.send({"LOCKCHECK.WRITE", token});
      std::this_thread::sleep_for(hold_ms / std::max<int64_t>(writes, 1));
    }
    control.send({"LOCKCHECK.RELEASING"});
    const lockcheck::Status released = guard->release();
    if (released.ok()) {
      control.send({"LOCKCHECK.RELEASED", "ok"});
    } else {
      control.send({"LOCKCHECK.RELEASED", "fail", released.error().to_string()});
    }
    std::this_thread::sleep_for(think_ms);
  }
  control.send({"LOCKCHECK.DONE"});
  return 0;
}
