#include "reports/timeline.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>

#include "impl/check.h"
#include "reports/html.h"
#include "reports/timeline_marks.h"
#include "reports/timeline_model.h"
#include "sim/world.h"

namespace lockcheck::reports {

namespace {

using sim::Event;
using sim::EventKind;
using sim::TrueInstant;
using marks::client_color;
using marks::kArrowHead;
using marks::kBolt;
using marks::kCircle;
using marks::kCross;
using marks::kDiamond;
using marks::kTriangleDown;
using marks::kTriangleRight;
using marks::kTriangleUp;

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

  void add(const std::string& s) { out_ += s; }
  // Appends a section drawn apart (to measure it first); its marks count
  // against the same limit.
  void add(const Svg& section) {
    out_ += section.out_;
    shapes_ += section.shapes_;
    left_out_ += section.left_out_;
  }
  const std::string& out() const { return out_; }

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
double draw_faults(Svg& svg, const chaos::Scenario& sc, const sim::History& h, TrueInstant end,
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
    std::string detail = event_text(e);
    if (e.token_nodes >= 0) {
      detail += "\nits token was live on " + std::to_string(e.token_nodes) + " of " + std::to_string(h.nodes) +
                " nodes (by their clocks)";
    }
    const std::string hover_e = title(detail);
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
void draw_keys(Svg& svg, const Lanes& lanes, const chaos::Scenario& sc, const sim::History& h, const LaneStretches& plan,
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
  std::map<std::string, int> owner_of;  // value -> its owner, when last written
  auto close = [&](int g, TrueInstant to) {
    auto& v = current[static_cast<size_t>(g)];
    if (!v) return;
    const Event& s = *v->set;
    const int owner = v->owner;
    const int member = plan.primary_at(g, s.at);
    const Lane* lane = lanes.find(member_name(g, member));
    v.reset();
    if (!lane) return;
    std::optional<TrueInstant> expires;
    if (s.after_expire_unix_ms) {
      expires = clock_reaches(clock_changes(sc, member_name(g, member)), s.at, s.node_wall_unix_ms,
                              *s.after_expire_unix_ms, to);
    }
    const TrueInstant bar_end = expires ? std::min(*expires, to) : to;
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
      // The owner, and the TTL the node gave it when there is room.
      const std::string who = owner >= 0 ? client_name(owner) : "?";
      const std::string ttl = s.after_expire_unix_ms
                                  ? std::to_string(*s.after_expire_unix_ms - s.node_wall_unix_ms) + " ms TTL"
                                  : "no TTL";
      for (const std::string& label : {who + " · " + ttl, who}) {
        if (static_cast<double>(label.size()) * kCharWidth + 6 < z - a) {
          svg.add(text(a + 4, by + bh - 4, label, "class=\"bar-label\""));
          break;
        }
      }
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
    // The owner: the client whose acquire wrote the value; a release or
    // extend keeps it; a value a crash or failover brought back belongs to
    // whoever wrote it first.
    int owner = -1;
    if (e.after) {
      if (e.client >= 0 && e.op == sim::Op::kAcquire) {
        owner = e.client;
      } else if (e.client >= 0 && current[g]) {
        owner = current[g]->owner;
      } else if (auto it = owner_of.find(*e.after); it != owner_of.end()) {
        owner = it->second;
      } else {
        owner = e.client;
      }
      if (owner >= 0) owner_of[*e.after] = owner;
    }
    close(e.node, e.at);
    if (e.after) current[g] = Value{&e, owner};
    const Lane* lane = lanes.find(member_name(e.node, plan.primary_at(e.node, e.at)));
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
void draw_instant_faults(Svg& svg, const Lanes& lanes, const chaos::Scenario& sc, const LaneStretches& plan, TrueInstant end) {
  for (const auto& f : sc.faults) {
    const TrueInstant at = sim::at_ms(f.at_ms);
    if (!f.target) continue;
    const std::string target = sim::process_name(*f.target);
    const Lane* lane = lanes.find(target);
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
              line(x, lane->y + 2, x, lane->y + lane->height - 2, "class=\"clock-line\"") +
              mark(x, lane->y + 8, kBolt, "class=\"bolt\"", "") +
              text(x + 5, lane->y + 11, label, "class=\"clock-label\"") + "</g>");
    } else if (f.kind == chaos::FaultKind::kNodeCrash || (f.kind == chaos::FaultKind::kCrash && lane->client < 0)) {
      if (svg.visible(at) && svg.room()) svg.add(mark(svg.x(at), mid, kCross, ev_attrs("crash", kind, false), title(chaos::describe(f))));
      if (f.restart_after_ms) {
        const TrueInstant back = at + Millis(*f.restart_after_ms);
        if (back <= end && svg.visible(back) && svg.room()) {
          svg.add(mark(svg.x(back) + 3, mid, kTriangleRight, ev_attrs("restart", "restart", false),
                       title(target + " restarts at " + ms_text(back))));
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
      props += (props.empty() ? "" : " ") + properties::property_name(v->property);
      shown += (shown.empty() ? "" : ", ") + properties::property_name(v->property);
      hover += (hover.empty() ? "" : "\n") + properties::property_name(v->property) + " violated at " + ms_text(t) + ": " + v->explanation;
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
  const Named named = names_in({focus});
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

TimeWindow fit_window(const sim::History& history, TimeWindow window, TrueInstant around) {
  const auto& ev = history.events;
  auto by_time = [](const Event& e, TrueInstant t) { return e.at < t; };
  const auto first = std::lower_bound(ev.begin(), ev.end(), window.from, by_time);
  const auto last = std::upper_bound(ev.begin(), ev.end(), window.to, [](TrueInstant t, const Event& e) { return t < e.at; });
  if (static_cast<size_t>(last - first) <= kTimelineEventsMax) return window;
  const auto n = static_cast<std::ptrdiff_t>(kTimelineEventsMax);
  auto center = std::lower_bound(first, last, around, by_time);
  auto from = center - std::min(center - first, n / 2);
  const auto to = from + std::min(last - from, n);
  from = to - n;
  TimeWindow out{from == first ? window.from : from->at, to == last ? window.to : (to - 1)->at};
  if (out.to <= out.from) out.to = out.from + Millis(1);
  return out;
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
  const Named named = names_in(violations);
  const LaneStretches plan = lane_stretches(scenario, history, end);
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
  const double y_after_faults = draw_faults(faults_svg, scenario, history, end, y_faults);
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
    svg.add(rect(0, lane.y, svg.x1() + 2, lane.height, std::string("class=\"lane-bg") + (i % 2 ? " odd" : "") + "\"", ""));
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
  svg.add(faults_svg);

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
  if (svg.left_out() > 0) {
    svg.add(text(svg.x1(), height - 2, std::to_string(svg.left_out()) + " marks not drawn (over " +
                                           std::to_string(kTimelineShapesMax) + "): narrow the window",
                 "class=\"left-out\" text-anchor=\"end\""));
  }
  out += svg.out();
  out += "</svg>";
  return out;
}

}  // namespace lockcheck::reports
