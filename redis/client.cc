#include "redis/client.h"

#include <utility>

#include "base/text.h"

namespace lockcheck {

Result<std::unique_ptr<LockClient>> LockClient::connect(std::vector<Endpoint> endpoints,
                                                        std::string_view strategy_name,
                                                        Millis request_timeout,
                                                        Millis connect_timeout) {
  std::unique_ptr<Strategy> strategy = make_strategy(strategy_name);
  if (strategy == nullptr) {
    std::vector<std::string_view> known;
    // A copy held here: `known` views its names.
    const auto catalog = strategy_catalog();
    for (const auto& info : catalog) known.push_back(info.name);
    return Error{ErrorCode::kInvalidArgument,
                 "unknown strategy '" + std::string(strategy_name) + "' " + known_list(known)};
  }
  auto env = HiredisEnv::connect(endpoints, connect_timeout, request_timeout);
  if (!env.ok()) return env.error();
  return std::unique_ptr<LockClient>(new LockClient(std::move(env).value(), std::move(strategy), std::move(endpoints),
                                                    request_timeout, connect_timeout));
}

Result<LockGuard> LockClient::acquire(const LockOptions& options) {
  Result<Lease> lease = run_sync(strategy_->acquire(*env_, options));
  if (!lease.ok()) return lease.error();
  LockGuard guard(this, std::move(lease).value(), options);
  if (strategy_->renews()) {
    Result<Renewal*> renewal = idle_renewal();
    if (!renewal.ok()) {
      (void)guard.release();  // a watchdog lock without its watchdog is not what was asked for
      return renewal.error();
    }
    guard.renewal_ = renewal.value();
    guard.renewal_->start(guard.lease_, options);
  }
  return guard;
}

Result<Renewal*> LockClient::idle_renewal() {
  for (const auto& r : renewals_) {
    if (!r->busy()) return r.get();
  }
  auto fresh = Renewal::connect(endpoints_, connect_timeout_, request_timeout_, *strategy_);
  if (!fresh.ok()) return fresh.error();
  renewals_.push_back(std::move(fresh).value());
  return renewals_.back().get();
}

LockGuard::LockGuard(LockGuard&& other) noexcept
    : client_(std::exchange(other.client_, nullptr)),
      lease_(std::move(other.lease_)),
      options_(std::move(other.options_)),
      renewal_(std::exchange(other.renewal_, nullptr)) {}

LockGuard& LockGuard::operator=(LockGuard&& other) noexcept {
  if (this != &other) {
    if (held()) (void)release();
    client_ = std::exchange(other.client_, nullptr);
    lease_ = std::move(other.lease_);
    options_ = std::move(other.options_);
    renewal_ = std::exchange(other.renewal_, nullptr);
  }
  return *this;
}

LockGuard::~LockGuard() {
  if (held()) (void)release();
}

void LockGuard::stop_renewal() {
  if (!renewal_) return;
  renewal_->stop();
  lease_ = renewal_->lease();
  renewal_ = nullptr;
}

Status LockGuard::release() {
  stop_renewal();
  if (!held()) return Error{ErrorCode::kNotHeld, "guard for " + lease_.key + " holds no lock"};
  Status released = run_sync(client_->strategy_->release(*client_->env_, lease_));
  // A release nobody (or too few nodes) answered may have left the lock
  // held: forgetting it would leave nobody to release it.
  if (released.ok() || !released.error().outcome_unknown()) client_ = nullptr;
  return released;
}

Status LockGuard::extend() { return extend(options_); }

Status LockGuard::extend(const LockOptions& options) {
  if (!held()) return Error{ErrorCode::kNotHeld, "guard for " + lease_.key + " holds no lock"};
  if (options.key != lease_.key) {
    return Error{ErrorCode::kInvalidArgument,
                 "extend of " + lease_.key + " with options for key " + options.key};
  }
  // The worker renews a lease of its own: it is stopped for the extend (so
  // the two never write the key at once) and then handed the extended
  // lease and its options, else its next renewal would put the old TTL back.
  if (renewal_) {
    renewal_->stop();
    lease_ = renewal_->lease();  // renew from the latest lease
  }
  Result<Lease> renewed = run_sync(client_->strategy_->extend(*client_->env_, lease_, options));
  if (!renewed.ok()) {
    // Only a lock known lost is forgotten: after any other error it may
    // still be held, and this guard must release it (its renewals go on).
    if (renewed.error().code == ErrorCode::kNotHeld) {
      client_ = nullptr;
      renewal_ = nullptr;  // stopped above; idle for the client's next acquire
    } else if (renewal_) {
      renewal_->start(lease_, options_);
    }
    return renewed.error();
  }
  lease_ = std::move(renewed).value();
  options_ = options;
  if (renewal_) renewal_->start(lease_, options_);
  return Ok{};
}

Lease LockGuard::abandon() {
  stop_renewal();
  client_ = nullptr;
  return lease_;
}

// Judged as the strategy judges it (see Strategy::valid_until).
bool LockGuard::valid() const {
  return held() && client_->env_->mono_now() < client_->strategy_->valid_until(*client_->env_, lease());
}

Nanos LockGuard::remaining() const {
  if (!valid()) return Nanos(0);
  return client_->strategy_->valid_until(*client_->env_, lease()) - client_->env_->mono_now();
}

}  // namespace lockcheck
