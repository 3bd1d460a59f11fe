// Which functions take part in migration, decided once for the whole program.
//
// A function is *migratable* when a poll-point can be reached from it: it
// holds one, or it calls (directly, or through a function pointer that may
// point to one) a migratable function. Those functions get frames, locals
// structs and resume points; the others — the hot kernels — are untouched.
//
// Automatic poll-points (docs/precompiler.md): at the top of the body of each
// outermost loop that calls a function or contains another loop, in every
// function reachable from main. Never in a loop without calls or inner
// loops, so small hot kernels stay as they are.
#pragma once

#include "Diagnostics.h"
#include "ProgramFacts.h"

#include <map>
#include <set>
#include <string>

namespace snow::precompile {

enum class PollMode { Directives, Automatic, Both };

struct MigrationPlan {
  std::set<std::string> migratable;                  // function keys
  std::map<std::string, std::vector<LoopSite>> auto_polls;  // by file
  std::set<std::string> reachable_from_main;
  bool indirect_targets_migratable = false;

  static MigrationPlan decide(const ProgramFacts &facts, PollMode mode, DiagnosticLog &log);
};

} // namespace snow::precompile
