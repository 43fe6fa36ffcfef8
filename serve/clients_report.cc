#include "serve/clients_report.h"

#include <algorithm>
#include <set>

#include "reports/ci_outputs.h"
#include "reports/html.h"
#include "reports/matrix_html.h"
#include "reports/real_time.h"

namespace lockcheck::serve {

std::string reproduce_command(const CheckOptions& o, const std::string& faults) {
  using reports::shell_quote;
  return "lockcheck clients --driver " + shell_quote(o.driver_command) + " --name " + shell_quote(o.driver_name) +
         (o.strategy.empty() ? "" : " --strategy " + shell_quote(o.strategy)) + " --faults " + shell_quote(faults) +
         " --nodes " + std::to_string(o.nodes) + " --clients " + std::to_string(o.clients) + " --ttl-ms " +
         std::to_string(o.ttl_ms) + " --acquires " + std::to_string(o.acquires) + " --hold-ms " +
         std::to_string(o.hold_ms) + " --writes " + std::to_string(o.writes) + " --think-ms " +
         std::to_string(o.think_ms) + " --acquire-timeout-ms " + std::to_string(o.acquire_timeout_ms) +
         " --timeout-s " + std::to_string(o.deadline_ms / 1000) + " --seed " + std::to_string(o.seed) +
         (o.persistence != Persistence::kNone ? std::string(" --persistence ") + persistence_name(o.persistence) : "") +
         (o.replicas > 0 ? " --replicas " + std::to_string(o.replicas) : "") +
         (o.replication_lag_ms >= 0 ? " --replication-lag-ms " + std::to_string(o.replication_lag_ms) : "");
}

reports::CellReport real_time_cell(const CheckOptions& o, const std::string& faults) {
  reports::CellReport c;
  c.result.spec.strategy = reports::real_time_cell_name(o.driver_name, o.strategy);
  c.result.spec.faults_label = faults;
  c.result.spec.seeds = 0;
  c.result.spec.first_seed = 0;
  for (const auto& info : properties::property_catalog()) {
    properties::PropertyResult p;
    p.property = info.property;
    c.result.properties.push_back(p);
  }
  c.counterexample_files.assign(c.result.properties.size(), "");
  c.real_time = reports::RealTimeCell{o.driver_name, o.driver_command, o.seed, {}};
  return c;
}

Result<std::vector<FirstViolation>> add_run(reports::CellReport* cell, const CheckOptions& o, const CheckOutcome& out,
                                            const std::string& report_dir) {
  LC_CHECK(out.exit_code == 0);
  auto& r = cell->result;
  const int run = r.seeds_run;
  {
    // Every run's history beside its driver logs, violated or not.
    std::string text;
    for (const AppliedFault& af : out.faults) {
      text += "fault at " + std::to_string(sim::true_ms(af.at)) + " ms: " + af.what + "\n";
    }
    for (const sim::Event& e : out.history.events) text += sim::describe(e) + "\n";
    if (auto s = reports::write_file_atomic(o.log_dir + "/history.txt", text); !s.ok()) return s.error();
  }
  r.seeds_run += 1;
  r.spec.seeds = r.seeds_run;
  r.lock_cycles += static_cast<uint64_t>(out.grants);
  r.events += out.history.events.size();
  cell->wall_ms += out.wall_ms;
  cell->real_time->run_wall_ms.push_back(out.wall_ms);
  std::set<properties::Property> violated;
  for (const auto& v : out.violations) violated.insert(v.property);
  std::vector<FirstViolation> first;
  for (size_t k = 0; k < r.properties.size(); ++k) {
    properties::PropertyResult& p = r.properties[k];
    p.seeds_judged += 1;
    if (!violated.count(p.property)) continue;
    p.seeds_violated += 1;
    if (p.seeds_violated > 1) continue;
    // The first run that violated it: its schedule and recorded history.
    const auto v = std::find_if(out.violations.begin(), out.violations.end(),
                                [&](const properties::Violation& x) { return x.property == p.property; });
    const std::string name = properties::property_name(p.property);
    reports::RealTimeCounterexample cx;
    cx.driver = o.driver_name;
    cx.command = o.driver_command;
    cx.strategy = o.strategy;
    cx.faults = r.spec.faults_label;
    cx.run = run;
    cx.target = out.target;
    cx.property = name;
    cx.reproduce = reproduce_command(o, r.spec.faults_label);
    for (const AppliedFault& af : out.faults) cx.schedule.push_back({af.at, af.what});
    cx.violations = out.violations;
    cx.history = out.history;
    const std::string file = report_dir + "/" + reports::counterexample_name(r, name);
    if (auto s = reports::write_file_atomic(file, reports::format_real_time_counterexample(cx)); !s.ok()) return s.error();
    const std::string page = reports::render_real_time_page(file, cx);
    if (auto s = reports::write_file_atomic(reports::counterexample_page(file), page); !s.ok()) return s.error();
    p.seed = static_cast<uint64_t>(run);
    p.explanation = v->explanation;
    properties::Counterexample shown;
    shown.explanation = v->explanation;
    p.counterexample = shown;
    cell->counterexample_files[k] = file;
    if (!r.violated) r.seed = static_cast<uint64_t>(run);
    r.violated = true;
    first.push_back({name, v->explanation, file});
  }
  return first;
}

Status write_outputs(const std::vector<reports::CellReport>& cells, const std::string& report_dir) {
  const auto comparison = reports::without_baseline(cells);
  for (const auto& [path, content] : reports::render_outputs(cells, comparison, reports::outputs_in(report_dir))) {
    if (auto s = reports::write_file_atomic(path, content); !s.ok()) return s;
  }
  return Ok{};
}

}  // namespace lockcheck::serve
