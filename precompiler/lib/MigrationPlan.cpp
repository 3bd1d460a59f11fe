#include "MigrationPlan.h"

#include <deque>

namespace snow::precompile {

MigrationPlan MigrationPlan::decide(const ProgramFacts &facts, PollMode mode, DiagnosticLog &log) {
  MigrationPlan plan;
  // Address-taken functions are the possible targets of every indirect call.
  std::set<std::string> indirect_targets;
  for (const std::string &k : facts.address_taken)
    if (facts.functions.count(k)) indirect_targets.insert(k);

  auto callees_of = [&](const FunctionFacts &f) {
    std::set<std::string> out = f.callees;
    if (f.has_indirect_call) out.insert(indirect_targets.begin(), indirect_targets.end());
    return out;
  };

  // Forward: what main can reach.
  if (facts.functions.count("main")) {
    std::deque<std::string> work{"main"};
    plan.reachable_from_main.insert("main");
    while (!work.empty()) {
      const FunctionFacts &f = facts.functions.at(work.front());
      work.pop_front();
      for (const std::string &c : callees_of(f))
        if (plan.reachable_from_main.insert(c).second) work.push_back(c);
    }
  }

  // Where poll-points are.
  std::set<std::string> polling;
  for (const auto &[key, f] : facts.functions) {
    if (f.has_user_poll && mode != PollMode::Automatic) polling.insert(key);
    if (mode != PollMode::Directives && plan.reachable_from_main.count(key) && !f.auto_candidates.empty()) {
      polling.insert(key);
      for (const LoopSite &site : f.auto_candidates) plan.auto_polls[site.file].push_back(site);
    }
  }

  // Backward: everything that can reach a poll-point.
  std::map<std::string, std::set<std::string>> callers;
  for (const auto &[key, f] : facts.functions)
    for (const std::string &c : callees_of(f)) callers[c].insert(key);
  std::deque<std::string> work(polling.begin(), polling.end());
  plan.migratable = polling;
  while (!work.empty()) {
    const std::string k = work.front();
    work.pop_front();
    for (const std::string &caller : callers[k])
      if (plan.migratable.insert(caller).second) work.push_back(caller);
  }
  for (const std::string &t : indirect_targets)
    if (plan.migratable.count(t)) plan.indirect_targets_migratable = true;

  // A migratable function handed to a function outside the program (qsort's
  // comparator, a signal handler): while that function calls it back, its
  // caller's frame stands at no resume point, so its poll-points let a
  // request wait for a later one (snow_poll) rather than migrate there.
  std::set<std::string> called_back;
  for (const CallbackPass &pass : facts.callback_passes) {
    if (facts.functions.count(pass.callee) || !plan.migratable.count(pass.function)) continue;
    called_back.insert(pass.function);
    const std::string name = facts.functions.at(pass.function).name;
    const std::string callee = pass.callee.substr(pass.callee.rfind(':') + 1);
    Diagnostic d;
    d.code = "poll-point-in-callback";
    d.severity = Diagnostic::Severity::Warning;
    d.file = pass.file;
    d.line = pass.line;
    d.column = pass.column;
    d.message = "'" + name + "' reaches a poll-point and is passed to '" + callee +
                "', which is not part of the program: while '" + callee +
                "' calls it back, a checkpoint or migration waits for a poll-point outside it";
    log.add(std::move(d));
  }

  for (const std::string &k : polling)
    if (!plan.reachable_from_main.count(k) && !called_back.count(k) && facts.functions.count("main"))
      log.report_plain(Diagnostic::Severity::Warning, "unreachable-poll-point",
                       "function '" + facts.functions.at(k).name + "' has a poll-point but is never called from main");

  // Unsafe constructs: errors on a migration path, warnings elsewhere.
  auto emit = [&](const UnsafeConstruct &u, bool on_path) {
    const bool warning_only = u.code.rfind("warn:", 0) == 0;
    Diagnostic d;
    d.code = warning_only ? u.code.substr(5) : u.code;
    d.severity = (!warning_only && (on_path || u.always_error)) ? Diagnostic::Severity::Error
                                                                 : Diagnostic::Severity::Warning;
    d.file = u.file;
    d.line = u.line;
    d.column = u.column;
    d.message = u.message;
    log.add(std::move(d));
  };
  for (const auto &[key, f] : facts.functions) {
    const bool on_path = plan.migratable.count(key) > 0;
    for (const UnsafeConstruct &u : f.unsafe) emit(u, on_path);
    if (on_path && f.is_variadic)
      emit({"variadic", "variadic function '" + f.name + "' is on a migration path: its va_list cannot be migrated",
            f.file, f.line, f.column, true},
           true);
  }
  for (const UnsafeConstruct &u : facts.file_scope_unsafe) emit(u, false);
  return plan;
}

} // namespace snow::precompile
