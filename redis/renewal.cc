#include "redis/renewal.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace lockcheck {

struct Renewal::Shared {
  explicit Shared(Strategy& s) : strategy(s) {}
  Strategy& strategy;
  std::unique_ptr<HiredisEnv> env;  // the worker thread's alone
  std::thread thread;

  mutable std::mutex mu;
  std::condition_variable changed;  // any field below changed
  // The next lease to renew, from start() until the worker takes it.
  std::optional<LeaseCell> next;  // guarded by mu
  LockOptions next_options;       // guarded by mu
  bool live = false;              // guarded by mu: between start() and stop()
  bool running = false;           // guarded by mu: the worker is in keep_alive
  // The worker waits in a sleep: it sends nothing before it wakes up and
  // sees stop_requested, so stop() need not wait for it.
  bool sleeping = false;          // guarded by mu
  bool stop_requested = false;    // guarded by mu
  bool quit = false;              // guarded by mu: end the thread
  Lease published;                // guarded by mu
  int renewals = 0;               // guarded by mu
};

namespace {

// The worker's Env: the connection's, plus the hand-off at sleeps.
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
    // The same steady clock HiredisEnv::mono_now reads.
    const auto until = std::chrono::steady_clock::now() + d;
    std::unique_lock<std::mutex> lock(s_.mu);
    hand_off();
    s_.sleeping = true;
    s_.changed.wait_until(lock, until, [this] { return s_.stop_requested; });
    s_.sleeping = false;
    hand_off();
    co_return;
  }

 private:
  // With s_.mu held.
  void hand_off() {
    if (cell_->lease.valid_until != s_.published.valid_until) {
      s_.published = cell_->lease;
      ++s_.renewals;
    }
    if (s_.stop_requested) cell_->stop = true;
  }
  Renewal::Shared& s_;
  std::shared_ptr<LeaseCell> cell_;
};

// The worker thread: waits for a lease, renews it until stopped, repeats.
void work(Renewal::Shared& s) {
  for (;;) {
    std::shared_ptr<LeaseCell> cell;
    LockOptions options;
    {
      std::unique_lock<std::mutex> lock(s.mu);
      s.changed.wait(lock, [&s] { return s.quit || s.next.has_value(); });
      if (s.quit) return;
      cell = std::make_shared<LeaseCell>(std::move(*s.next));
      s.next.reset();
      options = s.next_options;
      s.running = true;
    }
    HandoffEnv env(s, cell);
    run_sync(s.strategy.keep_alive(env, cell, options));
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (s.live) s.published = cell->lease;  // a lost lock ends the belief here too
      s.running = false;
    }
    s.changed.notify_all();
  }
}

}  // namespace

Result<std::unique_ptr<Renewal>> Renewal::connect(const std::vector<Endpoint>& endpoints, Millis connect_timeout,
                                                  Millis request_timeout, Strategy& strategy) {
  LC_CHECK(strategy.renews());
  auto env = HiredisEnv::connect(endpoints, connect_timeout, request_timeout);
  if (!env.ok()) return env.error();
  std::unique_ptr<Renewal> r(new Renewal());
  r->shared_ = std::make_unique<Shared>(strategy);
  Shared& s = *r->shared_;
  s.env = std::move(env).value();
  s.thread = std::thread([&s]() { work(s); });
  return r;
}

Renewal::~Renewal() {
  stop();
  {
    std::lock_guard<std::mutex> lock(shared_->mu);  // a sleeping worker wakes, sees the stop, then this
    shared_->quit = true;
  }
  shared_->changed.notify_all();
  shared_->thread.join();
}

void Renewal::start(Lease lease, LockOptions options) {
  {
    std::unique_lock<std::mutex> lock(shared_->mu);
    LC_CHECK(!shared_->live);
    // The worker may still be leaving the last lease's sleep after its stop.
    shared_->changed.wait(lock, [this] { return !shared_->running; });
    shared_->live = true;
    shared_->stop_requested = false;
    shared_->published = lease;
    shared_->renewals = 0;
    shared_->next = LeaseCell{std::move(lease)};
    shared_->next_options = std::move(options);
  }
  shared_->changed.notify_all();
}

void Renewal::stop() {
  std::unique_lock<std::mutex> lock(shared_->mu);
  if (!shared_->live) return;
  shared_->live = false;
  if (shared_->next.has_value()) {  // the worker never took it: nothing was sent
    shared_->next.reset();
    return;
  }
  shared_->stop_requested = true;
  shared_->changed.notify_all();
  // A renewal in flight may still land; one the worker sleeps before never
  // will (it sees the stop first).
  shared_->changed.wait(lock, [this] { return !shared_->running || shared_->sleeping; });
}

bool Renewal::busy() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->live;
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
