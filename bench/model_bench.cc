// Google Benchmark: model::Node commands per second on one core, for the
// mix a lock produces: SET NX PX, GET, PTTL, and the release script
// (compare-and-delete), by EVAL or by EVALSHA.
//
//   ./build/bench/model_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "impl/single.h"
#include "model/node.h"

namespace {

using lockcheck::model::Node;
using lockcheck::model::NodeWallMs;

constexpr int kKeys = 64;  // locks in rotation; each cycle takes and frees one

// One lock cycle per iteration: 4 commands. Half the releases find someone
// else's token (the SET NX of a held key fails), as under contention.
void run_mix(benchmark::State& state, bool by_sha) {
  Node node;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back("lock:" + std::to_string(i));
  int64_t now_ms = 1'700'000'000'000;
  int64_t i = 0;
  std::vector<lockcheck::model::Mutation> mutations;
  const std::string script = by_sha ? lockcheck::kReleaseScriptSha1 : lockcheck::kReleaseScript;
  if (by_sha) node.execute({"SCRIPT", "LOAD", lockcheck::kReleaseScript}, NodeWallMs(std::chrono::milliseconds(now_ms)), nullptr);
  for (auto _ : state) {
    const std::string& key = keys[static_cast<size_t>(i % kKeys)];
    const std::string token = "token-" + std::to_string(i);
    const NodeWallMs now{std::chrono::milliseconds(now_ms)};
    mutations.clear();
    benchmark::DoNotOptimize(node.execute({"SET", key, token, "NX", "PX", "10000"}, now, &mutations));
    benchmark::DoNotOptimize(node.execute({"GET", key}, now, &mutations));
    benchmark::DoNotOptimize(node.execute({"PTTL", key}, now, &mutations));
    // Every other cycle releases with a stale token (a no-op delete).
    const std::string& release_token = (i % 2 == 0) ? token : std::string("stale");
    benchmark::DoNotOptimize(
        node.execute({by_sha ? "EVALSHA" : "EVAL", script, "1", key, release_token}, now, &mutations));
    ++i;
    ++now_ms;
  }
  state.SetItemsProcessed(state.iterations() * 4);  // commands
}

void BM_LockMixEval(benchmark::State& state) { run_mix(state, false); }
void BM_LockMixEvalsha(benchmark::State& state) { run_mix(state, true); }

BENCHMARK(BM_LockMixEval);
BENCHMARK(BM_LockMixEvalsha);

}  // namespace

BENCHMARK_MAIN();
