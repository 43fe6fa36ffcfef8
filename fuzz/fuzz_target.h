// The entry point every fuzz target defines (libFuzzer's), built two ways:
// with -fsanitize=fuzzer under clang (LOCKCHECK_FUZZ=ON, scripts/fuzz.sh),
// and with replay_main.cc in the normal build, where ctest feeds it the
// corpus and the regression files.
#ifndef LOCKCHECK_FUZZ_FUZZ_TARGET_H_
#define LOCKCHECK_FUZZ_FUZZ_TARGET_H_

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// A broken invariant of the code under test: abort, so that libFuzzer (or
// ctest) reports the input. Not an assertion about the input.
#define FUZZ_CHECK(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      __builtin_printf("%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_abort();                                                          \
    }                                                                             \
  } while (0)

#endif  // LOCKCHECK_FUZZ_FUZZ_TARGET_H_
