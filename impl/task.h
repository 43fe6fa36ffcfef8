// Task<T>: the one coroutine type of lockcheck.
//
// Lazy: a Task does nothing until it is awaited (or start()ed as a root).
// Awaiting a child Task transfers control to it symmetrically, and the child
// resumes its awaiter when it finishes, so deep call chains use no stack.
// No threads, no executor: whoever completes an await resumes the coroutine.
// The hiredis backend completes every await synchronously; the simulator
// resumes coroutines only from its event loop. That is the whole seam.
//
// Ownership: a Task owns its coroutine frame and destroys it in ~Task. A
// parent's frame owns the child Task it is awaiting, so destroying a root
// Task tears down the whole suspended chain (used when a simulated process
// crashes). Exceptions are not used; an escaping one aborts.
#ifndef LOCKCHECK_IMPL_TASK_H_
#define LOCKCHECK_IMPL_TASK_H_

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <utility>

#include "impl/check.h"
#include "impl/frame_pool.h"

namespace lockcheck {

template <typename T>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation;  // who awaits us; null for a root

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto next = h.promise().continuation;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { std::terminate(); }

  // Frames come from the per-thread pool (impl/frame_pool.h): a steady
  // state of lock operations allocates none.
  static void* operator new(std::size_t bytes) { return frame_pool::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { frame_pool::deallocate(p, bytes); }
};

template <typename T>
struct Promise : PromiseBase {
  std::optional<T> value;
  Task<T> get_return_object() noexcept;
  template <typename U>
  void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
};

template <>
struct Promise<void> : PromiseBase {
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
};

}  // namespace detail

template <typename T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() = default;
  explicit Task(Handle h) : h_(h) {}
  Task(Task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) { reset(); h_ = std::exchange(o.h_, {}); }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  bool valid() const { return static_cast<bool>(h_); }
  bool done() const { return h_ && h_.done(); }

  // Runs a root task until its first suspension (or completion).
  void start() { LC_CHECK(h_ && !h_.done()); h_.resume(); }

  // The value of a finished non-void task.
  template <typename U = T>
  requires(!std::is_void_v<U>) U& result() {
    LC_CHECK(done() && h_.promise().value.has_value());
    return *h_.promise().value;
  }

  // Awaiting a task starts it; the awaiter resumes when it finishes.
  struct Awaiter {
    Handle h;
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
      h.promise().continuation = awaiting;
      return h;
    }
    T await_resume() {
      if constexpr (!std::is_void_v<T>) {
        LC_CHECK(h.promise().value.has_value());
        return std::move(*h.promise().value);
      }
    }
  };
  Awaiter operator co_await() && {
    LC_CHECK(h_ && !h_.done());
    return Awaiter{h_};
  }

 private:
  void reset() {
    if (h_) { h_.destroy(); h_ = {}; }
  }
  Handle h_;
};

namespace detail {
template <typename T>
Task<T> Promise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<Promise<T>>::from_promise(*this));
}
inline Task<void> Promise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<Promise<void>>::from_promise(*this));
}
}  // namespace detail

// Runs a task whose every await completes synchronously (the real-Redis
// backend) and returns its value. Aborts if the task suspends for real.
template <typename T>
T run_sync(Task<T> task) {
  task.start();
  LC_CHECK(task.done());
  if constexpr (!std::is_void_v<T>) return std::move(task.result());
}

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_TASK_H_
