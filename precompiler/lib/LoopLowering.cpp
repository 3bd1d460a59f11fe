#include "LoopLowering.h"

#include "LoweringText.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <cstring>
#include <set>
#include <string>

namespace snow::precompile {

namespace {

using namespace clang;

// The `continue` statements of one loop: not those of loops inside it.
class OwnContinues : public RecursiveASTVisitor<OwnContinues> {
public:
  std::vector<const ContinueStmt *> found;
  bool VisitContinueStmt(ContinueStmt *c) {
    found.push_back(c);
    return true;
  }
  bool TraverseForStmt(ForStmt *) { return true; }
  bool TraverseWhileStmt(WhileStmt *) { return true; }
  bool TraverseDoStmt(DoStmt *) { return true; }
};

class Lowering : public RecursiveASTVisitor<Lowering>, LoweringText {
public:
  explicit Lowering(ASTContext &ctx) : LoweringText(ctx) {}

  // Inner loops first: at an offset where both insert (an inner loop's
  // closing text right before the outer body's brace), the inner's comes first.
  bool shouldTraversePostOrder() const { return true; }

  bool VisitDoStmt(DoStmt *d) {
    const Expr *cond = d->getCond();
    Body body;
    if (!has_movable_call(cond) || !body_of(d->getBody(), body)) return true;
    const SourceLocation after_semi =
        Lexer::findLocationAfterToken(d->getRParenLoc(), tok::semi, sm(), ctx().getLangOpts(), false);
    if (!usable({d->getDoLoc(), d->getRParenLoc(), cond->getBeginLoc(), cond->getEndLoc()}) ||
        after_semi.isInvalid() || after_semi.isMacroID())
      return true;
    std::string moved;
    if (!tokens_of(cond, moved) || shadows(body, cond)) return true;
    const std::string tag = suffix(d->getDoLoc());
    const std::string flag = "snow_more_" + tag;
    std::vector<TextEdit> edits;
    if (!continues_to(d->getBody(), "snow_next_" + tag, edits)) return true;
    const std::string label = edits.empty() ? "" : "snow_next_" + tag + ": ";
    edits.push_back({offset(d->getDoLoc()), 0, "{ _Bool " + flag + "; "});
    close_body(body, label + flag + " = " + moved + ";", edits);
    replace_keeping_lines(cond, flag, edits);
    edits.push_back({offset(after_semi), 0, " }"});
    edits_.insert(edits_.end(), edits.begin(), edits.end());
    return true;
  }

  // A condition with a call where C may not evaluate it (the right operand
  // of && or ||, a branch of ?:) is evaluated at the top of the body
  // instead, into a flag the loop breaks on:
  //   while (i < n && keep(i)) {…}   while (1) { _Bool snow_while_L_C = (i < n && keep(i)); if (!snow_while_L_C) break; …}
  // and that declaration's operator is lowered in the next round
  // (ConditionalLowering.h). Nothing of the body is in scope there yet, so
  // no name it declares can hide one the condition uses.
  bool VisitWhileStmt(WhileStmt *w) {
    if (!w->getConditionVariable()) move_condition(w->getWhileLoc(), w->getCond(), w->getBody(), "snow_while_", "1");
    return true;
  }

  bool VisitForStmt(ForStmt *f) {
    const Expr *inc = f->getInc();
    Body body;
    if (!inc || !has_movable_call(inc)) return lower_for_condition(f);
    if (!body_of(f->getBody(), body)) return true;
    if (!usable({f->getForLoc(), inc->getBeginLoc(), inc->getEndLoc()})) return true;
    std::string moved;
    if (!tokens_of(inc, moved) || shadows(body, inc)) return true;
    const std::string tag = suffix(f->getForLoc());
    std::vector<TextEdit> edits;
    if (!continues_to(f->getBody(), "snow_next_" + tag, edits)) return true;
    const std::string label = edits.empty() ? "" : "snow_next_" + tag + ": ";
    close_body(body, label + moved + ";", edits);
    replace_keeping_lines(inc, "", edits);
    edits_.insert(edits_.end(), edits.begin(), edits.end());
    return true;
  }

  std::vector<TextEdit> edits() const { return edits_; }

private:
  // Where a loop body ends: a compound statement gets the moved code before
  // its closing brace; an expression statement (`for (…; …; f(i)) n++;`)
  // is wrapped in braces that hold it. Other bodies are left alone.
  struct Body {
    const CompoundStmt *compound = nullptr;
    unsigned open = 0, close = 0;  // offsets: the body's start; its `}` or its end after the `;`
  };

  bool body_of(const Stmt *s, Body &body) const {
    if (const auto *c = dyn_cast<CompoundStmt>(s)) {
      if (!usable({c->getLBracLoc(), c->getRBracLoc()})) return false;
      body.compound = c;
      body.close = offset(c->getRBracLoc());
      return true;
    }
    const auto *e = dyn_cast<Expr>(s);
    if (!e || !usable({e->getBeginLoc(), e->getEndLoc()})) return false;
    const SourceLocation after_semi =
        Lexer::findLocationAfterToken(e->getEndLoc(), tok::semi, sm(), ctx().getLangOpts(), false);
    if (after_semi.isInvalid() || after_semi.isMacroID()) return false;
    body.open = offset(e->getBeginLoc());
    body.close = offset(after_semi);
    return true;
  }

  void close_body(const Body &body, const std::string &code, std::vector<TextEdit> &edits) const {
    if (body.compound) {
      edits.push_back({body.close, 0, code + " "});
      return;
    }
    edits.push_back({body.open, 0, "{ "});
    edits.push_back({body.close, 0, " " + code + " }"});
  }

  // Does the body declare, at its top level, a name the expression uses?
  bool shadows(const Body &body, const Expr *e) const {
    return body.compound && uses_any_name(e, body.compound);  // an expression statement declares nothing
  }

  // `continue` → `goto label` for the loop's own continues; false when one
  // comes from a macro.
  bool continues_to(const Stmt *body, const std::string &label, std::vector<TextEdit> &edits) const {
    OwnContinues own;
    own.TraverseStmt(const_cast<Stmt *>(body));
    for (const ContinueStmt *c : own.found) {
      if (c->getContinueLoc().isMacroID()) return false;
      edits.push_back({offset(c->getContinueLoc()), static_cast<unsigned>(std::strlen("continue")), "goto " + label});
    }
    return true;
  }

  // A `for` condition as a `while` condition above: `for (i = 0; i < n &&
  // keep(i); i++)` becomes `for (i = 0; ; i++) { _Bool … = (i < n &&
  // keep(i)); if (!…) break; … }`, so `continue` still runs the increment
  // and then the condition. (With an increment to move as well, that comes
  // first, and the condition in the next round.)
  bool lower_for_condition(const ForStmt *f) {
    if (f->getCond() && !f->getConditionVariable())
      move_condition(f->getForLoc(), f->getCond(), f->getBody(), "snow_for_", "");
    return true;
  }

  // The loop condition `cond` (of the loop at `keyword`) evaluated first in
  // `body` into a flag the loop breaks on, and `left` in its place.
  void move_condition(SourceLocation keyword, const Expr *cond, const Stmt *loop_body, const std::string &prefix,
                      const std::string &left) {
    Body body;
    if (!conditional_call(cond) || !body_of(loop_body, body)) return;
    if (!usable({keyword, cond->getBeginLoc(), cond->getEndLoc()})) return;
    std::string moved;
    if (!tokens_of(cond, moved)) return;
    const std::string flag = prefix + suffix(keyword);
    std::vector<TextEdit> edits;
    open_body(body, "_Bool " + flag + " = (" + moved + "); if (!" + flag + ") break;", edits);
    replace_keeping_lines(cond, left, edits);
    edits_.insert(edits_.end(), edits.begin(), edits.end());
  }

  // Whether `e` may call a migratable function where C may not evaluate it.
  bool conditional_call(const Expr *e) const {
    if (!e) return false;
    e = e->IgnoreParens();
    if (const auto *b = dyn_cast<BinaryOperator>(e))
      if ((b->getOpcode() == BO_LAnd || b->getOpcode() == BO_LOr) && has_movable_call(b->getRHS())) return true;
    if (const auto *c = dyn_cast<ConditionalOperator>(e))
      if (has_movable_call(c->getTrueExpr()) || has_movable_call(c->getFalseExpr())) return true;
    if (isa<UnaryExprOrTypeTraitExpr>(e) || isa<StmtExpr>(e)) return false;
    for (const Stmt *child : e->children())
      if (conditional_call(dyn_cast_or_null<Expr>(child))) return true;
    return false;
  }

  // `code` first in the body (which body_of accepted).
  void open_body(const Body &body, const std::string &code, std::vector<TextEdit> &edits) const {
    if (body.compound) {
      edits.push_back({offset(body.compound->getLBracLoc()) + 1, 0, " " + code});
      return;
    }
    edits.push_back({body.open, 0, "{ " + code + " "});
    edits.push_back({body.close, 0, " }"});
  }

  std::vector<TextEdit> edits_;
};

} // namespace

std::vector<TextEdit> loop_lowering_edits(ASTContext &ctx) {
  Lowering lowering(ctx);
  lowering.TraverseDecl(ctx.getTranslationUnitDecl());
  return lowering.edits();
}

} // namespace snow::precompile
