// InlineFunction: a move-only std::function that keeps its callable inside
// itself, in kBytes of storage, and never allocates. A callable that does
// not fit is a compile error (static_assert), not a silent heap fallback:
// the simulator schedules one of these per event and per message, and a
// closure that grew past its budget should be noticed and made smaller.
// Internal to sim/.
#ifndef LOCKCHECK_SIM_INLINE_FUNCTION_H_
#define LOCKCHECK_SIM_INLINE_FUNCTION_H_

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "impl/check.h"

namespace lockcheck::sim {

template <typename Signature, size_t kBytes>
class InlineFunction;

template <typename R, typename... Args, size_t kBytes>
class InlineFunction<R(Args...), kBytes> {
 public:
  InlineFunction() = default;
  InlineFunction(std::nullptr_t) {}  // NOLINT: as std::function

  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, InlineFunction>>>
  InlineFunction(F&& f) {  // NOLINT: implicit, as std::function
    using Fn = std::decay_t<F>;
    static_assert(sizeof(Fn) <= kBytes, "closure too large for this InlineFunction: capture less");
    static_assert(alignof(Fn) <= alignof(std::max_align_t));
    ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
    ops_ = &kOps<Fn>;
  }

  // noexcept although a capture's move may not be (a std::vector's
  // allocator-aware one): such a move throws only when memory runs out.
  InlineFunction(InlineFunction&& o) noexcept { take(o); }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { reset(); }

  explicit operator bool() const { return ops_ != nullptr; }

  R operator()(Args... args) {
    LC_CHECK(ops_ != nullptr);
    return ops_->call(storage_, std::forward<Args>(args)...);
  }

  void reset() {
    if (ops_) ops_->destroy(storage_);
    ops_ = nullptr;
  }

 private:
  struct Ops {
    R (*call)(void*, Args&&...);
    void (*move_to)(void* from, void* to);  // move-constructs at `to`, destroys `from`
    void (*destroy)(void*);
  };
  template <typename Fn>
  static constexpr Ops kOps{
      [](void* p, Args&&... args) -> R { return (*static_cast<Fn*>(p))(std::forward<Args>(args)...); },
      [](void* from, void* to) {
        ::new (to) Fn(std::move(*static_cast<Fn*>(from)));
        static_cast<Fn*>(from)->~Fn();
      },
      [](void* p) { static_cast<Fn*>(p)->~Fn(); },
  };

  void take(InlineFunction& o) {
    if (!o.ops_) return;
    o.ops_->move_to(o.storage_, storage_);
    ops_ = o.ops_;
    o.ops_ = nullptr;
  }

  alignas(std::max_align_t) unsigned char storage_[kBytes];
  const Ops* ops_ = nullptr;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_INLINE_FUNCTION_H_
