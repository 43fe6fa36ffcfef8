// Always-on assertions for programmer errors (TIGER_STYLE): they stay in
// release builds, because a broken invariant in the harness must never turn
// into a silently wrong verdict. Errors the world causes are Result values.
#ifndef LOCKCHECK_IMPL_CHECK_H_
#define LOCKCHECK_IMPL_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define LC_CHECK(cond)                                                              \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "lockcheck: internal error: %s:%d: check failed: %s\n", \
                   __FILE__, __LINE__, #cond);                                      \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#endif  // LOCKCHECK_IMPL_CHECK_H_
