// The coroutine frame pool: freed frames are reused, within their size
// class and bound, and Task frames come from it.
#include "impl/frame_pool.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "impl/task.h"

namespace lockcheck {
namespace {

TEST(FramePool, AFreedFrameIsReusedForTheSameClass) {
  if (!frame_pool::pooling()) GTEST_SKIP() << "an ASan build does not pool frames";
  void* a = frame_pool::allocate(100);
  frame_pool::deallocate(a, 100);
  // 100 and 120 bytes share a 64-byte class (65..128): the frame comes back.
  void* b = frame_pool::allocate(120);
  EXPECT_EQ(a, b);
  frame_pool::deallocate(b, 120);
}

TEST(FramePool, ClassesDoNotMix) {
  void* small = frame_pool::allocate(64);
  frame_pool::deallocate(small, 64);
  void* larger = frame_pool::allocate(65);  // the next class: a frame of 64 bytes would not hold it
  EXPECT_NE(small, larger);
  frame_pool::deallocate(larger, 65);
}

TEST(FramePool, KeepsNoMoreThanItsBoundPerClass) {
  const size_t before = frame_pool::cached_frames();
  std::vector<void*> frames;
  for (size_t i = 0; i < frame_pool::kFreeFramesPerClassMax + 10; ++i) frames.push_back(frame_pool::allocate(1000));
  for (void* f : frames) frame_pool::deallocate(f, 1000);
  EXPECT_LE(frame_pool::cached_frames(), before + frame_pool::kFreeFramesPerClassMax);
}

TEST(FramePool, FramesLargerThanTheClassesBypassIt) {
  const size_t before = frame_pool::cached_frames();
  void* big = frame_pool::allocate(frame_pool::kFrameBytesMax + 1);
  frame_pool::deallocate(big, frame_pool::kFrameBytesMax + 1);
  EXPECT_EQ(frame_pool::cached_frames(), before);
}

Task<int> add_one(int x) { co_return x + 1; }
Task<int> add_two(int x) {
  const int y = co_await add_one(x);
  co_return co_await add_one(y);
}

TEST(FramePool, TaskFramesComeFromThePool) {
  if (!frame_pool::pooling()) GTEST_SKIP() << "an ASan build does not pool frames";
  EXPECT_EQ(run_sync(add_two(1)), 3);  // warms the pool with these frames' classes
  const size_t cached = frame_pool::cached_frames();
  EXPECT_GT(cached, 0u) << "finished Task frames went back to the pool";
  EXPECT_EQ(run_sync(add_two(5)), 7);
  EXPECT_EQ(frame_pool::cached_frames(), cached) << "the same frames served the second run";
}

TEST(FramePool, AFrameFreedOnAnotherThreadIsFine) {
  void* f = frame_pool::allocate(200);
  std::thread t([f] { frame_pool::deallocate(f, 200); });  // joins that thread's list, freed at its end
  t.join();
}

}  // namespace
}  // namespace lockcheck
