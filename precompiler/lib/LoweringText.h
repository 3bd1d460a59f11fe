// What the lowerings (LoopLowering.h, ConditionalLowering.h) share: reading
// the main file's text around AST nodes and writing edits that keep every
// line at its number, so that positions in diagnostics and the report still
// match the user's file.
#pragma once

#include "SourceNormalizer.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Basic/SourceManager.h"

#include <initializer_list>
#include <string>
#include <vector>

namespace snow::precompile {

class LoweringText {
public:
  explicit LoweringText(clang::ASTContext &ctx) : ctx_(ctx), sm_(ctx.getSourceManager()) {}

  // Whether `e` calls something that may be a migratable function: one not
  // declared in a system header (nor a builtin), or any call through a pointer.
  bool has_movable_call(const clang::Expr *e) const;
  // All valid, none from a macro, all in the main file.
  bool usable(std::initializer_list<clang::SourceLocation> locations) const;
  unsigned offset(clang::SourceLocation l) const { return sm_.getFileOffset(l); }
  // Just past the last token of `s`.
  unsigned end_offset(const clang::Stmt *s) const;
  // `line_column` of `l`: a suffix for generated names, unique in a file.
  std::string suffix(clang::SourceLocation l) const;
  // The expression as one line: its tokens, comments dropped. False when a
  // preprocessor line or a statement expression is inside it (it cannot move).
  bool tokens_of(const clang::Expr *e, std::string &line) const;
  // Whether `names_of(e)` includes the name of a declaration.
  bool uses_name(const clang::Expr *e, const std::string &name) const;
  bool uses_any_name(const clang::Expr *e, const clang::CompoundStmt *declared_in) const;
  // `s` replaced by `text`, followed by as many line breaks as it spanned.
  void replace_keeping_lines(const clang::Stmt *s, const std::string &text, std::vector<TextEdit> &edits) const;

  clang::ASTContext &ctx() const { return ctx_; }
  const clang::SourceManager &sm() const { return sm_; }

private:
  clang::ASTContext &ctx_;
  const clang::SourceManager &sm_;
};

} // namespace snow::precompile
