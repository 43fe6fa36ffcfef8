#include "model/lua_arena.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace lockcheck::model {
namespace {

constexpr size_t kCapacity = 64 * 1024;

TEST(LuaArena, FullIsNullAndFreedBlocksAreReused) {
  LuaArena arena(kCapacity);
  std::vector<void*> blocks;
  while (void* p = arena.realloc(nullptr, 0, 100)) {
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % 16, 0u);
    std::memset(p, 0xab, 100);
    blocks.push_back(p);
    ASSERT_LT(blocks.size(), kCapacity / 100);
  }
  ASSERT_GT(blocks.size(), kCapacity / 128 / 2);
  // What is left is less than 112 bytes; fill it with the smallest blocks.
  while (arena.realloc(nullptr, 0, 16) != nullptr) {
  }
  // Full: a bigger block fails, a shrink keeps its block.
  EXPECT_EQ(arena.realloc(nullptr, 0, 5000), nullptr);
  EXPECT_EQ(arena.realloc(blocks.back(), 100, 10), blocks.back());
  EXPECT_EQ(arena.realloc(blocks.back(), 10, 0), nullptr);  // filed under the 16-byte class
  blocks.pop_back();
  // Growing within the size class keeps the block; into a class with no
  // free block and no room fails, and the block stays as it was.
  EXPECT_EQ(arena.realloc(blocks[1], 100, 112), blocks[1]);
  EXPECT_EQ(arena.realloc(blocks[1], 112, 200), nullptr);
  EXPECT_EQ(static_cast<unsigned char*>(blocks[1])[99], 0xab);
  // Freed blocks of the class serve it again.
  arena.realloc(blocks[0], 100, 0);
  EXPECT_EQ(arena.realloc(nullptr, 0, 97), blocks[0]);
}

TEST(LuaArena, TheLastBlockGrowsInPlace) {
  LuaArena arena(kCapacity);
  char* first = static_cast<char*>(arena.realloc(nullptr, 0, 64));
  char* last = static_cast<char*>(arena.realloc(nullptr, 0, 64));
  std::strcpy(last, "stack");
  EXPECT_EQ(arena.realloc(last, 64, 4000), last);
  EXPECT_STREQ(last, "stack");
  // Not the last block: moved, bytes kept.
  std::strcpy(first, "moved");
  char* grown = static_cast<char*>(arena.realloc(first, 64, 200));
  EXPECT_NE(grown, first);
  EXPECT_STREQ(grown, "moved");
  EXPECT_EQ(grown, last + 4096);  // 4000 bytes take the 4096-byte class
}

TEST(LuaArena, RestorePutsBackBlocksAndAllocatorState) {
  LuaArena arena(kCapacity);
  char* a = static_cast<char*>(arena.realloc(nullptr, 0, 40));
  char* b = static_cast<char*>(arena.realloc(nullptr, 0, 3000));
  std::strcpy(a, "kept");
  std::memset(arena.pinned(), 7, LuaArena::kPinnedBytes);
  const LuaArena::Snapshot saved = arena.save();
  void* next_after_save = arena.realloc(nullptr, 0, 40);

  std::strcpy(a, "changed");
  arena.realloc(b, 3000, 0);
  for (int i = 0; i < 100; ++i) arena.realloc(nullptr, 0, 200);
  std::memset(arena.pinned(), 0, LuaArena::kPinnedBytes);

  arena.restore(saved);
  EXPECT_STREQ(a, "kept");
  EXPECT_EQ(static_cast<char*>(arena.pinned())[LuaArena::kPinnedBytes - 1], 7);
  // The allocator is as it was: the same next block, b still in use.
  EXPECT_EQ(arena.realloc(nullptr, 0, 40), next_after_save);
  EXPECT_NE(arena.realloc(nullptr, 0, 3000), b);
}

}  // namespace
}  // namespace lockcheck::model
