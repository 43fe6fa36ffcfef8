#include "reports/real_time.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/html.h"
#include "reports/junit.h"
#include "reports/markdown.h"
#include "reports/matrix_html.h"
#include "reports/baseline.h"
#include "reports/results_json.h"
#include "reports/test_cells.h"

namespace lockcheck::reports {
namespace {

using sim::Event;
using sim::EventKind;

Event ev(int64_t at_ms, EventKind kind, int client, uint64_t session) {
  Event e;
  e.at = sim::at_ms(at_ms);
  e.kind = kind;
  e.client = client;
  e.session = session;
  return e;
}

// Two clients granted the lock at once (mutex breaks), with one event of
// every shape the file keeps: a fault, a mutation with before/after and an
// expiry, a write with a fence.
RealTimeCounterexample overlapping_grants() {
  RealTimeCounterexample cx;
  cx.driver = "lockcheck-driver";
  cx.command = "build/drivers/lockcheck-driver --verbose";
  cx.strategy = "single";
  cx.faults = "pause";
  cx.run = 1;
  cx.target = 0;
  cx.reproduce = "lockcheck clients --driver build/drivers/lockcheck-driver --faults pause";
  sim::History& h = cx.history;
  h.clients = 2;
  h.nodes = 1;
  h.ttl_ms = 1000;
  h.lock_key = "lockcheck:lock";
  h.end = sim::at_ms(3000);
  h.events.push_back(ev(0, EventKind::kAcquireInvoke, 0, 1));
  Event m = ev(1, EventKind::kMutation, 0, 1);
  m.node = 0;
  m.op = sim::Op::kAcquire;
  m.key = "lockcheck:lock";
  m.after = "tok-1";
  m.after_expire_unix_ms = 1'700'000'001'000;
  m.node_wall_unix_ms = 1'700'000'000'000;
  h.events.push_back(m);
  Event g = ev(2, EventKind::kAcquireOk, 0, 1);
  g.token = "tok-1";
  g.believed_until = sim::at_ms(1000);
  g.granted_until = sim::at_ms(1000);
  g.fence = 7;
  h.events.push_back(g);
  Event f = ev(10, EventKind::kFault, -1, 0);
  f.detail = "client-0 paused (SIGSTOP) for 2000 ms";
  h.events.push_back(f);
  h.events.push_back(ev(100, EventKind::kAcquireInvoke, 1, 2));
  Event g2 = ev(200, EventKind::kAcquireOk, 1, 2);
  g2.token = "tok-2";
  g2.believed_until = sim::at_ms(1200);
  g2.granted_until = sim::at_ms(1200);
  g2.paused = Millis(3);
  h.events.push_back(g2);
  Event w = ev(300, EventKind::kWrite, 1, 2);
  w.token = "tok-2";
  w.fence = 8;
  w.token_nodes = 1;
  h.events.push_back(w);
  cx.schedule.push_back({sim::at_ms(10), "client-0 paused (SIGSTOP) for 2000 ms"});
  cx.violations = properties::check_all(h);
  cx.property = "mutex";
  return cx;
}

TEST(RealTime, TheTestHistoryViolatesMutex) {
  const auto cx = overlapping_grants();
  ASSERT_FALSE(cx.violations.empty());
  EXPECT_EQ(properties::property_name(cx.violations.front().property), "mutex");
}

TEST(RealTime, CounterexampleRoundTrips) {
  const auto cx = overlapping_grants();
  const std::string text = format_real_time_counterexample(cx);
  EXPECT_TRUE(is_real_time_counterexample(text));
  auto back = parse_real_time_counterexample(text, "cx.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  const auto& b = back.value();
  EXPECT_EQ(b.driver, cx.driver);
  EXPECT_EQ(b.command, cx.command);
  EXPECT_EQ(b.strategy, cx.strategy);
  EXPECT_EQ(b.faults, cx.faults);
  EXPECT_EQ(b.run, 1);
  EXPECT_EQ(b.reproduce, cx.reproduce);
  EXPECT_EQ(b.property, "mutex");
  ASSERT_EQ(b.schedule.size(), 1u);
  EXPECT_EQ(b.schedule[0].at, sim::at_ms(10));
  EXPECT_EQ(b.history.lock_key, cx.history.lock_key);
  EXPECT_EQ(b.history.end, cx.history.end);
  ASSERT_EQ(b.history.events.size(), cx.history.events.size());
  for (size_t i = 0; i < cx.history.events.size(); ++i) {
    // describe() prints every field a checker reads.
    EXPECT_EQ(sim::describe(b.history.events[i]), sim::describe(cx.history.events[i])) << i;
  }
  const Event& m = b.history.events[1];
  EXPECT_EQ(m.after, std::optional<std::string>("tok-1"));
  EXPECT_FALSE(m.before.has_value());
  EXPECT_EQ(m.after_expire_unix_ms, std::optional<int64_t>(1'700'000'001'000));
  EXPECT_EQ(b.history.events[2].granted_until, sim::at_ms(1000));
  EXPECT_EQ(b.history.events[5].paused, Millis(3));
  EXPECT_EQ(b.history.events[6].token_nodes, 1);
  // The same text again, and the same verdicts from the checkers.
  EXPECT_EQ(format_real_time_counterexample(b), text);
  ASSERT_EQ(properties::check_all(b.history).size(), cx.violations.size());
  EXPECT_EQ(properties::check_all(b.history)[0].explanation, cx.violations[0].explanation);
}

TEST(RealTime, AScenarioIsNotARealTimeFile) {
  EXPECT_FALSE(is_real_time_counterexample(R"({"world": {"strategy": "single"}})"));
  EXPECT_FALSE(is_real_time_counterexample(""));
  EXPECT_TRUE(is_real_time_counterexample(" {\n  \"lockcheck_real_time_counterexample\": 9}"));
}

// Each malformed file is refused with one line naming the file and what.
TEST(RealTime, MalformedFilesAreOneLineErrors) {
  const std::string good = format_real_time_counterexample(overlapping_grants());
  auto edited = [&](const std::function<void(nlohmann::json&)>& f) {
    nlohmann::json j = nlohmann::json::parse(good);
    f(j);
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "not valid JSON"},
      {edited([](auto& j) { j["lockcheck_real_time_counterexample"] = 1; }), "reads version 2"},
      {edited([](auto& j) { j["extra"] = 1; }), "unknown key \"extra\""},
      {edited([](auto& j) { j["history"]["events"][0]["kind"] = "teleport"; }), "unknown event kind \"teleport\""},
      {edited([](auto& j) { j["history"]["events"][0]["client"] = 5; }), "history.events[0].client"},
      {edited([](auto& j) { j["history"]["events"][1]["node"] = 3; }), "history.events[1].node"},
      {edited([](auto& j) { j["history"]["events"][2]["at_ns"] = 0; }), "before the event above it"},
      {edited([](auto& j) { j["history"]["clients"] = 0; }), "history.clients"},
      {edited([](auto& j) { j["property"] = "reentry"; }), "reentry is not among the file's violations"},
      {edited([](auto& j) { j["property"] = "bogus"; }), "unknown property"},
      {edited([](auto& j) { j["violations"][0]["at_ns"] = -1; }), "violations[0].at_ns"},
      {edited([](auto& j) { j["schedule"] = "soon"; }), "schedule: must be an array"},
      {edited([](auto& j) { j["target"] = 2; }), "counterexample.target"},
  };
  for (const auto& [text, want] : cases) {
    auto r = parse_real_time_counterexample(text, "dir/cx.json");
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_NE(r.error().message.find("dir/cx.json: "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  }
}

TEST(RealTime, RejudgeSaysItIsNotAReplayAndReproducesTheVerdict) {
  const auto cx = overlapping_grants();
  std::string out;
  EXPECT_EQ(rejudge_real_time(cx, "cx.json", &out), 1);
  EXPECT_NE(out.find("a real-time counterexample: its schedule can be re-run with: " + cx.reproduce +
                     "; the interleaving is not reproduced\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("VIOLATED mutex: "), std::string::npos) << out;
  EXPECT_NE(out.find("reproduced from the record: violated mutex"), std::string::npos) << out;
}

TEST(RealTime, RejudgeReportsARecordTheCheckersNoLongerAgreeWith) {
  auto cx = overlapping_grants();
  cx.violations.push_back({properties::Property::kReentry, sim::at_ms(5), "made up"});
  std::string out;
  EXPECT_EQ(rejudge_real_time(cx, "cx.json", &out), 3);
  EXPECT_NE(out.find("MISMATCH: cx.json records violations "), std::string::npos) << out;
  EXPECT_NE(out.find("reentry"), std::string::npos) << out;
  EXPECT_NE(out.find("not reproduced: "), std::string::npos) << out;
  EXPECT_EQ(out.find("reproduced from the record"), std::string::npos) << out;
}

TEST(RealTime, PageShowsScheduleHistoryTimelineAndTheNote) {
  auto cx = overlapping_grants();
  // The schedule in serve/check.cc's words: drawn as a simulated run's.
  cx.schedule.push_back({sim::at_ms(20), "node-0's clock jumps 2000 ms forward"});
  cx.schedule.push_back({sim::at_ms(400), "resume cpp client-0 (SIGCONT)"});
  const std::string page = render_real_time_page("out/cx.json", cx);
  EXPECT_NE(page.find("class=\"ev pause pause-pause\" data-kind=\"pause\""), std::string::npos);
  EXPECT_NE(page.find("pause client-0 for 390 ms"), std::string::npos);
  EXPECT_NE(page.find("data-kind=\"clock_jump\""), std::string::npos);
  EXPECT_NE(page.find(">+2000 ms</text>"), std::string::npos);
  EXPECT_NE(page.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""), std::string::npos);
  EXPECT_NE(page.find("data-lane=\"client-1\""), std::string::npos);
  EXPECT_NE(page.find("class=\"violation\" data-property=\"mutex\""), std::string::npos);
  EXPECT_NE(page.find("not the exact interleaving"), std::string::npos);
  EXPECT_NE(page.find("at 10 ms: client-0 paused (SIGSTOP) for 2000 ms"), std::string::npos);
  EXPECT_NE(page.find("lockcheck clients --driver build/drivers/lockcheck-driver --faults pause"), std::string::npos);
  EXPECT_NE(page.find("<ol class=\"history\""), std::string::npos);
  EXPECT_NE(page.find("lockcheck replay out/cx.json"), std::string::npos);
  // render_counterexample_file_page tells the formats apart.
  auto via_text = render_counterexample_file_page("out/cx.json", format_real_time_counterexample(cx));
  ASSERT_TRUE(via_text.ok()) << via_text.error().message;
  EXPECT_EQ(via_text.value(), page);
}

// A real-time cell as `lockcheck clients` builds it: 3 runs, mutex broken
// in runs 1 and 2 (0-based), the first of them with a counterexample.
CellReport real_time_cell_of(const std::string& driver, int runs) {
  CellReport c = testing::cell_of(driver + "/single", "pause", runs);
  c.real_time = RealTimeCell{driver, "/bin/" + driver, 1, {}};
  for (int r = 0; r < runs; ++r) c.real_time->run_wall_ms.push_back(1000 + r);
  c.wall_ms = 3003;
  c.result.lock_cycles = 12;
  const size_t k = testing::index_of(c, "mutex");
  auto& p = c.result.properties[k];
  p.seeds_violated = runs - 1;
  p.seed = 1;
  p.explanation = "two holders";
  p.counterexample = properties::Counterexample{};
  p.counterexample->explanation = "two holders";
  c.counterexample_files[k] = "dir/" + driver + "_single-pause-mutex.json";
  c.result.violated = true;
  c.result.seed = 1;
  return c;
}

TEST(RealTimeResults, RoundTripAsVersion3) {
  const CellReport c = real_time_cell_of("lockcheck-driver", 3);
  const std::string text = results_json({c});
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["lockcheck_results"], 3);
  const auto& cell = j["cells"][0];
  EXPECT_EQ(cell["mode"], "real-time");
  EXPECT_EQ(cell["driver"], "lockcheck-driver");
  EXPECT_EQ(cell["command"], "/bin/lockcheck-driver");
  EXPECT_EQ(cell["runs_wall_ms"], nlohmann::json::array({1000, 1001, 1002}));
  // What serve/clients_test.sh reads.
  EXPECT_EQ(cell["faults"], "pause");
  EXPECT_EQ(cell["properties"]["mutex"]["runs_violated"], 2);
  EXPECT_EQ(cell["properties"]["resource"]["runs_violated"], 0);
  EXPECT_EQ(cell["properties"]["mutex"]["run"], 1);
  EXPECT_EQ(cell["properties"]["mutex"]["counterexample"]["file"], "lockcheck-driver_single-pause-mutex.json");

  auto back = parse_results(text, "dir/results.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_EQ(back.value().size(), 1u);
  const CellReport& b = back.value()[0];
  ASSERT_TRUE(b.real_time.has_value());
  EXPECT_EQ(b.real_time->driver, "lockcheck-driver");
  EXPECT_EQ(b.real_time->run_wall_ms, (std::vector<int64_t>{1000, 1001, 1002}));
  EXPECT_EQ(b.result.seeds_run, 3);
  EXPECT_EQ(b.wall_ms, 3003);
  EXPECT_EQ(b.counterexample_files[testing::index_of(b, "mutex")], "dir/lockcheck-driver_single-pause-mutex.json");
  EXPECT_EQ(results_json(back.value()), text);
  EXPECT_NE(matrix_text(back.value()).find("lockcheck-driver/single (real time)"), std::string::npos);
  EXPECT_NE(matrix_text(back.value()).find("VIOLATED mutex run 2"), std::string::npos) << matrix_text(back.value());
}

TEST(RealTimeResults, SimulatedOnlyStaysVersion2) {
  const auto text = results_json({testing::cell_of("single", "none", 5)});
  EXPECT_EQ(nlohmann::json::parse(text)["lockcheck_results"], 2);
}

TEST(RealTimeResults, MalformedRealTimeCellsAreOneLineErrors) {
  const std::string good = results_json({real_time_cell_of("d", 3)});
  auto edited = [&](const std::function<void(nlohmann::json&)>& f) {
    nlohmann::json j = nlohmann::json::parse(good);
    f(j);
    return j.dump();
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {edited([](auto& j) { j["lockcheck_results"] = 2; }), "cells[0].mode: needs lockcheck_results 3"},
      {edited([](auto& j) { j["lockcheck_results"] = 4; }), "reads versions 2 and 3"},
      {edited([](auto& j) { j["cells"][0]["mode"] = "wall"; }), "must be real-time"},
      {edited([](auto& j) { j["cells"][0]["runs_wall_ms"] = {1}; }), "one wall time per run"},
      {edited([](auto& j) { j["cells"][0]["properties"]["mutex"]["runs_violated"] = 4; }), "more than the runs judged"},
      {edited([](auto& j) { j["cells"][0]["properties"]["mutex"]["run"] = 3; }), "properties.mutex.run"},
      {edited([](auto& j) { j["cells"][0]["properties"]["mutex"]["counterexample"]["file"] = "../x.json"; }),
       "beside results.json"},
      {edited([](auto& j) { j["cells"][0]["properties"]["owner"]["run"] = 0; }), "a held property has none"},
      {edited([](auto& j) { j["cells"][0]["verdict"] = "holds"; }), "holds, yet a property is violated"},
      {edited([](auto& j) { j["cells"][0]["seeds"] = 3; }), "unknown key \"seeds\""},
  };
  for (const auto& [text, want] : cases) {
    auto r = parse_results(text, "dir/results.json");
    ASSERT_FALSE(r.ok()) << want;
    EXPECT_NE(r.error().message.find("dir/results.json: "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(want), std::string::npos) << r.error().message;
  }
}

TEST(RealTimeResults, MergingAddsRunsInInputOrder) {
  CellReport a = real_time_cell_of("d", 3);
  CellReport b = real_time_cell_of("d", 2);
  b.counterexample_files[testing::index_of(b, "mutex")] = "other/d_single-pause-mutex.json";
  // a without violations: the merged first violating run is b's, renumbered.
  const size_t k = testing::index_of(a, "mutex");
  a.result.properties[k] = testing::cell_of("x", "y", 3).result.properties[k];
  a.counterexample_files[k] = "";
  a.result.violated = false;
  auto merged = merge_cells({a, b});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  ASSERT_EQ(merged.value().size(), 1u);
  const CellReport& m = merged.value()[0];
  EXPECT_EQ(m.result.seeds_run, 5);
  EXPECT_EQ(m.result.spec.seeds, 5);
  EXPECT_EQ(m.result.properties[k].seeds_judged, 5);
  EXPECT_EQ(m.result.properties[k].seeds_violated, 1);
  EXPECT_EQ(m.result.properties[k].seed, 4u);  // b's run 1
  EXPECT_EQ(m.counterexample_files[k], "other/d_single-pause-mutex.json");
  EXPECT_EQ(m.real_time->run_wall_ms.size(), 5u);
  EXPECT_TRUE(m.result.violated);
  // It reads back as what it is.
  auto again = parse_results(results_json(merged.value()), "m/results.json");
  ASSERT_TRUE(again.ok()) << again.error().message;
}

TEST(RealTimeResults, ASimulatedAndARealTimeCellOfOneNameDoNotMerge) {
  CellReport sim = testing::cell_of("d/single", "pause", 3);
  auto merged = merge_cells({sim, real_time_cell_of("d", 3)});
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().message, "cannot merge d/single / pause: a simulated and a real-time cell of one name");
}

TEST(RealTimeResults, MixedReportsLabelRealTimeCells) {
  const std::vector<CellReport> cells = {testing::cell_of("single", "pause", 10), real_time_cell_of("d", 3)};
  const auto cmp = without_baseline(cells);
  const std::string md = summary_markdown(cells, cmp);
  EXPECT_NE(md.find("| d/single (real time) | pause | 3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("d/single (real time) / pause **mutex**: run 2, two holders"), std::string::npos) << md;
  EXPECT_EQ(md.find("TRACE="), std::string::npos) << md;
  const std::string xml = junit_xml(cells, cmp);
  EXPECT_NE(xml.find("REAL TIME: d (/bin/d)"), std::string::npos) << xml;
  EXPECT_NE(xml.find("violated on 2 of 3 runs, first run 2"), std::string::npos) << xml;
  const std::string html = matrix_html(cells, cmp, "out/report.html");
  EXPECT_NE(html.find("<td class=\"strategy real-time\" rowspan=\"1\">d/single (real time)</td>"), std::string::npos);
  EXPECT_NE(html.find("<dt>first run</dt><dd>run 2, violated on 2 of 3 runs</dd>"), std::string::npos);
  EXPECT_EQ(html.find("TRACE="), std::string::npos);
  // Seeds are the simulated cells', runs the real-time ones'.
  EXPECT_NE(html.find("seeds per cell</td><td>10 from 0x1</td>"), std::string::npos);
  EXPECT_NE(html.find("runs per real-time cell</td><td>3; such cells are marked"), std::string::npos);
  // No single `lockcheck run` re-runs a report with real-time cells.
  EXPECT_EQ(html.find("run it again"), std::string::npos);
}

}  // namespace
}  // namespace lockcheck::reports
