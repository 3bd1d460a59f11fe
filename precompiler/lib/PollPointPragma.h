// `#pragma snow poll` — a user-placed poll-point — and `#pragma snow
// cutoff(<condition>)`, which leaves the calls of a function for which the
// condition holds on entry plain (docs/precompiler.md, "Cutoffs").
//
// The handler records where each pragma is and injects a marker statement
// (the string literal "__snow_poll__";) in its place, so that the poll-point
// is a statement of the AST and an element of the CFG: liveness at a
// poll-point is then simply the live-in set of its marker. Automatic
// poll-points are inserted as the same kind of marker ("__snow_poll_auto__";)
// into the source before the rewriting pass parses it.
//
// A cutoff becomes `if (<condition>) "__snow_cutoff__";` where it stands, so
// that the condition is parsed and checked in the function's own scope and
// the rewriter finds it among the function's leading statements.
#pragma once

#include "Diagnostics.h"

#include "clang/Lex/Pragma.h"

#include <functional>
#include <string>
#include <vector>

namespace snow::precompile {

inline constexpr const char *kUserPollMarker = "__snow_poll__";
inline constexpr const char *kAutoPollMarker = "__snow_poll_auto__";
inline constexpr const char *kCutoffMarker = "__snow_cutoff__";

struct PragmaPollPoint {
  clang::SourceLocation hash;  // the '#' of the pragma line
  clang::SourceLocation end;   // the end of the pragma line
  bool cutoff = false;         // `#pragma snow cutoff(…)`, not a poll-point
};

class PollPointPragma : public clang::PragmaHandler {
public:
  // `at_file_scope(hash)` says whether the pragma whose '#' is at `hash`
  // stands outside every function: a marker injected there would be a
  // statement where C allows none.
  PollPointPragma(std::vector<PragmaPollPoint> &found, DiagnosticLog &log,
                  std::function<bool(clang::SourceLocation)> at_file_scope)
      : clang::PragmaHandler("snow"), found_(found), log_(log), at_file_scope_(std::move(at_file_scope)) {}
  void HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer, clang::Token &first) override;

private:
  std::vector<PragmaPollPoint> &found_;
  DiagnosticLog &log_;
  std::function<bool(clang::SourceLocation)> at_file_scope_;
};

} // namespace snow::precompile
