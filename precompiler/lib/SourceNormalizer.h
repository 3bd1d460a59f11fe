// C that is legal but cannot be described as it stands, normalized in memory
// before the analysis, keeping every construct on its own line (so positions
// in diagnostics and the report still match the user's file):
//
//  - an untagged struct or union that has no typedef name (`static struct {
//    … } config;`) gets a generated tag, snow_anon_<unit>_<line>_<column>,
//    the same on every build machine;
//  - a struct or union defined inside a function body is moved to file scope,
//    just before the function, as one line (its tokens, comments dropped), and
//    its place holds `struct <tag>` plus the line breaks it had. One whose
//    members name other function-local declarations, or whose tag is taken at
//    file scope, stays where it is (and is diagnosed if it must be described).
#pragma once

#include "clang/AST/ASTContext.h"

#include <string>
#include <vector>

namespace snow::precompile {

struct TextEdit {
  unsigned offset = 0;  // in the main file
  unsigned length = 0;  // bytes replaced
  std::string text;
};

// The edits that normalize the main file of `ctx`; empty when none is needed.
std::vector<TextEdit> normalization_edits(clang::ASTContext &ctx);

// `text` with non-overlapping `edits` applied.
std::string apply_edits(std::string text, std::vector<TextEdit> edits);

} // namespace snow::precompile
