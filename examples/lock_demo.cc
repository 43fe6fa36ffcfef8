// lock_demo: watch a Redis lock pass between processes.
//
// Start a redis-server, then run in two terminals:
//
//   lock_demo --redis 127.0.0.1:6379 --hold-ms 2000 --rounds 5
//
// Each round acquires the lock, holds it for --hold-ms, releases it and
// pauses briefly so the other process gets its turn.
//
// Exit codes: 0 every round acquired and released; 1 a lock or Redis error;
// 2 bad usage.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "redis/client.h"

namespace {

using lockcheck::Millis;

constexpr const char* kUsage =
    "usage: lock_demo --redis HOST:PORT[,...] [--key K] [--ttl-ms N] [--hold-ms N]\n"
    "                 [--rounds N] [--wait-ms N] [--strategy NAME]\n";

struct Flags {
  std::string redis = "127.0.0.1:6379";
  std::string key = "lockcheck:demo";
  std::string strategy = "single";
  int64_t ttl_ms = 10000;
  int64_t hold_ms = 2000;
  int64_t rounds = 3;
  int64_t wait_ms = 60000;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "lock_demo: %s (try --help)\n", message.c_str());
  return 2;
}

bool parse_positive(std::string_view text, int64_t* out) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v <= 0) return false;
  *out = v;
  return true;
}

// Returns -1 when the flags are fine, else the exit code.
int parse_flags(int argc, char** argv, Flags* flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return usage_error(arg.starts_with("--") ? "missing value for " + std::string(arg)
                                                                  : "unexpected argument '" + std::string(arg) + "'");
    const std::string_view value = argv[++i];
    int64_t* number = nullptr;
    if (arg == "--redis") {
      flags->redis = value;
    } else if (arg == "--key") {
      if (value.empty()) return usage_error("--key must not be empty");
      flags->key = value;
    } else if (arg == "--strategy") {
      flags->strategy = value;
    } else if (arg == "--ttl-ms") {
      number = &flags->ttl_ms;
    } else if (arg == "--hold-ms") {
      number = &flags->hold_ms;
    } else if (arg == "--rounds") {
      number = &flags->rounds;
    } else if (arg == "--wait-ms") {
      number = &flags->wait_ms;
    } else {
      return usage_error("unknown flag '" + std::string(arg) + "'");
    }
    if (number != nullptr && !parse_positive(value, number)) {
      return usage_error(std::string(arg) + " needs a positive integer, got '" + std::string(value) + "'");
    }
  }
  return -1;
}

// "ab12cd34…" : enough of the token to tell holders apart.
std::string short_token(const std::string& token) { return token.substr(0, 8) + "\u2026"; }

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (int rc = parse_flags(argc, argv, &flags); rc >= 0) return rc;
  auto endpoints = lockcheck::parse_endpoints(flags.redis);
  if (!endpoints.ok()) return usage_error("--redis: " + endpoints.error().message);

  auto client = lockcheck::LockClient::connect(std::move(endpoints).value(), flags.strategy, Millis(1000));
  if (!client.ok()) {
    if (client.error().code == lockcheck::ErrorCode::kInvalidArgument) {
      return usage_error(client.error().message);
    }
    // The world said no (server down, refused): a clear line, exit 2.
    std::fprintf(stderr, "lock_demo: %s\n", client.error().to_string().c_str());
    return 2;
  }

  lockcheck::LockOptions options;
  options.key = flags.key;
  options.ttl = Millis(flags.ttl_ms);
  options.acquire_timeout = Millis(flags.wait_ms);
  const long pid = static_cast<long>(getpid());
  if (flags.hold_ms >= flags.ttl_ms) {
    std::printf("[pid %ld] note: --hold-ms >= --ttl-ms, so the lease lapses while held\n", pid);
  }

  int exit_code = 0;
  for (int64_t round = 1; round <= flags.rounds; ++round) {
    std::printf("[pid %ld] round %lld/%lld: waiting for %s\n", pid, static_cast<long long>(round),
                static_cast<long long>(flags.rounds), flags.key.c_str());
    std::fflush(stdout);
    auto guard = (*client)->acquire(options);
    if (!guard.ok()) {
      std::fprintf(stderr, "[pid %ld] acquire failed: %s\n", pid, guard.error().to_string().c_str());
      return 1;
    }
    std::printf("[pid %ld] acquired %s token=%s valid for %lld ms\n", pid, flags.key.c_str(),
                short_token(guard->lease().token).c_str(),
                static_cast<long long>(lockcheck::to_ms(guard->remaining())));
    std::printf("[pid %ld] holding\u2026 (%lld ms)\n", pid, static_cast<long long>(flags.hold_ms));
    std::fflush(stdout);
    std::this_thread::sleep_for(Millis(flags.hold_ms));
    if (!guard->valid()) {
      std::printf("[pid %ld] lease expired while holding: another process may hold %s now\n", pid,
                  flags.key.c_str());
    }
    if (auto s = guard->release(); !s.ok()) {
      std::printf("[pid %ld] release failed: %s\n", pid, s.error().to_string().c_str());
      exit_code = 1;
    } else {
      std::printf("[pid %ld] released\n", pid);
    }
    std::fflush(stdout);
    // Step aside so a waiting process (which retries every 10-50 ms) wins.
    if (round < flags.rounds) std::this_thread::sleep_for(Millis(200));
  }
  return exit_code;
}
