#include "impl/frame_pool.h"

#include <new>

#include "impl/check.h"

namespace lockcheck::frame_pool {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kPooling = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kPooling = false;
#else
constexpr bool kPooling = true;
#endif
#else
constexpr bool kPooling = true;
#endif

constexpr size_t kClasses = kFrameBytesMax / kClassBytes;
static_assert(kFrameBytesMax % kClassBytes == 0);
static_assert(kClassBytes % alignof(std::max_align_t) == 0, "every class keeps operator new's alignment");

// A free frame holds the link to the next one in its own first bytes.
struct FreeFrame {
  FreeFrame* next;
};

struct Lists {
  FreeFrame* head[kClasses] = {};
  size_t count[kClasses] = {};
  bool ended = false;  // a frame freed after ~Lists (a late thread_local's) skips the cache

  ~Lists() {  // the thread ends: its cached frames go back to the system
    ended = true;
    for (size_t c = 0; c < kClasses; ++c) {
      while (head[c] != nullptr) {
        FreeFrame* f = head[c];
        head[c] = f->next;
        ::operator delete(f);
      }
    }
  }
};

thread_local Lists lists;

// The class of a frame of `bytes` (1 .. kFrameBytesMax).
size_t class_of(size_t bytes) { return (bytes - 1) / kClassBytes; }

}  // namespace

void* allocate(size_t bytes) {
  LC_CHECK(bytes > 0);
  if (!kPooling || bytes > kFrameBytesMax) return ::operator new(bytes);
  const size_t c = class_of(bytes);
  if (FreeFrame* f = lists.head[c]) {
    lists.head[c] = f->next;
    --lists.count[c];
    return f;
  }
  return ::operator new((c + 1) * kClassBytes);  // the whole class: any frame of it fits later
}

void deallocate(void* p, size_t bytes) noexcept {
  if (p == nullptr) return;
  LC_CHECK(bytes > 0);
  if (!kPooling || bytes > kFrameBytesMax) {
    ::operator delete(p);
    return;
  }
  const size_t c = class_of(bytes);
  if (lists.ended || lists.count[c] >= kFreeFramesPerClassMax) {
    ::operator delete(p);
    return;
  }
  lists.head[c] = ::new (p) FreeFrame{lists.head[c]};
  ++lists.count[c];
}

bool pooling() { return kPooling; }

size_t cached_frames() {
  size_t n = 0;
  for (size_t c = 0; c < kClasses; ++c) n += lists.count[c];
  return n;
}

}  // namespace lockcheck::frame_pool
