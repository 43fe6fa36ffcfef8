// Always-on assertion for programmer errors inside model/.
//
// model/ must not depend on impl/, so it carries its own tiny macro. A failed
// check is a bug in this library, never a property of the modeled system:
// abort loudly rather than produce a wrong reply that a checker would trust.
#ifndef LOCKCHECK_MODEL_CHECK_H_
#define LOCKCHECK_MODEL_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define MODEL_CHECK(cond)                                                   \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "%s:%d: MODEL_CHECK failed: %s\n", __FILE__,     \
                   __LINE__, #cond);                                        \
      std::abort();                                                         \
    }                                                                       \
  } while (0)

#endif  // LOCKCHECK_MODEL_CHECK_H_
