// LuaArena: the heap of one Lua interpreter, in one address range of its
// own, so that the interpreter can be saved and restored as plain bytes.
//
// Why: every scenario needs a fresh interpreter on every node, and building
// one (lua_newstate, the libraries, the sandbox) costs more than the
// scenario's own scripts. An interpreter lives entirely in the memory its
// allocator gave it, apart from pointers to code and static data of this
// process (C functions, Lua's static nil object): so the bytes of a freshly
// built one, put back at the same address, ARE a freshly built one. Nothing
// a script can observe differs (not even collectgarbage('count')), which a
// reset interpreter cannot promise.
//
// The allocator keeps all its own state (size-class free lists, the bump
// offset) inside the range, so a snapshot covers it too. It needs no block
// headers: Lua passes every block's size back on realloc and free.
#ifndef LOCKCHECK_MODEL_LUA_ARENA_H_
#define LOCKCHECK_MODEL_LUA_ARENA_H_

#include <cstddef>
#include <vector>

namespace lockcheck::model {

class LuaArena {
 public:
  // Bytes at a fixed place inside the range, for what the interpreter
  // points at by light userdata (they are saved and restored with it).
  static constexpr size_t kPinnedBytes = 64;

  // Reserves `capacity_bytes` of address space (committed page by page as
  // used; the range never moves). Aborts if the reservation fails.
  explicit LuaArena(size_t capacity_bytes);
  ~LuaArena();
  LuaArena(const LuaArena&) = delete;
  LuaArena& operator=(const LuaArena&) = delete;

  size_t capacity_bytes() const { return capacity_bytes_; }

  // lua_Alloc's contract on this range: nsize 0 frees, a null ptr
  // allocates, else resizes. Null when the range cannot hold the block
  // (Lua raises "not enough memory"); a shrink never fails.
  void* realloc(void* ptr, size_t osize, size_t nsize);

  // kPinnedBytes, 16-byte aligned, at the same address for the arena's life.
  void* pinned() const;

  // Forgets every block (the pinned bytes are zeroed).
  void reset();

  // The bytes in use, the allocator's state included.
  struct Snapshot {
    std::vector<char> bytes;
    bool empty() const { return bytes.empty(); }
  };
  Snapshot save() const;
  // Puts back a snapshot of this arena: every block is as it was at save().
  void restore(const Snapshot& snapshot);

 private:
  struct Header;
  Header& header() const;

  char* base_ = nullptr;
  size_t capacity_bytes_ = 0;
};

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_LUA_ARENA_H_
