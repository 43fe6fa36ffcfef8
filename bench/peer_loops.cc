// One uncontended lock cycle (acquire + release) in a loop against a real
// redis-server, for scripts/peers_bench.sh:
//   peer_loops MODE HOST:PORT CYCLES
// MODE: raw       hiredis SET key token NX PX ttl, then EVALSHA of the
//                 `single` release script (the two commands a cycle needs)
//       single    lockcheck's LockClient, strategy single
//       watchdog  lockcheck's LockClient, strategy watchdog
// Prints "cycles_per_s=<n> cpu_s=<t>". Exit 2 on bad usage, 1 on a failed
// cycle.
#include <hiredis/hiredis.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "redis/client.h"
#include "impl/single.h"

namespace {

constexpr char kKey[] = "peers:lock";
constexpr int64_t kTtlMs = 30000;
constexpr int64_t kCyclesMax = 100'000'000;

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool raw_loop(const lockcheck::Endpoint& at, int64_t cycles) {
  redisContext* c = redisConnect(at.host.c_str(), at.port);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "peer_loops: cannot connect to %s\n", at.to_string().c_str());
    return false;
  }
  const std::string ttl = std::to_string(kTtlMs);
  bool ok = true;
  for (int64_t i = 0; i < cycles && ok; ++i) {
    const std::string token = "token-" + std::to_string(i);
    auto* set = static_cast<redisReply*>(
        redisCommand(c, "SET %s %b NX PX %s", kKey, token.data(), token.size(), ttl.c_str()));
    ok = set != nullptr && set->type == REDIS_REPLY_STATUS;
    if (set != nullptr) freeReplyObject(set);
    if (!ok) break;
    auto* del = static_cast<redisReply*>(redisCommand(c, "EVALSHA %s 1 %s %b", lockcheck::kReleaseScriptSha1,
                                                      kKey, token.data(), token.size()));
    if (del != nullptr && del->type == REDIS_REPLY_ERROR) {  // NOSCRIPT: load it once
      freeReplyObject(del);
      del = static_cast<redisReply*>(
          redisCommand(c, "EVAL %s 1 %s %b", lockcheck::kReleaseScript, kKey, token.data(), token.size()));
    }
    ok = del != nullptr && del->type == REDIS_REPLY_INTEGER && del->integer == 1;
    if (del != nullptr) freeReplyObject(del);
  }
  redisFree(c);
  return ok;
}

bool client_loop(const lockcheck::Endpoint& at, std::string_view strategy, int64_t cycles) {
  auto client = lockcheck::LockClient::connect({at}, strategy, lockcheck::Millis(1000));
  if (!client.ok()) {
    std::fprintf(stderr, "peer_loops: %s\n", client.error().to_string().c_str());
    return false;
  }
  lockcheck::LockOptions options;
  options.key = kKey;
  options.ttl = lockcheck::Millis(kTtlMs);
  options.acquire_timeout = lockcheck::Millis(10000);  // the default
  for (int64_t i = 0; i < cycles; ++i) {
    auto guard = (*client)->acquire(options);
    if (!guard.ok()) {
      std::fprintf(stderr, "peer_loops: acquire: %s\n", guard.error().to_string().c_str());
      return false;
    }
    if (auto released = guard->release(); !released.ok()) {
      std::fprintf(stderr, "peer_loops: release: %s\n", released.error().to_string().c_str());
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: peer_loops raw|single|watchdog HOST:PORT CYCLES\n");
    return 2;
  }
  const std::string_view mode = argv[1];
  auto endpoints = lockcheck::parse_endpoints(argv[2]);
  int64_t cycles = 0;
  const std::string_view n = argv[3];
  const auto parsed = std::from_chars(n.data(), n.data() + n.size(), cycles);
  if (!endpoints.ok() || endpoints->size() != 1 || parsed.ec != std::errc() || parsed.ptr != n.data() + n.size() ||
      cycles <= 0 || cycles > kCyclesMax || (mode != "raw" && mode != "single" && mode != "watchdog")) {
    std::fprintf(stderr, "peer_loops: bad arguments (usage: peer_loops raw|single|watchdog HOST:PORT CYCLES)\n");
    return 2;
  }
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds();
  const bool ok = mode == "raw" ? raw_loop(endpoints->front(), cycles) : client_loop(endpoints->front(), mode, cycles);
  if (!ok) return 1;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::printf("cycles_per_s=%.0f cpu_s=%.3f\n", static_cast<double>(cycles) / wall_s, cpu_seconds() - cpu_start);
  return 0;
}
