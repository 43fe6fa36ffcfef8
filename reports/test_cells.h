// Hand-made cells for the reports tests: every catalog property judged,
// some violated with a counterexample file.
#ifndef LOCKCHECK_REPORTS_TEST_CELLS_H_
#define LOCKCHECK_REPORTS_TEST_CELLS_H_

#include <gtest/gtest.h>

#include <string>

#include "reports/report.h"

namespace lockcheck::reports::testing {

using properties::PropertyResult;

// A cell with every catalog property judged and held over `seeds` seeds.
inline CellReport cell_of(const std::string& strategy, const std::string& faults, int seeds) {
  CellReport c;
  auto& r = c.result;
  r.spec.strategy = strategy;
  r.spec.faults_label = faults;
  r.spec.seeds = seeds;
  r.seeds_run = seeds;
  for (const auto& info : properties::property_catalog()) {
    PropertyResult p;
    p.property = info.property;
    p.seeds_judged = seeds;
    r.properties.push_back(p);
  }
  c.counterexample_files.assign(r.properties.size(), "");
  return c;
}

inline size_t index_of(const CellReport& c, const std::string& property) {
  for (size_t k = 0; k < c.result.properties.size(); ++k) {
    if (properties::property_name(c.result.properties[k].property) == property) return k;
  }
  ADD_FAILURE() << property;
  return 0;
}

// Marks `property` violated on `count` seeds, the lowest `seed`, with a
// counterexample file in `dir`.
inline void violate(CellReport* c, const std::string& property, uint64_t seed, int count, const std::string& dir) {
  const size_t k = index_of(*c, property);
  auto& r = c->result;
  PropertyResult& p = r.properties[k];
  p.seeds_violated = count;
  p.seed = seed;
  p.explanation = property + " broke at seed " + chaos::format_seed(seed);
  properties::Counterexample cx;
  cx.trace = 0xabc + seed;
  cx.explanation = "shrunk: " + p.explanation;
  cx.stats = properties::ShrinkStats{17, 2, 1, 3, 2, 5, 2};
  p.counterexample = cx;
  c->counterexample_files[k] = dir + "/" + counterexample_name(r, property);
  if (!r.violated || seed < r.seed) r.seed = seed;
  r.violated = true;
}

inline CellReport violated_cell() {
  CellReport c = cell_of("del-unchecked", "pause+drop", 60);
  violate(&c, "resource", 0x2a, 3, "out");
  violate(&c, "owner", 0x2c, 1, "out");
  return c;
}

inline CellReport clean_cell() { return cell_of("single", "none", 500); }

}  // namespace lockcheck::reports::testing

#endif  // LOCKCHECK_REPORTS_TEST_CELLS_H_
