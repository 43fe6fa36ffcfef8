#include "sim/history.h"

#include <cstdio>

namespace lockcheck::sim {

const char* event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kAcquireInvoke: return "acquire";
    case EventKind::kAcquireOk: return "granted";
    case EventKind::kAcquireFail: return "acquire-failed";
    case EventKind::kLeaseLost: return "lease-lost";
    case EventKind::kReleaseInvoke: return "release";
    case EventKind::kReleaseOk: return "released";
    case EventKind::kReleaseFail: return "release-failed";
    case EventKind::kWrite: return "write";
    case EventKind::kMutation: return "mutation";
    case EventKind::kFault: return "fault";
    case EventKind::kCrash: return "crash";
    case EventKind::kRestart: return "restart";
    case EventKind::kReenter: return "reenter";
    case EventKind::kReenterOk: return "reentered";
    case EventKind::kReenterFail: return "reenter-failed";
    case EventKind::kLeave: return "leave";
    case EventKind::kLeaveOk: return "left";
    case EventKind::kLeaveFail: return "leave-failed";
    case EventKind::kWriteRejected: return "write-rejected";
    case EventKind::kWriteLost: return "write-lost";
    case EventKind::kExtendInvoke: return "extend";
    case EventKind::kExtendOk: return "extended";
    case EventKind::kExtendFail: return "extend-failed";
    case EventKind::kNote: return "note";
  }
  return "?";
}

const char* op_name(Op op) {
  switch (op) {
    case Op::kNone: return "none";
    case Op::kAcquire: return "acquire";
    case Op::kRelease: return "release";
    case Op::kExtend: return "extend";
    case Op::kCheck: return "validity check";
  }
  return "?";
}

namespace {
std::string show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "(none)"; }

std::string ms(Nanos d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(d.count()) / 1e6);
  return buf;
}
}  // namespace

std::string describe(const Event& e) {
  char head[64];
  std::snprintf(head, sizeof head, "%10.3f ms  ", static_cast<double>(e.at.time_since_epoch().count()) / 1e6);
  std::string out = head;
  if (e.kind == EventKind::kMutation) {
    out += "node-" + std::to_string(e.node) + " " + e.key + ": " + show(e.before) + " -> " + show(e.after);
    if (e.after_expire_unix_ms) {
      out += " ttl " + std::to_string(*e.after_expire_unix_ms - e.node_wall_unix_ms) + " ms";
    } else if (e.after) {
      out += " NO TTL";
    }
    if (e.client >= 0) {
      out += " (by client-" + std::to_string(e.client) + " during " + op_name(e.op) + ")";
    } else {
      out += " (" + e.detail + ")";  // no client: a crash, a failover or a clock jump
    }
    return out;
  }
  if (e.client >= 0) out += "client-" + std::to_string(e.client) + " ";
  out += event_kind_name(e.kind);
  if (e.session) out += " session " + std::to_string(e.session);
  // Whole tokens: many strategies' tokens share a prefix (getset's are
  // wall-clock stamps), and a counterexample turns on which is which.
  if (!e.token.empty()) out += " token " + e.token;
  if (e.fence) out += " fence " + std::to_string(e.fence);
  if (e.kind == EventKind::kAcquireOk) {
    // The validity the grant started with; a later check may have believed
    // longer (believed_until), which mutex judges.
    out += " valid for " + ms(e.granted_until - e.at) + " (until " + ms(e.granted_until.time_since_epoch()) + ")";
    if (e.believed_until > e.granted_until) {
      out += ", later believed until " + ms(e.believed_until.time_since_epoch());
    }
  }
  if (!e.detail.empty()) out += ": " + e.detail;
  return out;
}

}  // namespace lockcheck::sim
