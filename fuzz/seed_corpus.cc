// Writes seed corpora for the node_execute and resp_command fuzz targets
// from the conformance generator (tests/conformance_gen.h): command
// sequences the differential test knows to be meaningful, so that the
// fuzzer starts from real commands, options, scripts and transactions.
//
//   fuzz_seed_corpus NODE_DIR RESP_DIR COUNT
//
// Deterministic: sequence i comes from seed i.
#include <rapidcheck.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/node_input.h"
#include "impl/reply.h"
#include "model/text.h"
#include "tests/conformance_gen.h"

namespace {

constexpr int kSequenceSize = 40;  // as the conformance test's maxSize
constexpr int64_t kBaseMs = 1'700'000'000'000;  // the fuzz target's clock at start

bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<int64_t> count = argc == 4 ? lockcheck::model::parse_int64(argv[3]) : std::nullopt;
  if (!count || *count <= 0 || *count > 100'000) {
    std::fprintf(stderr, "usage: fuzz_seed_corpus NODE_DIR RESP_DIR COUNT (1..100000)\n");
    return 2;
  }
  for (int64_t i = 0; i < *count; ++i) {
    const lockcheck::conformance::Sequence seq =
        lockcheck::conformance::sequences()(rc::Random(static_cast<uint64_t>(i) + 1), kSequenceSize).value();
    std::vector<std::vector<std::string>> records;
    int conn = 0;
    std::string first_command;
    for (size_t j = 0; j < seq.size(); ++j) {
      if (seq[j].conn != conn) {
        conn = seq[j].conn;
        records.push_back({std::string(1, lockcheck::fuzz::kControl) + "c" + std::to_string(conn)});
      }
      records.push_back(lockcheck::conformance::materialize(seq[j], j, kBaseMs));
      if (first_command.empty()) first_command = lockcheck::encode_command(records.back());
    }
    const std::string name = "/seed-" + std::to_string(i);
    if (!write_file(argv[1] + name, lockcheck::fuzz::join_records(records)) ||
        (!first_command.empty() && !write_file(argv[2] + name, first_command))) {
      std::fprintf(stderr, "fuzz_seed_corpus: cannot write %s\n", name.c_str());
      return 2;
    }
  }
  return 0;
}
