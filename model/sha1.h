// SHA-1, used only to name scripts the way Redis does (EVALSHA, SCRIPT LOAD).
// Not for security: it must simply agree with redis-server's digests.
#ifndef LOCKCHECK_MODEL_SHA1_H_
#define LOCKCHECK_MODEL_SHA1_H_

#include <string>
#include <string_view>

namespace lockcheck::model {

// 40 lowercase hex characters.
std::string sha1_hex(std::string_view data);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_SHA1_H_
