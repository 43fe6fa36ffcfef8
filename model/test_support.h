// Test-only helpers: readable gtest output for model types.
#ifndef LOCKCHECK_MODEL_TEST_SUPPORT_H_
#define LOCKCHECK_MODEL_TEST_SUPPORT_H_

#include <ostream>

#include "model/node.h"

namespace lockcheck::model {

// gtest finds PrintTo by ADL; prints the RESP bytes with CR/LF escaped.
inline void PrintTo(const Reply& reply, std::ostream* os) {
  for (char c : encode_reply(reply)) {
    if (c == '\r') {
      *os << "\\r";
    } else if (c == '\n') {
      *os << "\\n";
    } else {
      *os << c;
    }
  }
}

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_TEST_SUPPORT_H_
