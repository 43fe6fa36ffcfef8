// The replay page and its timeline on hand-made and simulated histories:
// the lanes, the violation marker's place, escaping, every event kind drawn,
// the window around a violation, the limit on marks.
#include "reports/html.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <set>
#include <string>

#include "properties/shrink.h"
#include "reports/timeline.h"
#include "reports/timeline_model.h"
#include "sim/history.h"

namespace lockcheck::reports {
namespace {

using sim::at_ms;
using sim::Event;
using sim::EventKind;
using sim::History;

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

std::string px(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

Event event(int64_t t_ms, EventKind kind, int client, uint64_t session) {
  Event e;
  e.at = at_ms(t_ms);
  e.kind = kind;
  e.client = client;
  e.session = session;
  return e;
}

Event mutation(int64_t t_ms, int node, int client, sim::Op op, std::optional<std::string> after,
               std::optional<int64_t> ttl_ms = 1000) {
  Event e = event(t_ms, EventKind::kMutation, client, 0);
  e.node = node;
  e.op = op;
  e.key = "lock";
  e.after = std::move(after);
  e.node_wall_unix_ms = 1'000'000 + t_ms;
  if (e.after && ttl_ms) e.after_expire_unix_ms = e.node_wall_unix_ms + *ttl_ms;
  return e;
}

chaos::Scenario scenario(int clients, int nodes) {
  chaos::Scenario sc;
  sc.world.strategy = "single";
  sc.world.clients = clients;
  sc.world.nodes = nodes;
  return sc;
}

History history(int clients, int nodes, int64_t end_ms) {
  History h;
  h.clients = clients;
  h.nodes = nodes;
  h.ttl_ms = 1000;
  h.lock_key = "lock";
  h.end = at_ms(end_ms);
  return h;
}

// Two clients; client-0 holds 100..900 ms, client-1 is granted at 500 ms.
History two_holders() {
  History h = history(2, 1, 1000);
  auto grant = [](int64_t t, int c, uint64_t s, int64_t until) {
    Event e = event(t, EventKind::kAcquireOk, c, s);
    e.token = "token-" + std::to_string(c);
    e.believed_until = e.granted_until = at_ms(until);
    return e;
  };
  h.events = {event(90, EventKind::kAcquireInvoke, 0, 1),
              mutation(95, 0, 0, sim::Op::kAcquire, "token-0"),
              grant(100, 0, 1, 900),
              event(400, EventKind::kAcquireInvoke, 1, 2),
              grant(500, 1, 2, 1000),
              event(600, EventKind::kWrite, 0, 1),
              event(900, EventKind::kReleaseInvoke, 0, 1),
              event(900, EventKind::kAcquireInvoke, 0, 3)};
  return h;
}

properties::Violation mutex_at_500() {
  return {properties::Property::kMutex, at_ms(500),
          "client-1 (session 2) was granted the lock at 500.000 ms while client-0 (session 1) believed it held it "
          "until 900.000 ms"};
}

// The Kleppmann case of tests/scenarios/redlock-node-clock-jump-partition.json.
chaos::Scenario kleppmann() {
  auto sc = chaos::parse_scenario(R"({
    "lockcheck_scenario": 1, "strategy": "redlock", "seed": "0x5eed", "nodes": 5, "clients": 2,
    "ttl_ms": 1000, "duration_ms": 20000,
    "workload": {"acquires_per_client": 1, "hold_ms": 900, "think_ms": 50, "writes_per_hold": 3, "acquire_timeout_ms": 0},
    "network": {"latency_ms": [1, 5], "drop": 0.0, "request_timeout_ms": 50},
    "persistence": "none",
    "faults": [
      {"at_ms": 0, "kind": "partition", "groups": [["client-1"], ["node-0", "node-1", "node-2", "node-3", "node-4"]],
       "one_way": true, "duration_ms": 150},
      {"at_ms": 0, "kind": "partition", "groups": [["client-0"], ["node-3", "node-4"]], "one_way": true, "duration_ms": 5000},
      {"at_ms": 300, "kind": "clock_jump", "target": "node-2", "delta_ms": 1100}
    ]})",
                                  "kleppmann");
  EXPECT_TRUE(sc.ok()) << sc.error().message;
  return sc.value();
}

TEST(HtmlEscape, EscapesMarkupQuotesAndControlBytes) {
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape(std::string("a\0b\x1b", 4)), "a&#xFFFD;b&#xFFFD;");
  EXPECT_EQ(html_escape("tab\tnewline\n"), "tab\tnewline\n");
}

TEST(ShellQuote, PlainWordsStayAndTheRestIsSingleQuoted) {
  EXPECT_EQ(shell_quote("lockcheck-out/del-unchecked-pause-owner.json"), "lockcheck-out/del-unchecked-pause-owner.json");
  EXPECT_EQ(shell_quote("my file.json"), "'my file.json'");
  EXPECT_EQ(shell_quote("it's.json"), "'it'\\''s.json'");
  EXPECT_EQ(shell_quote(""), "''");
}

TEST(Timeline, HasALanePerClientAndPerNodeAndReplica) {
  chaos::Scenario sc = scenario(3, 2);
  sc.world.replicas = 1;
  const std::string svg = render_timeline_svg(sc, history(3, 2, 1000), {});
  EXPECT_EQ(count(svg, "class=\"lane client-lane\""), 3u);
  EXPECT_EQ(count(svg, "class=\"lane node-lane\""), 4u);
  for (const char* lane : {"client-0", "client-1", "client-2", "node-0", "node-0-replica-1", "node-1", "node-1-replica-1"}) {
    EXPECT_NE(svg.find("data-lane=\"" + std::string(lane) + "\""), std::string::npos) << lane;
  }
}

TEST(Timeline, ViolationMarkerSitsAtTheViolatingInstant) {
  const History h = two_holders();
  TimelineOptions o;
  o.window = {at_ms(0), at_ms(1000)};
  const std::string svg = render_timeline_svg(scenario(2, 1), h, {mutex_at_500()}, o);
  // Labels take 150 px of the 1200, 18 px stay free on the right: 500 of
  // 1000 ms is half of 1032 px past 150.
  EXPECT_EQ(timeline_x(o, o.window, at_ms(500)), 666.0);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("<g class=\"violation\" data-property=\"mutex\" "
                                                   "data-at-ms=\"500.000\"><title>[^<]*</title><line x1=\"([0-9.]+)\"")))
      << svg;
  EXPECT_EQ(m[1].str(), "666.0");
  // Over another window, the same instant moves.
  o.window = {at_ms(250), at_ms(750)};
  const std::string zoomed = render_timeline_svg(scenario(2, 1), h, {mutex_at_500()}, o);
  EXPECT_NE(zoomed.find("data-at-ms=\"500.000\"><title>"), std::string::npos);
  EXPECT_NE(zoomed.find("<line x1=\"666.0\""), std::string::npos);
  o.window = {at_ms(0), at_ms(2000)};
  EXPECT_NE(render_timeline_svg(scenario(2, 1), h, {mutex_at_500()}, o).find("<line x1=\"" + px(150 + 1032 / 4.0) + "\""),
            std::string::npos);
}

TEST(Timeline, TheEventsAViolationNamesAreHighlighted) {
  const std::string svg = render_timeline_svg(scenario(2, 1), two_holders(), {mutex_at_500()});
  // Both grants (sessions 1 and 2) are named; the write of session 1 at
  // 600 ms is not (the explanation names no such instant).
  EXPECT_NE(svg.find("class=\"ev grant named\" data-kind=\"granted\" data-session=\"1\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"ev grant named\" data-kind=\"granted\" data-session=\"2\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"ev write\" data-kind=\"write\""), std::string::npos);
  EXPECT_EQ(svg.find("class=\"ev write named\""), std::string::npos);
  // The release at 900 ms, the end the explanation names, is; client-0's
  // next attempt (session 3) at the same instant is not.
  EXPECT_NE(svg.find("class=\"ev release named\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"ev attempt\" data-kind=\"acquire\""), std::string::npos);
  EXPECT_EQ(svg.find("class=\"ev attempt named\""), std::string::npos);
  // Without the violation nothing is.
  EXPECT_EQ(render_timeline_svg(scenario(2, 1), two_holders(), {}).find("named"), std::string::npos);
}

TEST(Timeline, EveryEventKindIsDrawn) {
  History h = history(1, 1, 2000);
  const EventKind kinds[] = {
      EventKind::kAcquireInvoke, EventKind::kAcquireOk,   EventKind::kAcquireFail,    EventKind::kLeaseLost,
      EventKind::kReleaseInvoke, EventKind::kReleaseOk,   EventKind::kReleaseFail,    EventKind::kWrite,
      EventKind::kMutation,      EventKind::kFault,       EventKind::kCrash,          EventKind::kRestart,
      EventKind::kReenter,       EventKind::kReenterOk,   EventKind::kReenterFail,    EventKind::kLeave,
      EventKind::kLeaveOk,       EventKind::kLeaveFail,   EventKind::kWriteRejected,  EventKind::kWriteLost,
  };
  int64_t t = 10;
  for (EventKind k : kinds) {
    Event e = k == EventKind::kMutation ? mutation(t, 0, 0, sim::Op::kAcquire, "v") : event(t, k, 0, 1);
    if (k == EventKind::kAcquireOk) e.believed_until = e.granted_until = at_ms(t + 50);
    if (k == EventKind::kFault) e.client = -1;
    h.events.push_back(e);
    t += 60;
  }
  const std::string svg = render_timeline_svg(scenario(1, 1), h, {});
  for (EventKind k : kinds) {
    EXPECT_NE(svg.find("data-kind=\"" + std::string(sim::event_kind_name(k)) + "\""), std::string::npos)
        << sim::event_kind_name(k);
  }
  // The key's value as a bar, and its expiry (set at 490 ms with a TTL of
  // 1000 ms by the node's clock, so it expires at 1490 ms).
  EXPECT_NE(svg.find("data-kind=\"key\""), std::string::npos);
  EXPECT_NE(svg.find("data-kind=\"expiry\""), std::string::npos);
}

TEST(Timeline, ScheduleFaultsAreDrawnOnTheirLanes) {
  chaos::Scenario sc = scenario(2, 2);
  sc.world.replicas = 1;
  auto fault = [](int64_t at, chaos::FaultKind kind, std::optional<sim::ProcessId> target) {
    chaos::Fault f;
    f.at_ms = at;
    f.kind = kind;
    f.target = target;
    return f;
  };
  chaos::Fault pause = fault(100, chaos::FaultKind::kPause, sim::ProcessId::client(0));
  pause.duration_ms = 300;
  chaos::Fault jump = fault(200, chaos::FaultKind::kClockJump, sim::ProcessId::node(1));
  jump.delta_ms = -500;
  chaos::Fault crash = fault(300, chaos::FaultKind::kNodeCrash, sim::ProcessId::node(1, 1));
  crash.restart_after_ms = 200;
  chaos::Fault cut = fault(50, chaos::FaultKind::kPartition, std::nullopt);
  cut.groups = {{sim::ProcessId::client(1)}, {sim::ProcessId::node(0)}};
  cut.duration_ms = 400;
  chaos::Fault slow = fault(60, chaos::FaultKind::kDelay, std::nullopt);
  slow.extra_latency_ms = 30;
  slow.duration_ms = 100;
  sc.faults = {cut, slow, pause, jump, crash};
  History h = history(2, 2, 1000);
  Event failover = event(700, EventKind::kFault, -1, 0);
  failover.detail = "failover of node-0: node-0-replica-1 promoted at offset 3 of 4 (1 writes lost); node-0 is dead";
  h.events.push_back(failover);
  const std::string svg = render_timeline_svg(sc, h, {});
  for (const char* kind : {"pause", "clock_jump", "node_crash", "restart", "partition", "delay", "failover", "fault"}) {
    EXPECT_NE(svg.find("data-kind=\"" + std::string(kind) + "\""), std::string::npos) << kind;
  }
  // Network faults are labelled bands.
  EXPECT_NE(svg.find("class=\"ev band band-partition\""), std::string::npos);
  EXPECT_NE(svg.find("partition [client-1] | [node-0] for 400 ms"), std::string::npos);
}

TEST(Timeline, KeyExpiryFollowsTheNodeClock) {
  // node-0 sets the key at 100 ms with a 1000 ms TTL; its clock steps back
  // 500 ms at 300 ms, so the key lives until 1600 ms of true time.
  History h = history(1, 1, 3000);
  h.events = {mutation(100, 0, 0, sim::Op::kAcquire, "t")};
  chaos::Scenario sc = scenario(1, 1);
  chaos::Fault jump;
  jump.at_ms = 300;
  jump.kind = chaos::FaultKind::kClockJump;
  jump.target = sim::ProcessId::node(0);
  jump.delta_ms = -500;
  sc.faults = {jump};
  TimelineOptions o;
  o.window = {at_ms(0), at_ms(3000)};
  const std::string expiry = "class=\"ev expiry\" data-kind=\"expiry\"";
  const std::string stepped = render_timeline_svg(sc, h, {}, o);
  EXPECT_NE(stepped.find("translate(" + px(timeline_x(o, o.window, at_ms(1600))) + " "), std::string::npos) << stepped;
  sc.faults.clear();
  const std::string steady = render_timeline_svg(sc, h, {}, o);
  EXPECT_NE(steady.find("translate(" + px(timeline_x(o, o.window, at_ms(1100))) + " "), std::string::npos);
  EXPECT_EQ(count(steady, expiry), 1u);
}

TEST(Timeline, HostileNamesAreEscapedEverywhere) {
  History h = two_holders();
  const std::string hostile = "<script>alert(1)</script>";
  for (Event& e : h.events) {
    e.token = hostile;
    e.detail = hostile;
    if (e.kind == EventKind::kMutation) {
      e.key = hostile;
      e.after = hostile;
    }
  }
  h.lock_key = hostile;
  chaos::Scenario sc = scenario(2, 1);
  sc.description = hostile;
  sc.world.strategy = hostile;  // the page never trusts a name
  properties::Violation v = mutex_at_500();
  // (v.property is a Property: it carries no text of its own.)
  v.explanation += hostile;
  const std::vector<properties::Violation> vs = {v};
  sim::RunOutcome outcome;
  outcome.history = h;
  const std::string page = render_replay_page({"x/" + hostile + ".json", &sc, &outcome, &vs});
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(count(page, "<script"), 1u);  // the page's own
  EXPECT_GE(count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"), 5u);
  EXPECT_NE(page.find("lockcheck replay &#39;x/&lt;script&gt;alert(1)&lt;/script&gt;.json&#39;"), std::string::npos);
}

TEST(Timeline, MarksStopAtTheLimitAndSaySo) {
  History h = history(1, 1, 100'000);
  for (int64_t i = 0; i < static_cast<int64_t>(kTimelineShapesMax) + 500; ++i) {
    h.events.push_back(event(i * 4, EventKind::kWrite, 0, 1));
  }
  const std::string svg = render_timeline_svg(scenario(1, 1), h, {});
  EXPECT_EQ(count(svg, "data-kind=\"write\""), kTimelineShapesMax);
  EXPECT_NE(svg.find("500 marks not drawn"), std::string::npos);
}

TEST(TimelineModel, ReadsTheNamesInAnExplanation) {
  const Named n = names_in({mutex_at_500()});
  EXPECT_EQ(n.sessions, (std::set<uint64_t>{1, 2}));
  EXPECT_EQ(n.clients, (std::set<int>{0, 1}));
  EXPECT_TRUE(n.nodes.empty());
  EXPECT_EQ(n.instants_us, (std::set<int64_t>{500'000, 900'000}));
  const Named owner = names_in({{properties::Property::kOwner, at_ms(2448),
                                 "client-1's release deleted lockcheck:lock on node-0 at 2448.250 ms, a lock client-0 held"}});
  EXPECT_EQ(owner.nodes, (std::set<int>{0}));
  EXPECT_EQ(owner.instants_us, (std::set<int64_t>{2'448'000, 2'448'250}));
  Event release = mutation(0, 0, 1, sim::Op::kRelease, std::nullopt);
  release.at = at_ms(2448) + Nanos(250'000);
  EXPECT_TRUE(owner.event(release));
  release.node = 1;
  EXPECT_FALSE(owner.event(release));
}

TEST(TimelineModel, ClockReachesAnExpiryThroughDriftAndSteps) {
  const auto limit = at_ms(100'000);
  // Steady: 1000 ms of the node's clock is 1000 ms of true time.
  EXPECT_EQ(clock_reaches({}, at_ms(100), 5000, 6000, limit), at_ms(1100));
  // Fast by 10% from 600 ms: 500 ms at rate 1, then 500 ms of clock in
  // 500 / 1.1 ms of true time.
  const std::vector<ClockChange> drift = {{at_ms(600), Nanos(0), 100'000}};
  EXPECT_EQ(clock_reaches(drift, at_ms(100), 5000, 6000, limit), at_ms(600) + Nanos(454'545'454));
  // A step forward past the expiry expires it at the step.
  const std::vector<ClockChange> jump = {{at_ms(300), Millis(1100), std::nullopt}};
  EXPECT_EQ(clock_reaches(jump, at_ms(100), 5000, 6000, limit), at_ms(300));
  // Past the limit: nothing.
  EXPECT_EQ(clock_reaches({}, at_ms(100), 5000, 6000, at_ms(1000)), std::nullopt);
}

TEST(TimelineModel, StretchesComeFromTheScheduleAndTheWorldsRecord) {
  chaos::Scenario sc = scenario(2, 1);
  sc.world.replicas = 2;
  History h = history(2, 1, 5000);
  Event armed = event(1200, EventKind::kFault, -1, 0);
  armed.detail = "client-1 pauses for 300 ms right after sending a release command";
  Event failover = event(2000, EventKind::kFault, -1, 0);
  failover.detail = "failover of node-0: node-0-replica-2 promoted at offset 7 of 9 (2 writes lost); node-0 is dead";
  h.events = {event(100, EventKind::kCrash, 0, 0), event(400, EventKind::kRestart, 0, 0), armed, failover};
  const LaneStretches p = lane_stretches(sc, h, at_ms(5000));
  ASSERT_EQ(p.pauses.size(), 1u);
  EXPECT_EQ(p.pauses[0].lane, "client-1");
  EXPECT_EQ(p.pauses[0].from, at_ms(1200));
  EXPECT_EQ(p.pauses[0].to, at_ms(1500));
  ASSERT_EQ(p.down.size(), 2u);
  EXPECT_EQ(p.down[0].lane, "client-0");
  EXPECT_EQ(p.down[0].to, at_ms(400));
  EXPECT_EQ(p.down[1].lane, "node-0");
  EXPECT_EQ(p.down[1].kind, "failover");
  ASSERT_EQ(p.failovers.size(), 1u);
  EXPECT_EQ(p.failovers[0].to_member, 2);
  EXPECT_EQ(p.primary_at(0, at_ms(1999)), 0);
  EXPECT_EQ(p.primary_at(0, at_ms(2000)), 2);
}

TEST(FitWindow, KeepsAtMostTheLimitOfEventsAroundAnInstant) {
  History h = history(1, 1, 0);
  const auto n = static_cast<int64_t>(kTimelineEventsMax);
  for (int64_t i = 0; i < 4 * n; ++i) h.events.push_back(event(i, EventKind::kWrite, 0, 1));
  h.end = at_ms(4 * n);
  const TimeWindow whole = whole_run(h);
  // Around the middle: half the limit on each side.
  const TimeWindow mid = fit_window(h, whole, at_ms(2 * n));
  EXPECT_EQ(mid.from, at_ms(2 * n - n / 2));
  EXPECT_EQ(mid.to, at_ms(2 * n - n / 2 + n - 1));
  // From the start, and at the end, the window's own edge stays.
  EXPECT_EQ(fit_window(h, whole, at_ms(0)).from, at_ms(0));
  EXPECT_EQ(fit_window(h, whole, at_ms(0)).to, at_ms(n - 1));
  EXPECT_EQ(fit_window(h, whole, at_ms(4 * n)).from, at_ms(3 * n));
  EXPECT_EQ(fit_window(h, whole, at_ms(4 * n)).to, whole.to);
  // Few enough events: unchanged.
  const TimeWindow small{at_ms(10), at_ms(10 + n / 2)};
  EXPECT_EQ(fit_window(h, small, at_ms(20)).from, small.from);
  EXPECT_EQ(fit_window(h, small, at_ms(20)).to, small.to);
}

TEST(FocusWindow, CoversTheViolationAndWhatItNames) {
  History h = two_holders();
  h.end = at_ms(20'000);
  const TimeWindow w = focus_window(h, {mutex_at_500()});
  // Grants at 100 and 500 ms, beliefs to 900 and 1000 ms, half a TTL around.
  EXPECT_EQ(w.from, at_ms(0));
  EXPECT_EQ(w.to, at_ms(1500));
  // No violation, or a window that is most of the run: the whole run.
  EXPECT_EQ(focus_window(h, {}).to, at_ms(20'000));
  h.end = at_ms(2000);
  EXPECT_EQ(focus_window(h, {mutex_at_500()}).to, at_ms(2000));
}

TEST(ReplayPage, TheKleppmannCaseShowsItsScenarioVerdictsAndTimeline) {
  const chaos::Scenario sc = kleppmann();
  const properties::Judged judged = properties::judge(sc);
  ASSERT_NE(properties::find_violation(judged.violations, properties::Property::kMutex), nullptr);
  const std::string page =
      render_replay_page({"tests/scenarios/redlock-node-clock-jump-partition.json", &sc, &judged.outcome, &judged.violations});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<code>lockcheck replay tests/scenarios/redlock-node-clock-jump-partition.json</code>"),
            std::string::npos);
  EXPECT_NE(page.find("at 300 ms: wall clock of node-2 jumps +1100 ms"), std::string::npos);
  EXPECT_NE(page.find("<li class=\"violated\" data-property=\"mutex\">"), std::string::npos);
  // Self-contained: nothing is fetched.
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find(" src="), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  // Two timelines (around the violation, the whole run), each with every lane.
  EXPECT_EQ(count(page, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\""), 2u);
  EXPECT_EQ(count(page, "class=\"lane client-lane\""), 4u);
  EXPECT_EQ(count(page, "class=\"lane node-lane\""), 10u);
  EXPECT_GE(count(page, "class=\"violation\" data-property=\"mutex\""), 2u);
  // node-2's clock jump is on its lane, and its key vanishes there.
  EXPECT_NE(page.find("data-kind=\"clock_jump\""), std::string::npos);
  EXPECT_NE(page.find("expired: node-2&#39;s clock jumped +1100 ms"), std::string::npos);
  // client-1's grant (session 2) is named by the mutex violation.
  EXPECT_NE(page.find("class=\"ev grant named\" data-kind=\"granted\" data-session=\"2\""), std::string::npos);
}

TEST(ReplayPage, SaysWhetherTheFilesExpectationIsReproduced) {
  chaos::Scenario sc = scenario(2, 1);
  sim::RunOutcome outcome;
  outcome.history = two_holders();
  const std::vector<properties::Violation> vs = {mutex_at_500()};
  sc.expect = chaos::Expectation{"violated", "mutex", "", {"resource"}};
  EXPECT_NE(render_replay_page({"f.json", &sc, &outcome, &vs}).find("violated mutex, resource holds (reproduced)"),
            std::string::npos);
  sc.expect = chaos::Expectation{"holds", "", "", {}};
  EXPECT_NE(render_replay_page({"f.json", &sc, &outcome, &vs}).find("holds <span class=\"verdict-bad\">(not reproduced)"),
            std::string::npos);
}

}  // namespace
}  // namespace lockcheck::reports
