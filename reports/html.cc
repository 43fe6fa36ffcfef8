#include "reports/html.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <optional>

#include "impl/check.h"
#include "impl/lock.h"
#include "properties/suite.h"
#include "reports/timeline.h"

namespace lockcheck::reports {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control bytes are not text (a NUL ends some viewers' parsing).
        if ((static_cast<unsigned char>(ch) < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f) {
          out += "&#xFFFD;";
        } else {
          out += ch;
        }
    }
  }
  return out;
}

std::string shell_quote(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./:=@%+,-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string timeline_script() {
  // A cursor that follows the mouse over a timeline and reads the true time
  // under it. Nothing depends on it: without scripts the page is the same.
  return R"(
(function () {
  document.querySelectorAll('svg.timeline[data-x0]').forEach(function (svg) {
    var cursor = svg.querySelector('.cursor');
    if (!cursor) return;
    var line = cursor.querySelector('line'), label = cursor.querySelector('text');
    var x0 = +svg.dataset.x0, x1 = +svg.dataset.x1, t0 = +svg.dataset.t0Ms, t1 = +svg.dataset.t1Ms;
    svg.addEventListener('mousemove', function (ev) {
      var p = svg.createSVGPoint();
      p.x = ev.clientX; p.y = ev.clientY;
      var at = p.matrixTransform(svg.getScreenCTM().inverse());
      if (at.x < x0 || at.x > x1) { cursor.setAttribute('visibility', 'hidden'); return; }
      var t = t0 + (at.x - x0) / (x1 - x0) * (t1 - t0);
      line.setAttribute('x1', at.x); line.setAttribute('x2', at.x);
      label.setAttribute('x', at.x + 4);
      label.textContent = t.toFixed(t1 - t0 < 200 ? 1 : 0) + ' ms';
      cursor.setAttribute('visibility', 'visible');
    });
    svg.addEventListener('mouseleave', function () { cursor.setAttribute('visibility', 'hidden'); });
  });
  document.documentElement.setAttribute('data-script', 'ok');
})();
)";
}

namespace {

std::string page_css() {
  return R"(body { font: 14px/1.45 "DejaVu Sans", Verdana, sans-serif; color: #1b1b1b; margin: 14px 20px; max-width: 1240px; }
h1 { font-size: 20px; margin: 0 0 6px; }
h2 { font-size: 15px; margin: 14px 0 6px; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; }
.cmd { background: #f3f4f6; border: 1px solid #dcdfe4; padding: 5px 9px; border-radius: 4px; display: inline-block; margin: 2px 0 6px; }
.verdict-bad { color: #c21f1f; }
.verdict-ok { color: #1e7d32; }
.top { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 28px; }
.top h2 { margin-top: 4px; }
ul.verdicts { list-style: none; padding: 0; margin: 0; }
ul.verdicts li { margin: 0 0 4px; }
.prop { font-weight: 700; }
.violated .prop { color: #c21f1f; }
.held { color: #555; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1px 12px; margin: 0; }
dl.facts dt { color: #666; }
dl.facts dd { margin: 0; }
ol.faults { margin: 2px 0 0; padding-left: 22px; }
.desc { color: #444; margin: 4px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 2px 16px; font-size: 12px; color: #333; margin: 4px 0 8px; }
.legend-item { white-space: nowrap; }
.scroll { overflow-x: auto; border: 1px solid #dcdfe4; border-radius: 4px; }
.note { color: #666; font-size: 12px; }
footer { margin-top: 12px; color: #666; font-size: 12px; }
)";
}

std::string li(const std::string& inner) { return "<li>" + inner + "</li>"; }

std::string fact(const std::string& term, const std::string& value) {
  return "<dt>" + html_escape(term) + "</dt><dd>" + html_escape(value) + "</dd>";
}

std::string ms_range(const TimeWindow& w) {
  return std::to_string(sim::true_ms(w.from)) + "–" + std::to_string(sim::true_ms(w.to)) + " ms";
}

// The violation to centre the timeline on: the one the scenario expects,
// else the first found.
std::vector<properties::Violation> focus_first(const chaos::Scenario& sc, std::vector<properties::Violation> vs) {
  if (sc.expect && !sc.expect->property.empty()) {
    auto it = std::find_if(vs.begin(), vs.end(), [&](const auto& v) { return properties::property_name(v.property) == sc.expect->property; });
    if (it != vs.end()) std::rotate(vs.begin(), it, it + 1);
  }
  return vs;
}

}  // namespace

namespace {

bool violated(const std::vector<properties::Violation>& vs, std::string_view property) {
  return std::any_of(vs.begin(), vs.end(), [&](const auto& v) { return properties::property_name(v.property) == property; });
}

// Each violation with its explanation, what held, what the file expects.
std::string verdicts_section(const ReplayPage& page) {
  const chaos::Scenario& sc = *page.scenario;
  const std::vector<properties::Violation>& vs = *page.violations;
  std::string out = "<section><h2>Verdicts</h2><ul class=\"verdicts\">";
  for (const auto& v : vs) {
    out += "<li class=\"violated\" data-property=\"" + html_escape(properties::property_name(v.property)) + "\"><span class=\"prop\">" +
           html_escape(properties::property_name(v.property)) + "</span> violated: " + html_escape(v.explanation) + "</li>";
  }
  std::string held;
  for (const auto& p : properties::property_catalog()) {
    if (!violated(vs, p.id)) held += (held.empty() ? "" : ", ") + std::string(p.id);
  }
  if (!held.empty()) out += "<li class=\"held\">held: " + html_escape(held) + "</li>";
  if (sc.expect) {
    // Judged as `replay` judges it; the TRACE is the command's to compare
    // (a changed simulator re-records it).
    const auto& e = *sc.expect;
    bool reproduced = e.verdict == "holds" ? vs.empty() : violated(vs, e.property);
    std::string expects = e.verdict + (e.property.empty() ? "" : " " + e.property);
    for (const auto& p : e.holds) {
      expects += ", " + p + " holds";
      reproduced = reproduced && !violated(vs, p);
    }
    out += "<li class=\"held\">the file expects: " + html_escape(expects) +
           (reproduced ? " (reproduced)" : " <span class=\"verdict-bad\">(not reproduced)</span>") + "</li>";
  }
  out += "<li class=\"held\">SEED=" + html_escape(chaos::format_seed(sc.world.seed)) +
         " TRACE=" + html_escape(properties::format_trace(page.outcome->trace_hash)) + "</li>";
  if (page.outcome->event_limit_hit) {
    out += "<li class=\"violated\"><span class=\"prop\">harness fault</span>: the run hit the event limit</li>";
  }
  return out + "</ul></section>\n";
}

// The scenario in words.
std::string scenario_section(const chaos::Scenario& sc) {
  const sim::WorldConfig& w = sc.world;
  bool correct = false;
  for (const auto& s : strategy_catalog()) correct = correct || (s.name == w.strategy && s.correct);
  std::string out = "<section><h2>Scenario</h2><dl class=\"facts\">";
  out += fact("strategy", w.strategy + (correct ? " (correct)" : " (broken)"));
  out += fact("world", std::to_string(w.clients) + " clients, " + std::to_string(w.nodes) + " nodes" +
                           (w.replicas ? " with " + std::to_string(w.replicas) + " replicas each" : "") + ", TTL " +
                           std::to_string(w.ttl.count()) + " ms, persistence " + std::string(sim::persistence_name(w.persistence)));
  out += fact("run", std::to_string(w.duration.count()) + " ms of true time, seed " + chaos::format_seed(w.seed));
  out += fact("workload", std::to_string(w.workload.acquires_per_client) + " acquires per client, hold " +
                              std::to_string(w.workload.hold.count()) + " ms, " +
                              std::to_string(w.workload.writes_per_hold) + " writes per hold, think " +
                              std::to_string(w.workload.think.count()) + " ms" +
                              (w.workload.reentry_depth ? ", reentry depth " + std::to_string(w.workload.reentry_depth) : ""));
  out += fact("network", "latency " + std::to_string(w.network.latency_min.count()) + "–" +
                             std::to_string(w.network.latency_max.count()) + " ms, request timeout " +
                             std::to_string(w.network.request_timeout.count()) + " ms" +
                             (w.network.drop_ppm ? ", loss " + std::to_string(w.network.drop_ppm) + " ppm" : ""));
  out += "<dt>faults</dt><dd>";
  if (sc.faults.empty()) {
    out += "none";
  } else {
    out += "<ol class=\"faults\">";
    for (const auto& f : sc.faults) out += li(html_escape(chaos::describe(f)));
    out += "</ol>";
  }
  return out + "</dd></dl></section>\n";
}

// The timeline around the violation (when that is a small part of the
// run), then the run. A long run is shown as far as kTimelineEventsMax
// events go, around the violation or from its start.
std::string timeline_section(const ReplayPage& page) {
  const chaos::Scenario& sc = *page.scenario;
  const sim::History& h = page.outcome->history;
  const auto ordered = focus_first(sc, *page.violations);
  const TimeWindow whole = whole_run(h);
  const sim::TrueInstant around = ordered.empty() ? whole.from : ordered.front().at;
  const TimeWindow all = fit_window(h, whole, around);
  const TimeWindow focus = fit_window(h, focus_window(h, ordered), around);
  const bool zoomed = focus.from != all.from || focus.to != all.to;
  const bool cut = all.from != whole.from || all.to != whole.to;
  const std::string of_run = cut ? " of the run's " + ms_range(whole) : "";

  std::string out = "<h2>Timeline in true time, " + html_escape(ms_range(focus) + (zoomed ? "" : of_run)) +
                    (zoomed ? std::string(" (around the violation; ") + (cut ? "more of the" : "the whole") + " run is below)" : "") + "</h2>\n";
  out += render_timeline_legend() + "\n";
  TimelineOptions options;
  options.window = focus;
  options.id_prefix = "focus";
  out += "<div class=\"scroll\">" + render_timeline_svg(sc, h, ordered, options) + "</div>\n";
  out += "<p class=\"note\">Hover over a mark for its details. Key values and TTLs are as each node's own clock "
         "judges them; grants show the validity each holder believed by its own clock.</p>\n";
  if (zoomed) {
    options.window = all;
    options.id_prefix = "whole";
    out += "<h2>" + std::string(cut ? "The run, " : "The whole run, ") + html_escape(ms_range(all) + of_run) +
           (cut ? " (" + std::to_string(kTimelineEventsMax) + " events around the violation)" : "") + "</h2>\n";
    out += "<div class=\"scroll\">" + render_timeline_svg(sc, h, ordered, options) + "</div>\n";
  }
  return out;
}

}  // namespace

std::string render_replay_page(const ReplayPage& page) {
  LC_CHECK(page.scenario && page.outcome && page.violations);
  const chaos::Scenario& sc = *page.scenario;
  const std::vector<properties::Violation>& vs = *page.violations;
  std::string verdict;
  for (const auto& v : vs) verdict += (verdict.empty() ? "" : ", ") + properties::property_name(v.property);

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<title>" + html_escape("lockcheck: " + sc.world.strategy + " " + (vs.empty() ? "holds" : "VIOLATED " + verdict)) +
         "</title>";
  out += "<style>" + page_css() + timeline_css() + "</style></head><body>\n";
  out += "<h1>" + html_escape(sc.world.strategy) + " <span class=\"" +
         (vs.empty() ? "verdict-ok\">holds" : "verdict-bad\">VIOLATED ") + html_escape(verdict) + "</span></h1>\n";
  out += "<div class=\"cmd\"><code>" + html_escape("lockcheck replay " + shell_quote(page.file)) + "</code></div>\n";
  if (!sc.description.empty()) out += "<p class=\"desc\">" + html_escape(sc.description) + "</p>\n";
  // Verdicts and the scenario side by side: the timeline stays near the top.
  out += "<div class=\"top\">" + verdicts_section(page) + scenario_section(sc) + "</div>\n";
  out += timeline_section(page);
  out += "<footer>lockcheck replay report: " + std::to_string(page.outcome->history.events.size()) + " events.</footer>\n";
  out += "<script>" + timeline_script() + "</script>\n</body></html>\n";
  return out;
}

std::string render_counterexample_page(const std::string& file, const chaos::Scenario& scenario) {
  const properties::Judged judged = properties::judge(scenario);
  return render_replay_page({file, &scenario, &judged.outcome, &judged.violations});
}

Result<std::string> render_counterexample_file_page(const std::string& file, const std::string& text) {
  if (is_real_time_counterexample(text)) {
    auto cx = parse_real_time_counterexample(text, file);
    if (!cx.ok()) return cx.error();
    return render_real_time_page(file, cx.value());
  }
  std::vector<std::string_view> ids;
  for (const auto& p : properties::property_catalog()) ids.push_back(p.id);
  auto scenario = chaos::parse_scenario(text, file, ids);
  if (!scenario.ok()) return scenario.error();
  return render_counterexample_page(file, scenario.value());
}

namespace {

// The number right after the first `prefix` in text ("client-" in "pause
// cpp client-1 (SIGSTOP)"), if it is below `limit`.
std::optional<int> index_after(const std::string& text, std::string_view prefix, int limit) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return std::nullopt;
  size_t end = at + prefix.size();
  int64_t n = 0;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) {
    n = n * 10 + (text[end++] - '0');
    if (n >= limit) return std::nullopt;
  }
  if (end == at + prefix.size()) return std::nullopt;
  return static_cast<int>(n);
}

// The applied schedule as the timeline's scenario faults, so pauses,
// node down time, cut links and clock jumps are drawn as for a simulated
// run. Only the words serve/check.cc writes are read ("pause X client-N
// (SIGSTOP) ...", "resume X client-N (SIGCONT)", "node-N crashes ...",
// "node-N restarts", "node-N's clock jumps D ms forward", "X client-N is
// cut from every node ...", "X client-N's partition heals"); anything else
// stays a fault event on the timeline and a line in the schedule.
std::vector<chaos::Fault> timeline_faults(const RealTimeCounterexample& cx) {
  const sim::History& h = cx.history;
  const int64_t end_ms = sim::true_ms(whole_run(h).to);
  std::vector<chaos::Fault> out;
  // The first later entry of `what` for the same process, or the run's end.
  auto until_ms = [&](size_t i, std::string_view word, std::string_view prefix, int who, int limit) {
    for (size_t j = i + 1; j < cx.schedule.size(); ++j) {
      const std::string& w = cx.schedule[j].what;
      if (w.find(word) != std::string::npos && index_after(w, prefix, limit) == who) return sim::true_ms(cx.schedule[j].at);
    }
    return end_ms;
  };
  for (size_t i = 0; i < cx.schedule.size(); ++i) {
    const std::string& w = cx.schedule[i].what;
    const int64_t at_ms = sim::true_ms(cx.schedule[i].at);
    chaos::Fault f;
    f.at_ms = at_ms;
    if (w.find("(SIGSTOP)") != std::string::npos) {
      const auto c = index_after(w, "client-", h.clients);
      if (!c) continue;
      f.kind = chaos::FaultKind::kPause;
      f.target = sim::ProcessId::client(*c);
      f.duration_ms = std::max<int64_t>(1, until_ms(i, "(SIGCONT)", "client-", *c, h.clients) - at_ms);
    } else if (w.find(" crashes") != std::string::npos && w.rfind("node-", 0) == 0) {
      const auto n = index_after(w, "node-", h.nodes);
      if (!n) continue;
      f.kind = chaos::FaultKind::kNodeCrash;
      f.target = sim::ProcessId::node(*n);
      const int64_t back = until_ms(i, " restarts", "node-", *n, h.nodes);
      if (back < end_ms) f.restart_after_ms = std::max<int64_t>(1, back - at_ms);
    } else if (w.find("'s clock jumps ") != std::string::npos && w.rfind("node-", 0) == 0) {
      const auto n = index_after(w, "node-", h.nodes);
      const auto d = index_after(w, "'s clock jumps ", INT32_MAX);
      if (!n || !d) continue;
      f.kind = chaos::FaultKind::kClockJump;
      f.target = sim::ProcessId::node(*n);
      f.delta_ms = w.find(" forward") != std::string::npos ? *d : -static_cast<int64_t>(*d);
    } else if (w.find(" is cut from every node") != std::string::npos) {
      const auto c = index_after(w, "client-", h.clients);
      if (!c) continue;
      f.kind = chaos::FaultKind::kPartition;
      f.groups = {{sim::ProcessId::client(*c)}, {}};
      for (int n = 0; n < h.nodes; ++n) f.groups[1].push_back(sim::ProcessId::node(n));
      f.duration_ms = std::max<int64_t>(1, until_ms(i, "'s partition heals", "client-", *c, h.clients) - at_ms);
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  // Sorted by at_ms, as a scenario's faults are.
  std::stable_sort(out.begin(), out.end(), [](const chaos::Fault& a, const chaos::Fault& b) { return a.at_ms < b.at_ms; });
  return out;
}

}  // namespace

std::string render_real_time_page(const std::string& file, const RealTimeCounterexample& cx) {
  const sim::History& h = cx.history;
  const std::string name = real_time_cell_name(cx.driver, cx.strategy);
  // The timeline draws a history beside the scenario it ran; a real-time
  // run has none: this adapter gives it the sizes and the schedule as
  // applied (timeline_faults).
  chaos::Scenario sc;
  sc.faults = timeline_faults(cx);
  sc.world.strategy = name;
  sc.world.clients = h.clients;
  sc.world.nodes = h.nodes;
  sc.world.replicas = 0;
  sc.world.ttl = Millis(h.ttl_ms);
  sc.expect = chaos::Expectation{};
  sc.expect->verdict = "violated";
  sc.expect->property = cx.property;
  sim::RunOutcome outcome;
  outcome.history = h;
  const std::vector<properties::Violation> vs = properties::check_all(h);
  std::string verdict;
  for (const auto& v : vs) verdict += (verdict.empty() ? "" : ", ") + properties::property_name(v.property);

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<title>" + html_escape("lockcheck: " + name + " / " + cx.faults + " (real time) " +
                                 (vs.empty() ? "holds" : "VIOLATED " + verdict)) + "</title>";
  out += "<style>" + page_css() + timeline_css() + "</style></head><body class=\"real-time\">\n";
  out += "<h1>" + html_escape(name + " / " + cx.faults) + " <small>(real time, run " + std::to_string(cx.run + 1) +
         ")</small> <span class=\"" + (vs.empty() ? "verdict-ok\">holds" : "verdict-bad\">VIOLATED ") +
         html_escape(verdict) + "</span></h1>\n";
  out += "<p class=\"desc real-time-note\">" + html_escape(std::string(kRealTimeNote)) + ".</p>\n";
  out += "<div class=\"cmd reproduce\"><code>" + html_escape(cx.reproduce) + "</code></div>\n";
  out += "<div class=\"cmd\"><code>" + html_escape("lockcheck replay " + shell_quote(file)) +
         "</code> re-judges the recorded history</div>\n";

  std::string verdicts = "<section><h2>Verdicts over the recorded history</h2><ul class=\"verdicts\">";
  for (const auto& v : vs) {
    verdicts += "<li class=\"violated\" data-property=\"" + html_escape(properties::property_name(v.property)) +
                "\"><span class=\"prop\">" + html_escape(properties::property_name(v.property)) +
                "</span> violated: " + html_escape(v.explanation) + "</li>";
  }
  std::string held;
  for (const auto& p : properties::property_catalog()) {
    if (!violated(vs, p.id)) held += (held.empty() ? "" : ", ") + std::string(p.id);
  }
  if (!held.empty()) verdicts += "<li class=\"held\">held: " + html_escape(held) + "</li>";
  bool same = vs.size() == cx.violations.size();
  for (const auto& v : cx.violations) same = same && violated(vs, properties::property_name(v.property));
  verdicts += "<li class=\"held\">the check recorded: violated";
  for (const auto& v : cx.violations) verdicts += " " + html_escape(properties::property_name(v.property));
  verdicts += same ? " (the same)" : " <span class=\"verdict-bad\">(not the same: a checker changed)</span>";
  verdicts += "</li></ul></section>\n";

  std::string facts = "<section><h2>The check</h2><dl class=\"facts\">";
  facts += fact("driver", cx.driver + (cx.strategy.empty() ? "" : " (strategy " + cx.strategy + ")"));
  facts += fact("command", cx.command);
  facts += fact("world", std::to_string(h.clients) + " clients, " + std::to_string(h.nodes) + " nodes, TTL " +
                             std::to_string(h.ttl_ms) + " ms, key " + h.lock_key);
  facts += fact("run", std::to_string(sim::true_ms(whole_run(h).to)) + " ms of true time, " +
                           std::to_string(h.events.size()) + " events, target client-" + std::to_string(cx.target));
  facts += "<dt>faults as applied</dt><dd>";
  if (cx.schedule.empty()) {
    facts += "none";
  } else {
    facts += "<ol class=\"faults schedule\">";
    for (const auto& f : cx.schedule) facts += li(html_escape("at " + std::to_string(sim::true_ms(f.at)) + " ms: " + f.what));
    facts += "</ol>";
  }
  facts += "</dd></dl></section>\n";
  out += "<div class=\"top\">" + verdicts + facts + "</div>\n";
  out += timeline_section({file, &sc, &outcome, &vs});

  // The record itself, as many events as a timeline shows.
  out += "<h2>The recorded history</h2><ol class=\"history\" start=\"0\">";
  const size_t shown = std::min(h.events.size(), kTimelineEventsMax);
  for (size_t i = 0; i < shown; ++i) out += li("<code>" + html_escape(sim::describe(h.events[i])) + "</code>");
  out += "</ol>\n";
  if (shown < h.events.size()) {
    out += "<p class=\"note\">" + std::to_string(h.events.size() - shown) + " more events are in the file.</p>\n";
  }
  out += "<footer>lockcheck real-time counterexample: " + std::to_string(h.events.size()) + " events recorded.</footer>\n";
  out += "<script>" + timeline_script() + "</script>\n</body></html>\n";
  return out;
}

}  // namespace lockcheck::reports
