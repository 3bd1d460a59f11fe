// `#pragma snow poll` — a user-placed poll-point.
//
// The handler records where each pragma is and injects a marker statement
// (the string literal "__snow_poll__";) in its place, so that the poll-point
// is a statement of the AST and an element of the CFG: liveness at a
// poll-point is then simply the live-in set of its marker. Automatic
// poll-points are inserted as the same kind of marker ("__snow_poll_auto__";)
// into the source before the rewriting pass parses it.
#pragma once

#include "Diagnostics.h"

#include "clang/Lex/Pragma.h"

#include <string>
#include <vector>

namespace snow::precompile {

inline constexpr const char *kUserPollMarker = "__snow_poll__";
inline constexpr const char *kAutoPollMarker = "__snow_poll_auto__";

struct PragmaPollPoint {
  clang::SourceLocation hash;  // the '#' of the pragma line
  clang::SourceLocation end;   // the end of the pragma line
};

class PollPointPragma : public clang::PragmaHandler {
public:
  PollPointPragma(std::vector<PragmaPollPoint> &found, DiagnosticLog &log)
      : clang::PragmaHandler("snow"), found_(found), log_(log) {}
  void HandlePragma(clang::Preprocessor &pp, clang::PragmaIntroducer introducer, clang::Token &first) override;

private:
  std::vector<PragmaPollPoint> &found_;
  DiagnosticLog &log_;
};

} // namespace snow::precompile
