#include "model/lua_arena.h"

#include <sys/mman.h>

#include <bit>
#include <cstdint>
#include <cstring>

#include "model/check.h"

namespace lockcheck::model {
namespace {

// Size classes: multiples of 16 up to 1 KB, then four per power of two
// (at most 25% rounding). Every block is a multiple of 16: 16-aligned.
constexpr size_t kSmallStep = 16;
constexpr size_t kSmallMax = 1024;
constexpr int kSmallClasses = static_cast<int>(kSmallMax / kSmallStep);  // 64
constexpr int kClasses = kSmallClasses + 4 * 54;  // up to 2^64

int class_of(size_t n) {
  if (n <= kSmallMax) return static_cast<int>((n + kSmallStep - 1) / kSmallStep) - (n == 0 ? 0 : 1);
  // 2^k < n <= 2^(k+1), in quarters of 2^k.
  const int k = static_cast<int>(std::bit_width(n - 1)) - 1;
  const size_t quarter = size_t{1} << (k - 2);
  const size_t j = (n - (size_t{1} << k) + quarter - 1) / quarter;  // 1..4
  return kSmallClasses + 4 * (k - 10) + static_cast<int>(j) - 1;
}

size_t class_bytes(int c) {
  if (c < kSmallClasses) return static_cast<size_t>(c + 1) * kSmallStep;
  const int k = 10 + (c - kSmallClasses) / 4;
  const size_t j = static_cast<size_t>((c - kSmallClasses) % 4) + 1;
  return (size_t{1} << k) + j * (size_t{1} << (k - 2));
}

// Freed dirty memory above this is handed back to the system on restore.
constexpr size_t kKeepDirtyBytes = 1024 * 1024;

}  // namespace

struct LuaArena::Header {
  size_t used_bytes;  // the bump offset from base_, the header included
  size_t high_water_bytes;  // the most used_bytes since the last restore
  void* free_lists[kClasses];  // a freed block's first word links the next
  alignas(16) char pinned[kPinnedBytes];
};

LuaArena::LuaArena(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {
  MODEL_CHECK(capacity_bytes_ > sizeof(Header));
  void* p = mmap(nullptr, capacity_bytes_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  MODEL_CHECK(p != MAP_FAILED);
  base_ = static_cast<char*>(p);
  reset();
}

LuaArena::~LuaArena() { munmap(base_, capacity_bytes_); }

LuaArena::Header& LuaArena::header() const { return *reinterpret_cast<Header*>(base_); }

void* LuaArena::pinned() const { return header().pinned; }

void LuaArena::reset() {
  Header& h = header();
  std::memset(&h, 0, sizeof h);
  h.used_bytes = (sizeof(Header) + kSmallStep - 1) / kSmallStep * kSmallStep;
  h.high_water_bytes = h.used_bytes;
}

void* LuaArena::realloc(void* ptr, size_t osize, size_t nsize) {
  Header& h = header();
  if (nsize == 0) {
    if (ptr != nullptr) {
      void** block = static_cast<void**>(ptr);
      void*& head = h.free_lists[class_of(osize)];
      *block = head;
      head = block;
    }
    return nullptr;
  }
  const int nclass = class_of(nsize);
  // A block is at least its class's size; one kept on a failed shrink is
  // bigger, and is filed under the smaller class when freed (safe).
  if (ptr != nullptr && nclass == class_of(osize)) return ptr;
  // The last block grows or shrinks where it is (Lua's stack and buffers
  // grow one step at a time): only the bump offset moves.
  if (ptr != nullptr && static_cast<char*>(ptr) + class_bytes(class_of(osize)) == base_ + h.used_bytes) {
    const size_t start = static_cast<size_t>(static_cast<char*>(ptr) - base_);
    const size_t bytes = class_bytes(nclass);
    if (bytes <= capacity_bytes_ - start) {
      h.used_bytes = start + bytes;
      if (h.used_bytes > h.high_water_bytes) h.high_water_bytes = h.used_bytes;
      return ptr;
    }
  }
  void* fresh = nullptr;
  if (void*& head = h.free_lists[nclass]; head != nullptr) {
    fresh = head;
    head = *static_cast<void**>(head);
  } else {
    const size_t bytes = class_bytes(nclass);
    if (bytes > capacity_bytes_ - h.used_bytes) return ptr != nullptr && nsize < osize ? ptr : nullptr;
    fresh = base_ + h.used_bytes;
    h.used_bytes += bytes;
    if (h.used_bytes > h.high_water_bytes) h.high_water_bytes = h.used_bytes;
  }
  if (ptr != nullptr) {
    std::memcpy(fresh, ptr, osize < nsize ? osize : nsize);
    realloc(ptr, osize, 0);
  }
  return fresh;
}

LuaArena::Snapshot LuaArena::save() const {
  return Snapshot{std::vector<char>(base_, base_ + header().used_bytes)};
}

void LuaArena::restore(const Snapshot& snapshot) {
  MODEL_CHECK(!snapshot.empty() && snapshot.bytes.size() <= capacity_bytes_);
  const size_t dirty = header().high_water_bytes;
  std::memcpy(base_, snapshot.bytes.data(), snapshot.bytes.size());
  if (dirty > snapshot.bytes.size() + kKeepDirtyBytes) {
    // A big script's pages: give them back rather than keep them forever.
    const size_t page = 4096;
    const size_t from = (snapshot.bytes.size() + page - 1) / page * page;
    madvise(base_ + from, dirty - from, MADV_DONTNEED);
  }
  header().high_water_bytes = header().used_bytes;
}

}  // namespace lockcheck::model
