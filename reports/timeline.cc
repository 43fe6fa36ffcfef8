#include "reports/timeline.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "impl/check.h"
#include "reports/html.h"
#include "sim/world.h"

namespace lockcheck::reports {

namespace {

using sim::Event;
using sim::EventKind;
using sim::TrueInstant;

// Layout, in px. Lanes are tall enough for a bar, ticks above and below it
// and a label inside it at 11 px.
constexpr double kLabelWidth = 150;
constexpr double kRightPad = 18;
constexpr double kViolationRowHeight = 16;
constexpr double kAxisHeight = 24;
constexpr double kFaultMarkRowHeight = 14;
constexpr double kBandRowHeight = 18;
constexpr double kClientLaneHeight = 44;
constexpr double kNodeLaneHeight = 32;
constexpr double kSectionGap = 8;
constexpr int kBandRowsMax = 8;        // more overlapping bands share the last row
constexpr int kViolationRowsMax = 4;   // labels of markers close together stagger
constexpr double kCharWidth = 6.3;     // of 11 px sans-serif, to decide whether a label fits

// Client colours (a client's bars, and the key values carrying its token).
// Red is kept for violations.
constexpr const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                    "#17becf", "#8c564b", "#e377c2", "#bcbd22"};
constexpr const char* kUnknownOwner = "#9a9a9a";

const char* client_color(int client) {
  if (client < 0) return kUnknownOwner;
  return kPalette[static_cast<size_t>(client) % (sizeof kPalette / sizeof kPalette[0])];
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// "383.000 ms", as the checkers and `replay -v` print instants.
std::string ms_number(TrueInstant t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(t.time_since_epoch().count()) / 1e6);
  return buf;
}
std::string ms_text(TrueInstant t) { return ms_number(t) + " ms"; }
// "383 ms" for whole milliseconds, for labels.
std::string ms_short(TrueInstant t) {
  const Nanos d = t.time_since_epoch();
  return d % Millis(1) == Nanos(0) ? std::to_string(to_ms(d)) + " ms" : ms_text(t);
}

// sim::describe without its column padding, for hover text.
std::string event_text(const Event& e) {
  std::string d = sim::describe(e);
  const size_t start = d.find_first_not_of(' ');
  return start == std::string::npos ? d : d.substr(start);
}

std::string title(const std::string& text) { return "<title>" + html_escape(text) + "</title>"; }

// ---- what the violations name ----

// The sessions, clients, nodes and instants a violation's one-line
// explanation names ("client-1 (session 2) was granted the lock at
// 383.000 ms ..."). The checkers explain in words, not event references, so
// the timeline reads their words back; an event is named when it happened
// at a named instant and belongs to a named session (or is a named node's
// key change).
struct Named {
  std::set<uint64_t> sessions;
  std::set<int> clients;
  std::set<int> nodes;
  std::set<int64_t> instants_us;  // microseconds: explanations print three decimals of ms

  bool event(const Event& e) const {
    const int64_t at_us = (e.at.time_since_epoch().count() + 500) / 1000;
    if (!instants_us.count(at_us)) return false;
    if (e.kind == EventKind::kMutation) return nodes.count(e.node) && (clients.empty() || clients.count(e.client));
    return e.session != 0 && sessions.count(e.session);
  }
};

// The number that starts at text[i], if digits start there.
std::optional<int64_t> digits_at(const std::string& text, size_t i, size_t* end) {
  size_t j = i;
  int64_t v = 0;
  while (j < text.size() && j - i < 15 && text[j] >= '0' && text[j] <= '9') v = v * 10 + (text[j++] - '0');
  if (j == i) return std::nullopt;
  *end = j;
  return v;
}

void read_names(const properties::Violation& v, Named* out) {
  const std::string& t = v.explanation;
  out->instants_us.insert((v.at.time_since_epoch().count() + 500) / 1000);
  for (size_t i = 0; i < t.size(); ++i) {
    size_t end = 0;
    auto after = [&](std::string_view word) { return t.compare(i, word.size(), word) == 0 ? i + word.size() : 0; };
    if (size_t p = after("session "); p) {
      if (auto n = digits_at(t, p, &end)) out->sessions.insert(static_cast<uint64_t>(*n));
    } else if (size_t p = after("client-"); p) {
      if (auto n = digits_at(t, p, &end)) out->clients.insert(static_cast<int>(*n));
    } else if (size_t p = after("node-"); p) {
      if (auto n = digits_at(t, p, &end)) out->nodes.insert(static_cast<int>(*n));
    } else if ((i == 0 || t[i - 1] == ' ') && t[i] >= '0' && t[i] <= '9') {
      // "<whole>.<three digits> ms"
      auto whole = digits_at(t, i, &end);
      size_t frac_end = 0;
      if (whole && end < t.size() && t[end] == '.') {
        auto frac = digits_at(t, end + 1, &frac_end);
        if (frac && frac_end == end + 4 && t.compare(frac_end, 3, " ms") == 0) {
          out->instants_us.insert(*whole * 1000 + *frac);
        }
      }
    }
  }
}

Named read_names(const std::vector<properties::Violation>& violations) {
  Named n;
  for (const auto& v : violations) read_names(v, &n);
  return n;
}

// ---- node clocks ----

// The steps and drift changes the schedule gives a process's wall clock,
// to place a key's expiry (judged by the node's clock) on true time. Every
// process starts at drift 0 (sim::World).
struct ClockChange {
  TrueInstant at;
  Nanos jump{0};
  std::optional<int64_t> drift_ppm;
};

std::vector<ClockChange> clock_changes(const chaos::Scenario& scenario, const std::string& process) {
  std::vector<ClockChange> out;
  for (const auto& f : scenario.faults) {
    if (f.target != process) continue;
    if (f.kind == chaos::FaultKind::kClockJump) out.push_back({sim::at_ms(f.at_ms), Millis(f.delta_ms), {}});
    if (f.kind == chaos::FaultKind::kDrift) out.push_back({sim::at_ms(f.at_ms), Nanos(0), f.ppm});
  }
  return out;  // scenario faults are sorted by at_ms
}

// The true instant at which a clock that read wall_ms at `from` reads
// expire_ms, or nullopt past `limit`.
std::optional<TrueInstant> clock_reaches(const std::vector<ClockChange>& changes, TrueInstant from, int64_t wall_ms,
                                         int64_t expire_ms, TrueInstant limit) {
  int64_t ppm = 0;
  for (const auto& c : changes) {
    if (c.at <= from && c.drift_ppm) ppm = *c.drift_ppm;
  }
  // Local time left; the clock covers dt of true time in dt * (1 + ppm/1e6).
  Nanos left = Millis(expire_ms - wall_ms);
  TrueInstant t = from;
  auto true_span = [&](Nanos local) {
    return Nanos(static_cast<int64_t>(static_cast<long double>(local.count()) * 1e6L / (1e6L + ppm)));
  };
  for (const auto& c : changes) {
    if (c.at <= from) continue;
    if (left <= Nanos(0)) return t;
    const Nanos span = c.at - t;
    const Nanos local = span + Nanos(span.count() / 1'000'000 * ppm);
    if (left <= local) return t + true_span(left);
    left -= local;
    t = c.at;
    left -= c.jump;
    if (c.drift_ppm) ppm = *c.drift_ppm;
    if (t > limit) return std::nullopt;
  }
  if (left <= Nanos(0)) return t;
  const TrueInstant at = t + true_span(left);
  if (at > limit) return std::nullopt;
  return at;
}

// ---- drawing ----

class Svg {
 public:
  Svg(const TimelineOptions& o, TimeWindow w)
      : o_(o), w_(w), x0_(kLabelWidth), x1_(o.width_px - kRightPad) {}

  double x0() const { return x0_; }
  double x1() const { return x1_; }
  double x(TrueInstant t) const { return timeline_x(o_, w_, t); }
  bool visible(TrueInstant from, TrueInstant to) const { return to >= w_.from && from <= w_.to; }
  bool visible(TrueInstant t) const { return t >= w_.from && t <= w_.to; }
  // The span [from, to] clipped to the drawing area, at least 1 px wide.
  std::pair<double, double> span(TrueInstant from, TrueInstant to) const {
    double a = std::clamp(x(from), x0_, x1_);
    double b = std::clamp(x(to), x0_, x1_);
    if (b - a < 1) b = a + 1;
    return {a, b};
  }

  // Event shapes count against kTimelineShapesMax; past it they are left
  // out and counted.
  bool room() {
    if (shapes_ >= kTimelineShapesMax) {
      ++left_out_;
      return false;
    }
    ++shapes_;
    return true;
  }
  size_t left_out() const { return left_out_; }

  std::string& out() { return out_; }
  void add(const std::string& s) { out_ += s; }

 private:
  const TimelineOptions& o_;
  TimeWindow w_;
  double x0_, x1_;
  size_t shapes_ = 0;
  size_t left_out_ = 0;
  std::string out_;
};

// class="ev <cls>[ named]" data-kind="<kind>"
std::string ev_attrs(const std::string& cls, std::string_view kind, bool named) {
  return "class=\"ev " + cls + (named ? " named" : "") + "\" data-kind=\"" + html_escape(kind) + "\"";
}

std::string rect(double x, double y, double w, double h, const std::string& attrs, const std::string& hover) {
  return "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 1.0)) + "\" height=\"" +
         num(h) + "\" " + attrs + ">" + hover + "</rect>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& attrs, const std::string& hover = "") {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" " +
         attrs + ">" + hover + "</line>";
}

std::string text(double x, double y, const std::string& s, const std::string& attrs = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"" + (attrs.empty() ? "" : " " + attrs) + ">" +
         html_escape(s) + "</text>";
}

// A small marker (a path drawn around x, y).
std::string mark(double x, double y, const std::string& path, const std::string& attrs, const std::string& hover) {
  return "<path transform=\"translate(" + num(x) + " " + num(y) + ")\" d=\"" + path + "\" " + attrs + ">" + hover +
         "</path>";
}

constexpr const char* kCross = "M-4,-4L4,4M-4,4L4,-4";
constexpr const char* kDiamond = "M0,-4L4,0L0,4L-4,0Z";
constexpr const char* kTriangleDown = "M-4,-3L4,-3L0,3Z";
constexpr const char* kTriangleRight = "M-3,-4L4,0L-3,4Z";
constexpr const char* kTriangleUp = "M-4,3L4,3L0,-3Z";
constexpr const char* kArrowHead = "M-2.5,-2L2.5,-2L0,2Z";
constexpr const char* kCircle = "M-3,0a3,3 0 1,0 6,0a3,3 0 1,0 -6,0";
constexpr const char* kBolt = "M-2,-6L3,-1L-1,0L2,6L-3,1L1,0Z";

// A "nice" step for about `ticks` ticks over span: 1, 2 or 5 times a power of ten ms.
int64_t tick_step_ms(Nanos span, int ticks) {
  const double raw = static_cast<double>(span.count()) / 1e6 / ticks;
  int64_t step = 1;
  while (step < 1'000'000'000'000) {
    for (int64_t m : {1, 2, 5}) {
      if (static_cast<double>(step * m) >= raw) return step * m;
    }
    step *= 10;
  }
  return step;
}

struct Lane {
  std::string name;  // process name
  int client = -1;   // a client's lane: its number
  double y = 0;
  double height = 0;
};

// Where each process's lane is.
class Lanes {
 public:
  void add(Lane lane) {
    index_[lane.name] = lanes_.size();
    lanes_.push_back(std::move(lane));
  }
  const Lane* find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &lanes_[it->second];
  }
  const std::vector<Lane>& all() const { return lanes_; }

 private:
  std::vector<Lane> lanes_;
  std::map<std::string, size_t> index_;
};

std::string client_name(int c) { return "client-" + std::to_string(c); }
std::string member_name(int g, int m) { return sim::process_name({sim::ProcessId::Kind::kNode, g, m}); }

// A stretch of time on one lane (pauses, down time, partitions).
struct Stretch {
  std::string lane;
  TrueInstant from, to;
  std::string kind;  // data-kind
  std::string hover;
};

// Everything the timeline draws, gathered from the schedule and the history
// before any drawing.
struct Plan {
  TrueInstant end{};
  std::vector<Stretch> pauses, down, cuts;
  // Per group, (from, member) in time order: which member is primary.
  std::vector<std::vector<std::pair<TrueInstant, int>>> primaries;
  struct Failover {
    TrueInstant at;
    int group, from_member, to_member;
    std::string hover;
  };
  std::vector<Failover> failovers;
};

int member_index(const std::string& name, int group, int replicas) {
  for (int m = 0; m <= replicas; ++m) {
    if (member_name(group, m) == name) return m;
  }
  return -1;
}

Plan make_plan(const chaos::Scenario& sc, const sim::History& h, TrueInstant end) {
  Plan p;
  p.end = end;
  const int replicas = sc.world.replicas;
  p.primaries.assign(static_cast<size_t>(h.nodes), {{TrueInstant{}, 0}});
  std::vector<int> primary(static_cast<size_t>(h.nodes), 0);
  auto after = [&](int64_t at_ms, int64_t d_ms) { return std::min(end, sim::at_ms(at_ms) + Millis(d_ms)); };
  for (const auto& f : sc.faults) {
    const std::string what = chaos::describe(f);
    switch (f.kind) {
      case chaos::FaultKind::kPause:
        if (f.during.empty()) p.pauses.push_back({f.target, sim::at_ms(f.at_ms), after(f.at_ms, f.duration_ms), "pause", what});
        break;
      case chaos::FaultKind::kCrash:
      case chaos::FaultKind::kNodeCrash:
        // Client crashes are history events; a node's comes from the schedule.
        if (f.target.rfind("node-", 0) == 0) {
          const TrueInstant to = f.restart_after_ms ? after(f.at_ms, *f.restart_after_ms) : end;
          p.down.push_back({f.target, sim::at_ms(f.at_ms), to, "node_crash", what});
        }
        break;
      case chaos::FaultKind::kPartition:
        for (const auto& group : f.groups) {
          for (const auto& name : group) {
            p.cuts.push_back({name, sim::at_ms(f.at_ms), after(f.at_ms, f.duration_ms), "partition", what});
          }
        }
        break;
      case chaos::FaultKind::kDelay:
        if (!f.target.empty()) p.cuts.push_back({f.target, sim::at_ms(f.at_ms), after(f.at_ms, f.duration_ms), "delay", what});
        break;
      default:
        break;
    }
  }
  // What the world reports as it happens: pauses armed to start after a
  // command, client crashes, failovers (which replica won).
  std::map<int, TrueInstant> crashed;
  for (const Event& e : h.events) {
    if (e.kind == EventKind::kCrash) crashed[e.client] = e.at;
    if (e.kind == EventKind::kRestart) {
      if (auto it = crashed.find(e.client); it != crashed.end()) {
        p.down.push_back({client_name(e.client), it->second, e.at, "crash", client_name(e.client) + " is down"});
        crashed.erase(it);
      }
    }
    if (e.kind != EventKind::kFault) continue;
    // "client-N pauses for D ms right after sending a ... command" (sim::World::pause_if_armed)
    if (e.detail.rfind("client-", 0) == 0) {
      const size_t at = e.detail.find(" pauses for ");
      size_t end_digits = 0;
      if (at != std::string::npos) {
        if (auto d = digits_at(e.detail, at + 12, &end_digits)) {
          p.pauses.push_back({e.detail.substr(0, at), e.at, std::min(end, e.at + Millis(*d)), "pause", e.detail});
        }
      }
    }
    // "failover of node-G: NAME promoted at offset ..." (sim groups.cc)
    if (e.detail.rfind("failover of node-", 0) == 0) {
      size_t g_end = 0;
      auto g = digits_at(e.detail, 17, &g_end);
      const size_t promoted = e.detail.find(" promoted");
      if (g && *g < h.nodes && promoted != std::string::npos && g_end + 2 < promoted) {
        const int group = static_cast<int>(*g);
        const int to = member_index(e.detail.substr(g_end + 2, promoted - g_end - 2), group, replicas);
        if (to >= 0) {
          const int from = primary[static_cast<size_t>(group)];
          p.failovers.push_back({e.at, group, from, to, e.detail});
          p.down.push_back({member_name(group, from), e.at, end, "failover", member_name(group, from) + " is dead (failed over)"});
          primary[static_cast<size_t>(group)] = to;
          p.primaries[static_cast<size_t>(group)].push_back({e.at, to});
        }
      }
    }
  }
  for (const auto& [c, at] : crashed) p.down.push_back({client_name(c), at, end, "crash", client_name(c) + " is down"});
  return p;
}

int primary_at(const Plan& p, int group, TrueInstant t) {
  int m = 0;
  for (const auto& [from, member] : p.primaries[static_cast<size_t>(group)]) {
    if (from <= t) m = member;
  }
  return m;
}

// ---- the sections ----

void draw_axis(Svg& svg, const TimeWindow& w, double y_axis, double y_bottom) {
  const int64_t step = tick_step_ms(w.to - w.from, 12);
  const int64_t first = (sim::true_ms(w.from) + step - 1) / step * step;
  svg.add("<g class=\"axis\">");
  svg.add(text(8, y_axis + 15, "true time (ms)", "class=\"axis-title\""));
  for (int64_t t = first; sim::at_ms(t) <= w.to; t += step) {
    const double x = svg.x(sim::at_ms(t));
    svg.add(line(x, y_axis + 19, x, y_bottom, "class=\"grid\""));
    svg.add(text(x, y_axis + 14, std::to_string(t), "text-anchor=\"middle\""));
  }
  svg.add(line(svg.x0(), y_axis + 19, svg.x1(), y_axis + 19, "class=\"axis-line\""));
  svg.add("</g>");
}

// Network faults as bands, packed into rows, and a mark per fault event the
// world recorded (begins, ends, restarts, failovers ...).
double draw_faults(Svg& svg, const chaos::Scenario& sc, const sim::History& h, const TimeWindow& w, TrueInstant end,
                   double y) {
  struct Band {
    TrueInstant from, to;
    const chaos::Fault* fault;
  };
  std::vector<Band> bands;
  for (const auto& f : sc.faults) {
    const bool banded = f.kind == chaos::FaultKind::kPartition || f.kind == chaos::FaultKind::kDelay ||
                        f.kind == chaos::FaultKind::kDrop || f.kind == chaos::FaultKind::kDuplicate;
    if (!banded) continue;
    const TrueInstant from = sim::at_ms(f.at_ms);
    const TrueInstant to = std::min(end, from + Millis(f.duration_ms));
    if (svg.visible(from, to)) bands.push_back({from, to, &f});
  }
  bool any_fault_event = false;
  for (const Event& e : h.events) any_fault_event = any_fault_event || (e.kind == EventKind::kFault && svg.visible(e.at));
  if (bands.empty() && !any_fault_event) return y;

  svg.add("<g class=\"faults\">");
  svg.add(text(8, y + 11, "faults", "class=\"lane-label\""));
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kFault || !svg.visible(e.at) || !svg.room()) continue;
    svg.add(mark(svg.x(e.at), y + 6, kTriangleDown, ev_attrs("fault-event", "fault", false), title(event_text(e))));
  }
  y += kFaultMarkRowHeight;
  // First fit: a band goes to the first row whose last band ends (with its
  // label) before it starts.
  std::vector<double> row_end;
  for (const Band& b : bands) {
    const auto [a, z] = svg.span(b.from, b.to);
    std::string label = chaos::describe(*b.fault);
    label = label.substr(label.find(": ") + 2);  // the time is on the axis
    const double label_w = static_cast<double>(label.size()) * kCharWidth + 8;
    const double needs = std::max(z, a + std::min(label_w, svg.x1() - a));
    size_t row = 0;
    while (row < row_end.size() && row_end[row] > a - 2) ++row;
    if (row >= static_cast<size_t>(kBandRowsMax)) row = kBandRowsMax - 1;
    if (row >= row_end.size()) row_end.push_back(0);
    row_end[row] = std::max(row_end[row], needs);
    if (!svg.room()) continue;
    const std::string kind(chaos::fault_kind_name(b.fault->kind));
    const double by = y + static_cast<double>(row) * kBandRowHeight;
    svg.add("<g " + ev_attrs("band band-" + kind, kind, false) + ">" + title(chaos::describe(*b.fault)));
    svg.add(rect(a, by + 1, z - a, kBandRowHeight - 3, "class=\"band-rect\"", ""));
    if (b.to == end && end < h.end) svg.add(text(z - 2, by + 12, "…", "text-anchor=\"end\""));
    svg.add(text(a + 4, by + 12, label, "class=\"band-label\""));
    svg.add("</g>");
  }
  svg.add("</g>");
  return y + static_cast<double>(std::max<size_t>(row_end.size(), 1)) * kBandRowHeight;
}

void draw_stretches(Svg& svg, const Lanes& lanes, const std::vector<Stretch>& stretches, const std::string& cls,
                    const std::string& fill, double top, double height) {
  for (const Stretch& s : stretches) {
    const Lane* lane = lanes.find(s.lane);
    if (!lane || !svg.visible(s.from, s.to) || !svg.room()) continue;
    const auto [a, z] = svg.span(s.from, s.to);
    const double y = lane->y + (top < 0 ? lane->height + top : top);
    const double hh = height < 0 ? lane->height : height;
    const std::string paint = fill.empty() ? "" : " fill=\"" + fill + "\"";
    svg.add(rect(a, y, z - a, hh, ev_attrs(cls + " " + cls + "-" + s.kind, s.kind, false) + paint, title(s.hover)));
  }
}

// One client's lane: attempts, grants (believed validity and the part it
// held), releases; then over them writes, lease losses, nested use, crashes.
void draw_client(Svg& svg, const Lane& lane, const sim::History& h, TrueInstant end, const Named& named) {
  const int client = lane.client;
  const double y = lane.y;
  const double mid = y + lane.height / 2;
  const double release_y = y + lane.height - 7;
  const char* color = client_color(client);

  // Spans: from a start event to its end event (or the run's end).
  struct Span {
    const Event* start;
    const Event* end = nullptr;
    TrueInstant to;
  };
  std::map<uint64_t, Span> attempts, releases, beliefs;
  std::vector<Span> done_attempts, done_releases, grants;
  auto finish = [](std::map<uint64_t, Span>* open, std::vector<Span>* done, uint64_t session, TrueInstant to,
                   const Event* end_event) {
    auto it = open->find(session);
    if (it == open->end()) return;
    it->second.to = std::min(it->second.to, to);
    it->second.end = end_event;
    done->push_back(it->second);
    open->erase(it);
  };
  auto finish_all = [&](std::map<uint64_t, Span>* open, std::vector<Span>* done, TrueInstant to) {
    while (!open->empty()) finish(open, done, open->begin()->first, to, nullptr);
  };
  for (const Event& e : h.events) {
    if (e.client != client) continue;
    switch (e.kind) {
      case EventKind::kAcquireInvoke: attempts[e.session] = Span{&e, nullptr, end}; break;
      case EventKind::kAcquireOk:
        finish(&attempts, &done_attempts, e.session, e.at, &e);
        beliefs[e.session] = Span{&e, nullptr, std::max(e.at, e.believed_until)};
        break;
      case EventKind::kAcquireFail: finish(&attempts, &done_attempts, e.session, e.at, &e); break;
      case EventKind::kReleaseInvoke:
        finish(&beliefs, &grants, e.session, e.at, &e);
        releases[e.session] = Span{&e, nullptr, end};
        break;
      case EventKind::kReleaseOk:
      case EventKind::kReleaseFail: finish(&releases, &done_releases, e.session, e.at, &e); break;
      case EventKind::kCrash:
        finish_all(&beliefs, &grants, e.at);
        finish_all(&attempts, &done_attempts, e.at);
        finish_all(&releases, &done_releases, e.at);
        break;
      default: break;
    }
  }
  finish_all(&beliefs, &grants, end);
  finish_all(&attempts, &done_attempts, end);
  finish_all(&releases, &done_releases, end);

  auto hover = [](const Span& s) { return title(event_text(*s.start) + (s.end ? "\n" + event_text(*s.end) : "")); };
  for (const Span& s : done_attempts) {
    if (!svg.visible(s.start->at, s.to) || !svg.room()) continue;
    const auto [a, z] = svg.span(s.start->at, s.to);
    svg.add(line(a, mid, z, mid, ev_attrs("attempt", "acquire", named.event(*s.start)), hover(s)));
  }
  for (const Span& s : done_releases) {
    if (!svg.visible(s.start->at, s.to) || !svg.room()) continue;
    const auto [a, z] = svg.span(s.start->at, s.to);
    svg.add("<g " + ev_attrs("release", "release", named.event(*s.start)) + ">" + hover(s) +
            line(a, release_y, z, release_y, "class=\"release-line\"") +
            line(a, release_y - 4, a, release_y + 4, "class=\"release-line\"") + "</g>");
  }
  // The validity the holder believed (pale, to believed_until) and the part
  // it held before releasing or dying (solid): mutex judges the solid part.
  for (const Span& g : grants) {
    const Event& e = *g.start;
    const TrueInstant believed = std::max(e.at, e.believed_until);
    if (!svg.visible(e.at, believed) || !svg.room()) continue;
    const auto [a, z] = svg.span(e.at, believed);
    const auto [ha, hz] = svg.span(e.at, g.to);
    const double by = y + 11, bh = lane.height - 24;
    svg.add("<g " + ev_attrs("grant", "granted", named.sessions.count(e.session) > 0) + " data-session=\"" +
            std::to_string(e.session) + "\" data-client=\"" + std::to_string(client) + "\">" +
            title(event_text(e) + "\nbelieved it held the lock until " + ms_text(g.to)));
    svg.add(rect(a, by, z - a, bh, "class=\"validity\" fill=\"" + std::string(color) + "\" stroke=\"" + color + "\"", ""));
    svg.add(rect(ha, by, hz - ha, bh, "class=\"held\" fill=\"" + std::string(color) + "\"", ""));
    if (e.granted_until > e.at && e.granted_until < believed && svg.visible(e.granted_until)) {
      const double gx = svg.x(e.granted_until);
      svg.add(line(gx, by - 2, gx, by + bh + 2, "class=\"granted-end\""));
    }
    std::string label = "session " + std::to_string(e.session);
    if (e.fence) label += " · fence " + std::to_string(e.fence);
    if (static_cast<double>(label.size()) * kCharWidth + 6 < hz - ha) {
      svg.add(text(ha + 4, by + bh - 5, label, "class=\"bar-label\""));
    }
    svg.add("</g>");
  }

  // Instants, over the spans.
  for (const Event& e : h.events) {
    if (e.client != client || !svg.visible(e.at)) continue;
    const bool is_named = named.event(e);
    const double x = svg.x(e.at);
    const std::string kind = sim::event_kind_name(e.kind);
    const std::string hover_e = title(event_text(e));
    switch (e.kind) {
      case EventKind::kAcquireFail:
        if (svg.room()) svg.add(mark(x, mid, kCross, ev_attrs("acquire-failed", kind, is_named), hover_e));
        break;
      case EventKind::kReleaseOk:
      case EventKind::kReleaseFail:
        if (svg.room()) {
          const std::string cls = e.kind == EventKind::kReleaseOk ? "released" : "release-failed";
          svg.add(line(x, release_y - 4, x, release_y + 4, ev_attrs(cls, kind, is_named), hover_e));
        }
        break;
      case EventKind::kCrash:
        if (svg.room()) svg.add(mark(x, mid, kCross, ev_attrs("crash", kind, is_named), hover_e));
        break;
      case EventKind::kRestart:
        if (svg.room()) svg.add(mark(x + 3, mid, kTriangleRight, ev_attrs("restart", kind, is_named), hover_e));
        break;
      case EventKind::kLeaseLost:
        if (svg.room()) svg.add(mark(x, y + 7, kDiamond, ev_attrs("lease-lost", kind, is_named), hover_e));
        break;
      case EventKind::kWrite:
        if (svg.room()) {
          svg.add("<g " + ev_attrs("write", kind, is_named) + ">" + hover_e + line(x, y + 6, x, y + lane.height - 4, "") +
                  mark(x, y + 5, kArrowHead, "", "") + "</g>");
        }
        break;
      case EventKind::kWriteRejected:
      case EventKind::kWriteLost:
        if (svg.room()) {
          const bool rejected = e.kind == EventKind::kWriteRejected;
          svg.add("<g " + ev_attrs(kind, kind, is_named) + ">" + hover_e + line(x, y + 9, x, y + lane.height - 4, "") +
                  mark(x, y + 5, rejected ? kCross : kCircle, "", "") + "</g>");
        }
        break;
      case EventKind::kReenter:
      case EventKind::kReenterOk:
      case EventKind::kReenterFail:
      case EventKind::kLeave:
      case EventKind::kLeaveOk:
      case EventKind::kLeaveFail:
        if (svg.room()) {
          const bool enter = e.kind == EventKind::kReenter || e.kind == EventKind::kReenterOk ||
                             e.kind == EventKind::kReenterFail;
          const bool failed = e.kind == EventKind::kReenterFail || e.kind == EventKind::kLeaveFail;
          svg.add(mark(x, y + 5, enter ? kTriangleDown : kTriangleUp,
                       ev_attrs(failed ? "nested nested-failed" : "nested", kind, is_named), hover_e));
        }
        break;
      default:
        break;  // attempts, grants and releases are spans, drawn above
    }
  }
}

// The lock key on each node group: a bar per value, on the lane of the
// group's primary, coloured by the client whose token it is, cut at its
// expiry by the primary's clock; a tick per change.
void draw_keys(Svg& svg, const Lanes& lanes, const chaos::Scenario& sc, const sim::History& h, const Plan& plan,
               TrueInstant end, const Named& named) {
  std::string key = h.lock_key;
  if (key.empty()) {
    for (const Event& e : h.events) {
      if (e.kind == EventKind::kMutation) {
        key = e.key;
        break;
      }
    }
  }
  struct Value {
    const Event* set;  // the change that wrote it
    int owner;
  };
  std::vector<std::optional<Value>> current(static_cast<size_t>(h.nodes));
  std::map<std::string, int> owner_of;  // value -> the client whose acquire wrote it
  auto close = [&](int g, TrueInstant to) {
    auto& v = current[static_cast<size_t>(g)];
    if (!v) return;
    const Event& s = *v->set;
    const int member = primary_at(plan, g, s.at);
    const Lane* lane = lanes.find(member_name(g, member));
    v.reset();
    if (!lane) return;
    std::optional<TrueInstant> expires;
    if (s.after_expire_unix_ms) {
      expires = clock_reaches(clock_changes(sc, member_name(g, member)), s.at, s.node_wall_unix_ms,
                              *s.after_expire_unix_ms, to);
    }
    const TrueInstant bar_end = expires ? std::min(*expires, to) : to;
    const int owner = owner_of.count(*s.after) ? owner_of[*s.after] : -1;
    if (svg.visible(s.at, bar_end) && svg.room()) {
      const auto [a, z] = svg.span(s.at, bar_end);
      const double by = lane->y + 8, bh = lane->height - 14;
      std::string hover = member_name(g, member) + " " + s.key + " = \"" + *s.after + "\"";
      hover += owner >= 0 ? " (the token of " + client_name(owner) + ")" : "";
      hover += "\nfrom " + ms_text(s.at) + " to " + ms_text(bar_end);
      if (s.after_expire_unix_ms) {
        hover += "; TTL " + std::to_string(*s.after_expire_unix_ms - s.node_wall_unix_ms) + " ms by " +
                 member_name(g, member) + "'s clock";
      } else {
        hover += "; NO TTL";
      }
      const std::string cls = std::string("key") + (s.after_expire_unix_ms ? "" : " no-ttl");
      svg.add("<g " + ev_attrs(cls, "key", false) + " data-owner=\"" + std::to_string(owner) + "\">" + title(hover));
      svg.add(rect(a, by, z - a, bh, "class=\"key-rect\" fill=\"" + std::string(client_color(owner)) + "\"", ""));
      std::string label = owner >= 0 ? client_name(owner) : "?";
      if (!s.after_expire_unix_ms) label += " · no TTL";
      if (static_cast<double>(label.size()) * kCharWidth + 6 < z - a) svg.add(text(a + 4, by + bh - 4, label, "class=\"bar-label\""));
      svg.add("</g>");
    }
    if (expires && *expires < to && svg.visible(*expires) && svg.room()) {
      svg.add(mark(svg.x(*expires), lane->y + lane->height / 2 + 1, kDiamond, ev_attrs("expiry", "expiry", false),
                   title(s.key + " expires on " + member_name(g, member) + " at " + ms_text(*expires) + " (its clock reads " +
                         std::to_string(*s.after_expire_unix_ms) + ")")));
    }
  };
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kMutation || e.key != key || e.node < 0 || e.node >= h.nodes) continue;
    const auto g = static_cast<size_t>(e.node);
    // The owner: who acquired with this value; a release or extend keeps
    // the owner; a change by nobody (crash, failover) brings back a value
    // whose owner is known from when it was written.
    int owner = -1;
    if (e.after) {
      if (e.client >= 0 && e.op == sim::Op::kAcquire) {
        owner = e.client;
        owner_of[*e.after] = e.client;
      } else if (e.client >= 0 && current[g] && owner_of.count(*current[g]->set->after)) {
        owner = owner_of[*current[g]->set->after];
        owner_of[*e.after] = owner;
      } else if (owner_of.count(*e.after)) {
        owner = owner_of[*e.after];
      } else if (e.client >= 0) {
        owner = e.client;
        owner_of[*e.after] = e.client;
      }
    }
    close(e.node, e.at);
    if (e.after) current[g] = Value{&e, owner};
    const Lane* lane = lanes.find(member_name(e.node, primary_at(plan, e.node, e.at)));
    if (lane && svg.visible(e.at) && svg.room()) {
      const double x = svg.x(e.at);
      const char* color = e.client >= 0 ? client_color(e.client) : "#555";
      svg.add(line(x, lane->y + 1, x, lane->y + 7,
                   ev_attrs(std::string("mutation") + (e.client < 0 ? " by-nobody" : ""), "mutation", named.event(e)) +
                       " stroke=\"" + color + "\"",
                   title(event_text(e))));
    }
  }
  for (int g = 0; g < h.nodes; ++g) close(g, end);
}

// Schedule faults that happen at an instant on a process: clock jumps,
// drift, node crashes and restarts, failovers.
void draw_instant_faults(Svg& svg, const Lanes& lanes, const chaos::Scenario& sc, const Plan& plan, TrueInstant end) {
  for (const auto& f : sc.faults) {
    const TrueInstant at = sim::at_ms(f.at_ms);
    const Lane* lane = lanes.find(f.target);
    if (!lane) continue;
    const std::string kind(chaos::fault_kind_name(f.kind));
    const double mid = lane->y + lane->height / 2;
    if (f.kind == chaos::FaultKind::kClockJump || f.kind == chaos::FaultKind::kDrift) {
      if (!svg.visible(at) || !svg.room()) continue;
      const double x = svg.x(at);
      const std::string label = f.kind == chaos::FaultKind::kClockJump
                                    ? std::string(f.delta_ms >= 0 ? "+" : "") + std::to_string(f.delta_ms) + " ms"
                                    : std::to_string(f.ppm) + " ppm";
      svg.add("<g " + ev_attrs("clock", kind, false) + ">" + title(chaos::describe(f)) +
              mark(x, lane->y + 7, kBolt, "class=\"bolt\"", "") + text(x + 5, lane->y + 10, label, "class=\"clock-label\"") +
              "</g>");
    } else if (f.kind == chaos::FaultKind::kNodeCrash || (f.kind == chaos::FaultKind::kCrash && lane->client < 0)) {
      if (svg.visible(at) && svg.room()) svg.add(mark(svg.x(at), mid, kCross, ev_attrs("crash", kind, false), title(chaos::describe(f))));
      if (f.restart_after_ms) {
        const TrueInstant back = at + Millis(*f.restart_after_ms);
        if (back <= end && svg.visible(back) && svg.room()) {
          svg.add(mark(svg.x(back) + 3, mid, kTriangleRight, ev_attrs("restart", "restart", false),
                       title(f.target + " restarts at " + ms_text(back))));
        }
      }
    }
  }
  for (const auto& fo : plan.failovers) {
    const Lane* from = lanes.find(member_name(fo.group, fo.from_member));
    const Lane* to = lanes.find(member_name(fo.group, fo.to_member));
    if (!from || !to || !svg.visible(fo.at) || !svg.room()) continue;
    const double x = svg.x(fo.at);
    svg.add("<g " + ev_attrs("failover", "failover", false) + ">" + title(fo.hover) +
            line(x, from->y + from->height / 2, x, to->y + to->height / 2, "class=\"failover-line\"") +
            mark(x, to->y + to->height / 2, kTriangleRight, "class=\"failover-head\"", "") + "</g>");
  }
}

void draw_violations(Svg& svg, const std::vector<properties::Violation>& violations, double y_label, double y_top,
                     double y_bottom) {
  // Markers at the same instant share one line and one label.
  std::vector<std::pair<TrueInstant, std::vector<const properties::Violation*>>> at;
  for (const auto& v : violations) {
    auto it = std::find_if(at.begin(), at.end(), [&](const auto& a) { return a.first == v.at; });
    if (it == at.end()) {
      at.push_back({v.at, {&v}});
    } else {
      it->second.push_back(&v);
    }
  }
  std::sort(at.begin(), at.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  double last_label_end = -1e9;
  int row = 0;
  for (const auto& [t, vs] : at) {
    if (!svg.visible(t)) continue;
    std::string props, shown, hover;
    for (const auto* v : vs) {
      props += (props.empty() ? "" : " ") + v->property;
      shown += (shown.empty() ? "" : ", ") + v->property;
      hover += (hover.empty() ? "" : "\n") + v->property + " violated at " + ms_text(t) + ": " + v->explanation;
    }
    const double x = svg.x(t);
    const std::string label = shown + " @ " + ms_short(t);
    const double w = static_cast<double>(label.size()) * kCharWidth;
    row = x - 4 < last_label_end ? (row + 1) % kViolationRowsMax : 0;
    last_label_end = std::max(last_label_end, x + w);
    const double ly = y_label + static_cast<double>(row) * kViolationRowHeight + 12;
    const bool flip = x + w > svg.x1();  // near the right edge: label to the left
    svg.add("<g class=\"violation\" data-property=\"" + html_escape(props) + "\" data-at-ms=\"" + ms_number(t) +
            "\">" + title(hover));
    svg.add(line(x, y_top, x, y_bottom, "class=\"violation-line\""));
    svg.add(text(flip ? x - 4 : x + 4, ly, label, std::string("class=\"violation-label\"") + (flip ? " text-anchor=\"end\"" : "")));
    svg.add("</g>");
  }
}

}  // namespace

TimeWindow whole_run(const sim::History& history) {
  TrueInstant end = history.end;
  if (!history.events.empty()) end = std::max(end, history.events.back().at);
  if (end <= TrueInstant{}) end = sim::at_ms(1);
  return {TrueInstant{}, end};
}

TimeWindow focus_window(const sim::History& history, const std::vector<properties::Violation>& violations) {
  const TimeWindow whole = whole_run(history);
  if (violations.empty()) return whole;
  const properties::Violation& focus = violations.front();
  Named named;
  read_names(focus, &named);
  TrueInstant lo = focus.at, hi = focus.at;
  for (const Event& e : history.events) {
    if (named.event(e)) {
      lo = std::min(lo, e.at);
      hi = std::max(hi, e.at);
    }
    if (e.kind == EventKind::kAcquireOk && named.sessions.count(e.session)) {
      lo = std::min(lo, e.at);
      hi = std::max(hi, std::max(e.at, e.believed_until));
    }
  }
  const Nanos margin = std::max<Nanos>((hi - lo) / 6, Millis(std::max<int64_t>(history.ttl_ms / 2, 50)));
  TimeWindow w{std::max(whole.from, lo - margin), std::min(whole.to, hi + margin)};
  // Most of the run anyway: show all of it.
  if ((w.to - w.from) * 10 >= (whole.to - whole.from) * 6) return whole;
  return w;
}

double timeline_x(const TimelineOptions& options, const TimeWindow& window, TrueInstant at) {
  const double x0 = kLabelWidth, x1 = options.width_px - kRightPad;
  const double span = static_cast<double>((window.to - window.from).count());
  return x0 + static_cast<double>((at - window.from).count()) / span * (x1 - x0);
}

std::string render_timeline_svg(const chaos::Scenario& scenario, const sim::History& history,
                                const std::vector<properties::Violation>& violations, const TimelineOptions& options) {
  LC_CHECK(options.width_px >= 400 && options.width_px <= 20000);
  LC_CHECK(std::all_of(options.id_prefix.begin(), options.id_prefix.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }));
  const TimeWindow whole = whole_run(history);
  TimeWindow w = options.window.to > options.window.from ? options.window : whole;
  const TrueInstant end = whole.to;
  Svg svg(options, w);
  const Named named = read_names(violations);
  const Plan plan = make_plan(scenario, history, end);
  const std::string& id = options.id_prefix;

  // Vertical layout, top down.
  double y = 4;
  const double y_violation_labels = y;
  if (!violations.empty()) y += kViolationRowHeight * std::min<double>(kViolationRowsMax, static_cast<double>(violations.size()));
  const double y_axis = y;
  y += kAxisHeight;
  const double y_faults = y;

  // The fault section's height depends on how its bands pack: draw it
  // into its own buffer first.
  Svg faults_svg(options, w);
  const double y_after_faults = draw_faults(faults_svg, scenario, history, w, end, y_faults);
  y = y_after_faults + (y_after_faults > y_faults ? kSectionGap : 0);

  Lanes lanes;
  for (int c = 0; c < history.clients; ++c) {
    lanes.add({client_name(c), c, y, kClientLaneHeight});
    y += kClientLaneHeight;
  }
  y += kSectionGap;
  for (int g = 0; g < history.nodes; ++g) {
    for (int m = 0; m <= scenario.world.replicas; ++m) {
      lanes.add({member_name(g, m), -1, y, kNodeLaneHeight});
      y += kNodeLaneHeight;
    }
  }
  const double y_lanes_end = y;
  const double height = y_lanes_end + 6;

  std::string out;
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"" + std::to_string(options.width_px) +
         "\" height=\"" + num(height) + "\" viewBox=\"0 0 " + std::to_string(options.width_px) + " " + num(height) +
         "\" data-t0-ms=\"" + std::to_string(sim::true_ms(w.from)) + "\" data-t1-ms=\"" +
         std::to_string(sim::true_ms(w.to)) + "\" data-x0=\"" + num(svg.x0()) + "\" data-x1=\"" + num(svg.x1()) +
         "\" role=\"img\" aria-label=\"timeline of the run in true time\">";
  out += "<defs><pattern id=\"" + id + "-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b9b9b9\" stroke-width=\"2.5\"/></pattern>"
         "<pattern id=\"" + id + "-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
         "patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#d9d9d9\"/>"
         "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8d8d8d\" stroke-width=\"2\"/></pattern></defs>";

  // Lane backgrounds and labels.
  svg.add("<g class=\"lanes\">");
  for (size_t i = 0; i < lanes.all().size(); ++i) {
    const Lane& lane = lanes.all()[i];
    const std::string cls = lane.client >= 0 ? "client-lane" : "node-lane";
    svg.add("<g class=\"lane " + cls + "\" data-lane=\"" + html_escape(lane.name) + "\">");
    svg.add(rect(0, lane.y, options.width_px, lane.height, std::string("class=\"lane-bg") + (i % 2 ? " odd" : "") + "\"", ""));
    if (lane.client >= 0) {
      svg.add(rect(8, lane.y + lane.height / 2 - 5, 10, 10,
                   "fill=\"" + std::string(client_color(lane.client)) + "\" rx=\"2\"", ""));
      svg.add(text(24, lane.y + lane.height / 2 + 4, lane.name, "class=\"lane-label\""));
    } else {
      const bool replica = lane.name.find("-replica-") != std::string::npos;
      svg.add(text(replica ? 20 : 8, lane.y + lane.height / 2 + 4, lane.name,
                   std::string("class=\"lane-label") + (replica ? " replica" : "") + "\""));
    }
    svg.add("</g>");
  }
  svg.add("</g>");
  draw_axis(svg, w, y_axis, y_lanes_end);
  svg.add(faults_svg.out());

  // Shading under the marks: down time, pauses, cut links.
  draw_stretches(svg, lanes, plan.down, "down", "url(#" + id + "-down)", 1, -1);
  draw_stretches(svg, lanes, plan.pauses, "pause", "url(#" + id + "-hatch)", 1, -1);
  draw_stretches(svg, lanes, plan.cuts, "cut", "", 1, -1);

  draw_keys(svg, lanes, scenario, history, plan, end, named);
  for (int c = 0; c < history.clients; ++c) draw_client(svg, *lanes.find(client_name(c)), history, end, named);
  draw_instant_faults(svg, lanes, scenario, plan, end);
  draw_violations(svg, violations, y_violation_labels, y_axis + 19, y_lanes_end);

  // The cursor the page's script moves (hidden without it).
  svg.add("<g class=\"cursor\" visibility=\"hidden\">" + line(0, y_axis + 19, 0, y_lanes_end, "class=\"cursor-line\"") +
          "<text class=\"cursor-label\" x=\"0\" y=\"" + num(y_axis + 30) + "\"></text></g>");
  const size_t left_out = svg.left_out() + faults_svg.left_out();
  if (left_out > 0) {
    svg.add(text(svg.x1(), height - 2, std::to_string(left_out) + " marks not drawn (over " +
                                           std::to_string(kTimelineShapesMax) + "): narrow the window",
                 "class=\"left-out\" text-anchor=\"end\""));
  }
  out += svg.out();
  out += "</svg>";
  return out;
}

std::string render_timeline_legend() {
  struct Item {
    std::string swatch;  // SVG content in a 30 x 16 box
    const char* label;
  };
  const std::string c0 = client_color(0);
  const std::vector<Item> items = {
      {"<line x1=\"2\" y1=\"8\" x2=\"28\" y2=\"8\" class=\"attempt\"/>", "acquire attempt"},
      {"<rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"validity\" fill=\"" + c0 + "\" stroke=\"" + c0 +
           "\"/><rect x=\"2\" y=\"3\" width=\"14\" height=\"10\" class=\"held\" fill=\"" + c0 + "\"/>",
       "grant: held (solid), believed validity (pale)"},
      {"<g class=\"write\"><line x1=\"15\" y1=\"6\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" d=\"" +
           std::string(kArrowHead) + "\"/></g>",
       "resource write"},
      {"<g class=\"write-rejected\"><line x1=\"15\" y1=\"6\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" "
       "d=\"M-3,-3L3,3M-3,3L3,-3\"/></g>",
       "write rejected (stale fence)"},
      {"<g class=\"write-lost\"><line x1=\"15\" y1=\"7\" x2=\"15\" y2=\"15\"/><path transform=\"translate(15 4)\" d=\"" +
           std::string(kCircle) + "\"/></g>",
       "write lost"},
      {"<g class=\"release\"><line x1=\"4\" y1=\"8\" x2=\"26\" y2=\"8\" class=\"release-line\"/><line x1=\"4\" y1=\"4\" "
       "x2=\"4\" y2=\"12\" class=\"release-line\"/></g>",
       "release"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(kDiamond) + "\" class=\"lease-lost\"/>", "lease lost"},
      {"<rect x=\"2\" y=\"2\" width=\"26\" height=\"12\" class=\"key-rect\" fill=\"" + c0 + "\"/>",
       "lock key on a node (owner's colour)"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(kDiamond) + "\" class=\"expiry\"/>",
       "key expires (node's clock)"},
      {"<line x1=\"15\" y1=\"2\" x2=\"15\" y2=\"9\" class=\"mutation\" stroke=\"" + c0 + "\"/>", "key change"},
      {"<path transform=\"translate(12 8)\" d=\"" + std::string(kBolt) + "\" class=\"bolt\"/>", "clock jump / drift"},
      {"<rect x=\"2\" y=\"1\" width=\"26\" height=\"14\" fill=\"url(#legend-hatch)\"/>", "paused"},
      {"<rect x=\"2\" y=\"1\" width=\"26\" height=\"14\" fill=\"url(#legend-down)\"/>", "down (crashed, dead)"},
      {"<path transform=\"translate(9 8)\" d=\"" + std::string(kCross) +
           "\" class=\"crash\"/><path transform=\"translate(22 8)\" d=\"" + std::string(kTriangleRight) +
           "\" class=\"restart\"/>",
       "crash, restart"},
      {"<g class=\"band-partition\"><rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"band-rect\"/></g>",
       "partition (its processes tinted)"},
      {"<g class=\"band-delay\"><rect x=\"2\" y=\"3\" width=\"26\" height=\"10\" class=\"band-rect\"/></g>",
       "delay / loss / duplicates"},
      {"<path transform=\"translate(15 8)\" d=\"" + std::string(kTriangleDown) + "\" class=\"fault-event\"/>",
       "fault event"},
      {"<line x1=\"15\" y1=\"0\" x2=\"15\" y2=\"16\" class=\"violation-line\"/>", "violation"},
      {"<rect x=\"4\" y=\"3\" width=\"22\" height=\"10\" class=\"held named\" fill=\"" + c0 + "\"/>",
       "named by the violation"},
  };
  std::string out = "<div class=\"legend\"><svg width=\"0\" height=\"0\" style=\"position:absolute\"><defs>"
                    "<pattern id=\"legend-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                    "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><line x1=\"0\" "
                    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b9b9b9\" stroke-width=\"2.5\"/></pattern>"
                    "<pattern id=\"legend-down\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                    "patternTransform=\"rotate(-45)\"><rect width=\"6\" height=\"6\" fill=\"#d9d9d9\"/><line x1=\"0\" "
                    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8d8d8d\" stroke-width=\"2\"/></pattern></defs></svg>";
  for (const auto& item : items) {
    out += "<span class=\"legend-item\"><svg class=\"timeline swatch\" width=\"30\" height=\"16\">" + item.swatch +
           "</svg>" + html_escape(item.label) + "</span>";
  }
  out += "</div>";
  return out;
}

std::string timeline_css() {
  return R"(svg.timeline { font: 11px "DejaVu Sans", Verdana, sans-serif; display: block; max-width: 100%; height: auto; }
svg.timeline.swatch { display: inline-block; vertical-align: middle; margin-right: 4px; }
.timeline .lane-bg { fill: #ffffff; }
.timeline .lane-bg.odd { fill: #f6f7f9; }
.timeline .lane-label { font-weight: 600; fill: #222; }
.timeline .lane-label.replica { font-weight: 400; fill: #555; }
.timeline .axis text { fill: #444; }
.timeline .axis-title { fill: #666; font-style: italic; }
.timeline .axis-line { stroke: #888; }
.timeline .grid { stroke: #e3e5e8; }
.timeline .attempt { stroke: #8a8a8a; stroke-width: 2; stroke-dasharray: 4 2; }
.timeline .acquire-failed { stroke: #8a8a8a; stroke-width: 2; fill: none; }
.timeline .validity { fill-opacity: 0.18; stroke-width: 1; stroke-dasharray: 3 2; }
.timeline .held { fill-opacity: 0.85; }
.timeline .granted-end { stroke: #333; stroke-dasharray: 2 2; }
.timeline .bar-label { fill: #fff; font-weight: 600; pointer-events: none; stroke: none; }
.timeline .write line { stroke: #111; stroke-width: 1.5; }
.timeline .write path { fill: #111; }
.timeline .write-rejected line, .timeline .write-rejected path { stroke: #b01818; stroke-width: 2; fill: none; }
.timeline .write-lost line { stroke: #777; stroke-width: 2; stroke-dasharray: 3 2; }
.timeline .write-lost path { stroke: #777; stroke-width: 1.5; fill: #fff; }
.timeline .release-line { stroke: #333; stroke-width: 1.5; }
.timeline .released, .timeline .release-failed { stroke-width: 1.5; }
.timeline .released { stroke: #333; }
.timeline .release-failed { stroke: #b01818; }
.timeline .lease-lost { fill: #f4a300; stroke: #8a5a00; }
.timeline .nested { fill: #6a3d9a; }
.timeline .nested-failed { fill: #b01818; }
.timeline .key-rect { fill-opacity: 0.55; }
.timeline .no-ttl .key-rect { stroke: #b01818; stroke-width: 1.5; stroke-dasharray: 4 2; }
.timeline .no-ttl .bar-label { fill: #7a0000; }
.timeline .key .bar-label { fill: #1b1b1b; font-weight: 600; }
.timeline .expiry { fill: #fff; stroke: #444; stroke-width: 1.2; }
.timeline .mutation { stroke-width: 2; }
.timeline .mutation.by-nobody { stroke-width: 2.5; }
.timeline .bolt { fill: #f4a300; stroke: #8a5a00; stroke-width: 0.8; }
.timeline .clock-label { fill: #8a5a00; font-weight: 600; }
.timeline .crash { stroke: #b01818; stroke-width: 2.5; fill: none; }
.timeline .restart { fill: #2ca02c; }
.timeline .failover-line { stroke: #6a3d9a; stroke-width: 2; stroke-dasharray: 3 2; }
.timeline .failover-head { fill: #6a3d9a; }
.timeline .band-rect { stroke-width: 1; }
.timeline .band-partition .band-rect { fill: #f8d7da; stroke: #c9737b; }
.timeline .band-delay .band-rect { fill: #fff1c2; stroke: #c9a227; }
.timeline .band-drop .band-rect { fill: #dde3ea; stroke: #8797a8; }
.timeline .band-duplicate .band-rect { fill: #e8defa; stroke: #9b84c9; }
.timeline .band-label { fill: #333; }
.timeline .cut-partition { fill: #f4c7cb; fill-opacity: 0.45; }
.timeline .cut-delay { fill: #ffe79a; fill-opacity: 0.45; }
.timeline .fault-event { fill: #555; }
.timeline .violation-line { stroke: #d62728; stroke-width: 2; stroke-dasharray: 6 3; }
.timeline .violation-label { fill: #d62728; font-weight: 700; }
.timeline .named:not(g), .timeline g.named > rect, .timeline g.named > line, .timeline g.named > path {
  stroke: #d62728; stroke-width: 2.5; stroke-dasharray: none; }
.timeline g.named > rect.validity { stroke-width: 1.5; }
.timeline .cursor-line { stroke: #333; stroke-width: 1; stroke-dasharray: 2 2; pointer-events: none; }
.timeline .cursor-label { fill: #111; font-weight: 600; pointer-events: none; }
.timeline .left-out { fill: #b01818; }
.timeline .ev:hover { opacity: 0.75; }
)";
}

}  // namespace lockcheck::reports
