// Result<T>: a value or an Error. Errors the world causes (timeouts, lost
// connections, Redis error replies) travel as values, never as exceptions,
// because a simulated failure must unwind the same way a real one does.
// (g++ 12 has no std::expected in C++20.)
#ifndef LOCKCHECK_IMPL_RESULT_H_
#define LOCKCHECK_IMPL_RESULT_H_

#include <string>
#include <utility>
#include <variant>

#include "impl/check.h"

namespace lockcheck {

enum class ErrorCode {
  kTimeout,         // no reply within the request timeout: outcome unknown
  kConnectionLost,  // the connection failed: outcome unknown
  kRedisError,      // the server answered with an error reply
  kProtocol,        // the reply could not be understood
  kNotHeld,         // a lock operation found the lock not held by the caller
  kAcquireTimeout,  // acquire gave up at the caller's deadline
  kInvalidArgument, // a caller passed something unusable
  // A lock operation over several nodes could not tell whether the caller
  // still holds the lock: too few nodes answered either way (or a renewal
  // came too late to use). The lock may still be held.
  kOutcomeUnknown,
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;

  // True when the request may or may not have taken effect on the server.
  bool outcome_unknown() const {
    return code == ErrorCode::kTimeout || code == ErrorCode::kConnectionLost || code == ErrorCode::kOutcomeUnknown;
  }
  std::string to_string() const { return std::string(error_code_name(code)) + ": " + message; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}       // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { LC_CHECK(ok()); return std::get<0>(v_); }
  const T& value() const& { LC_CHECK(ok()); return std::get<0>(v_); }
  T&& value() && { LC_CHECK(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

  const Error& error() const { LC_CHECK(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> analogue.
struct Ok {};
using Status = Result<Ok>;

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_RESULT_H_
