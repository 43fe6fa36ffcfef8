#include "redis/renewal.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace lockcheck {

struct Renewal::Shared {
  mutable std::mutex mu;
  Lease published;      // guarded by mu
  int renewals = 0;     // guarded by mu
  std::atomic<bool> stop_requested{false};
  std::unique_ptr<HiredisEnv> env;
  std::thread thread;
};

namespace {

// The renewal thread's Env: the connection's, plus the hand-off at sleeps.
class HandoffEnv : public Env {
 public:
  HandoffEnv(Renewal::Shared& shared, std::shared_ptr<LeaseCell> cell) : s_(shared), cell_(std::move(cell)) {}
  MonoInstant mono_now() override { return s_.env->mono_now(); }
  WallInstant wall_now() override { return s_.env->wall_now(); }
  uint64_t random_u64() override { return s_.env->random_u64(); }
  size_t node_count() const override { return s_.env->node_count(); }
  Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) override {
    co_return co_await s_.env->call(node, std::move(argv));
  }
  Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) override {
    co_return co_await s_.env->call_by(node, std::move(argv), reply_by);
  }
  Nanos request_timeout() const override { return s_.env->request_timeout(); }
  Task<void> sleep(Nanos d) override {
    hand_off();
    // Short steps, so a stop request is honoured promptly.
    const MonoInstant until = mono_now() + d;
    while (!s_.stop_requested.load() && mono_now() < until) {
      co_await s_.env->sleep(std::min<Nanos>(Millis(10), until - mono_now()));
    }
    hand_off();
  }

 private:
  void hand_off() {
    std::lock_guard<std::mutex> lock(s_.mu);
    if (cell_->lease.valid_until != s_.published.valid_until) {
      s_.published = cell_->lease;
      ++s_.renewals;
    }
    if (s_.stop_requested.load()) cell_->stop = true;
  }
  Renewal::Shared& s_;
  std::shared_ptr<LeaseCell> cell_;
};

}  // namespace

Result<std::unique_ptr<Renewal>> Renewal::start(const std::vector<Endpoint>& endpoints, Millis connect_timeout,
                                                Millis request_timeout, Strategy& strategy, Lease lease,
                                                LockOptions options) {
  LC_CHECK(strategy.renews());
  auto env = HiredisEnv::connect(endpoints, connect_timeout, request_timeout);
  if (!env.ok()) return env.error();
  std::unique_ptr<Renewal> r(new Renewal());
  r->shared_ = std::make_unique<Shared>();
  Shared& s = *r->shared_;
  s.env = std::move(env).value();
  s.published = lease;
  auto cell = std::make_shared<LeaseCell>(LeaseCell{std::move(lease)});
  s.thread = std::thread([&s, &strategy, cell, options = std::move(options)]() {
    HandoffEnv env(s, cell);
    run_sync(strategy.keep_alive(env, cell, options));
    std::lock_guard<std::mutex> lock(s.mu);
    s.published = cell->lease;  // a lost lock ends the belief here too
  });
  return r;
}

Renewal::~Renewal() { stop(); }

void Renewal::stop() {
  if (!shared_ || !shared_->thread.joinable()) return;
  shared_->stop_requested.store(true);
  shared_->thread.join();
}

Lease Renewal::lease() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->published;
}

int Renewal::renewals() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->renewals;
}

}  // namespace lockcheck
