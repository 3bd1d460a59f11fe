// Loop conditions a resume point cannot sit in, rewritten in memory before
// the analysis into the same loop with the call in the body:
//
//   do { … } while (more(p));           { _Bool snow_more_12_3; do { …
//                                          snow_next_12_3: snow_more_12_3 = more(p); } while (snow_more_12_3); }
//   for (i = 0; i < n; i = step(i)) {…}  for (i = 0; i < n; ) { … snow_next_12_3: i = step(i); }
//   while (i < n && keep(i)) {…}         while (1) { _Bool snow_while_12_3 = (i < n && keep(i));
//                                          if (!snow_while_12_3) break; … }
//
// (the last for a `while` or `for` condition with a call in an operand C may
// not evaluate — of &&, || or ?: — whose flag's declaration
// ConditionalLowering.h then lowers; a plain call in a `while` or `for`
// condition the rewriter moves itself.)
//
// A `continue` of the loop becomes `goto snow_next_…`, so it still runs the
// condition or the increment first. Only calls that may reach a migratable
// function are moved (a function not declared in a system header, or a call
// through a pointer); C's order of evaluation is unchanged, and every line
// keeps its number. A body that is a single expression statement is wrapped
// in braces. A loop is left as it is, and diagnosed by the rewriter when it
// has to be, if its body is another kind of single statement, if the body
// declares a name the moved expression uses (it would refer to that one),
// or if any of it comes from a macro.
#pragma once

#include "SourceNormalizer.h"

#include "clang/AST/ASTContext.h"

#include <vector>

namespace snow::precompile {

// The edits that lower such loops in the main file of `ctx`.
std::vector<TextEdit> loop_lowering_edits(clang::ASTContext &ctx);

} // namespace snow::precompile
