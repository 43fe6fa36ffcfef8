// FramePool: where Task coroutine frames live. Every lock operation is a
// chain of short coroutines (acquire -> attempt -> call), each a frame the
// compiler would get from malloc and give back a few microseconds later.
// The pool keeps freed frames on per-thread free lists, one per size
// class, so a steady state of lock operations reuses them and never calls
// malloc. Memory reuse changes no behaviour: simulated runs stay exactly
// as deterministic as they were.
//
// Per thread: a frame freed on another thread than the one that made it
// (the blocking API's watchdog) simply joins that thread's list. No locks.
#ifndef LOCKCHECK_IMPL_FRAME_POOL_H_
#define LOCKCHECK_IMPL_FRAME_POOL_H_

#include <cstddef>

namespace lockcheck::frame_pool {

// Frames up to kFrameBytesMax come from the pool in classes of
// kClassBytes; larger ones (none in lockcheck today) go to operator new.
constexpr size_t kClassBytes = 64;
constexpr size_t kFrameBytesMax = 2048;
// A bound on what one thread keeps per class (TIGER_STYLE): beyond it a
// freed frame goes back to the system, so a burst does not pin memory.
constexpr size_t kFreeFramesPerClassMax = 1024;

// A block of at least `bytes` (> 0), aligned as operator new's.
void* allocate(size_t bytes);
// Gives back a block from allocate(bytes), with the same `bytes`.
void deallocate(void* p, size_t bytes) noexcept;

// This thread's cached free frames (all classes), for tests.
size_t cached_frames();

// False in an AddressSanitizer build: every frame then goes to operator
// new and back at once, so ASan still sees a frame used after its Task
// destroyed it (a pooled frame would hide that).
bool pooling();

}  // namespace lockcheck::frame_pool

#endif  // LOCKCHECK_IMPL_FRAME_POOL_H_
