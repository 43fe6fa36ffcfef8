#include "fuzz/node_input.h"

namespace lockcheck::fuzz {

std::vector<std::vector<std::string>> split_records(std::string_view input) {
  std::vector<std::vector<std::string>> records;
  while (!input.empty() && records.size() < kRecordsMax) {
    const size_t end = input.find(kRecordSeparator);
    std::string_view record = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + 1);
    std::vector<std::string> fields;
    while (fields.size() < kFieldsMax) {
      const size_t cut = record.find(kFieldSeparator);
      fields.emplace_back(record.substr(0, cut));
      if (cut == std::string_view::npos) break;
      record = record.substr(cut + 1);
    }
    records.push_back(std::move(fields));
  }
  return records;
}

std::string join_records(const std::vector<std::vector<std::string>>& records) {
  std::string out;
  for (size_t r = 0; r < records.size(); ++r) {
    if (r > 0) out += kRecordSeparator;
    for (size_t f = 0; f < records[r].size(); ++f) {
      if (f > 0) out += kFieldSeparator;
      out += records[r][f];
    }
  }
  return out;
}

}  // namespace lockcheck::fuzz
