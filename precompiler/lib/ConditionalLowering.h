// Calls on a migration path in an operand C evaluates only conditionally —
// the right operand of `&&` or `||`, a branch of `?:` — rewritten in memory
// before the analysis into statements with the same effect, so that the call
// becomes an ordinary statement a resume point can sit in:
//
//   if (n > 0 && more(&n)) …      _Bool snow_and_9_7 = (n > 0);
//                                  if (snow_and_9_7) { snow_and_9_7 = (more(&n)); } if (snow_and_9_7) …
//   x = ok ? f(x) : -1;            int snow_sel_9_7 = {0}; if (ok) { snow_sel_9_7 = (f(x)); }
//                                  else { snow_sel_9_7 = (-1); } x = snow_sel_9_7;
//
// The operator is evaluated into a temporary just before its statement; that
// is C's order as long as nothing in the statement is sequenced before it, so
// only an operator that is not itself inside the right operand of `&&`, `||`
// or `,` or a branch of `?:` moves (an outer one moves first, the inner one
// in the next round). Statements: an expression statement, `return`, a
// declaration of one variable (in a block), `if` and `switch` conditions; a
// statement that is not directly in a block is wrapped in braces. Every line
// keeps its number. Loop conditions (evaluated again each time round), GNU
// `a ?: b`, a `?:` whose type cannot be declared, and anything from a macro
// stay as they are and keep the rewriter's diagnostic.
#pragma once

#include "SourceNormalizer.h"

#include "clang/AST/ASTContext.h"

#include <vector>

namespace snow::precompile {

// The edits that lower such operators in the main file of `ctx`.
std::vector<TextEdit> conditional_lowering_edits(clang::ASTContext &ctx);

} // namespace snow::precompile
