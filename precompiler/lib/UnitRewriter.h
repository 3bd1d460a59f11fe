// Pass 2: one translation unit rewritten into migratable C.
//
// Every function: typed allocations (malloc → snow_malloc with the element
// type), static locals and string literals that can be stored moved to file
// scope (so they are registered memory). Every migratable function: its
// locals moved into a locals struct, a frame pushed on entry and popped on
// every return, each poll-point and each call on a migration path made a
// resume point, and the resume dispatch at entry. At the end, the unit's
// description (types, resume views, functions, globals) and its registration.
#pragma once

#include "Diagnostics.h"
#include "MigrationPlan.h"
#include "PollPointPragma.h"
#include "TypeCatalog.h"

#include "clang/AST/ASTContext.h"
#include "clang/Rewrite/Core/Rewriter.h"

#include <string>
#include <vector>

namespace snow::precompile {

struct ResumePointReport {
  std::string function;
  unsigned index = 0;
  std::string kind;  // "poll (directive)", "poll (automatic)", "call"
  std::string file;
  unsigned line = 0, column = 0;
  std::string callee;
  std::vector<std::string> live;
};

// A `#pragma snow cutoff`: below it, calls run the plain copies of `plain`.
struct CutoffReport {
  std::string function;
  std::string file;
  unsigned line = 0, column = 0;
  std::string condition;
  std::vector<std::string> plain;  // the functions copied (by name)
};

struct UnitReport {
  std::string file;
  std::vector<std::string> migratable_functions;
  std::vector<ResumePointReport> resume_points;
  std::vector<CutoffReport> cutoffs;
  unsigned allocations = 0;
  unsigned globals = 0;
};

struct UnitInput {
  std::string unit_name;   // stable across platforms (the path relative to the unit root)
  std::string original_path;
  const std::vector<PragmaPollPoint> *pragmas = nullptr;
  const MigrationPlan *plan = nullptr;
  const ProgramFacts *facts = nullptr;
};

// Rewrites the main file of `ctx` into `out`. False if an error was reported.
bool rewrite_unit(clang::ASTContext &ctx, const UnitInput &input, DiagnosticLog &log, std::string &out,
                  UnitReport &report);

} // namespace snow::precompile
