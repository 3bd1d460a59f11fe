#include "ConditionalLowering.h"

#include "LoweringText.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"

#include <string>

namespace snow::precompile {

namespace {

using namespace clang;

class Lowering : public RecursiveASTVisitor<Lowering>, LoweringText {
public:
  explicit Lowering(ASTContext &ctx) : LoweringText(ctx) {}

  // Inner statements first: where two wrapped statements end together, the
  // inner one's closing brace comes first.
  bool shouldTraversePostOrder() const { return true; }

  bool VisitStmt(Stmt *s) {
    const Expr *full = nullptr;
    const VarDecl *declared = nullptr;
    if (const auto *e = dyn_cast<Expr>(s)) {
      if (!is_statement(s)) return true;
      full = e;
    } else if (const auto *r = dyn_cast<ReturnStmt>(s)) {
      full = r->getRetValue();
    } else if (const auto *d = dyn_cast<DeclStmt>(s)) {
      if (!d->isSingleDecl()) return true;
      declared = dyn_cast<VarDecl>(d->getSingleDecl());
      if (!declared || !declared->hasInit() || declared->getType()->isVariablyModifiedType()) return true;
      full = declared->getInit();
    } else if (const auto *i = dyn_cast<IfStmt>(s)) {
      if (i->getInit() || i->getConditionVariable()) return true;
      full = i->getCond();
    } else if (const auto *w = dyn_cast<SwitchStmt>(s)) {
      if (w->getInit() || w->getConditionVariable()) return true;
      full = w->getCond();
    }
    if (!full) return true;
    const Expr *x = candidate(full);
    if (!x || !usable({s->getBeginLoc(), s->getEndLoc(), x->getBeginLoc(), x->getEndLoc()})) return true;
    if (declared && uses_name(x, declared->getName().str())) return true;
    std::string code;
    std::string replacement;
    if (!lowered(x, code, replacement)) return true;
    std::vector<TextEdit> edits;
    if (in_block(s)) {
      edits.push_back({offset(s->getBeginLoc()), 0, code});
    } else {
      unsigned end = 0;
      if (declared || !end_of(s, end)) return true;  // a declaration must stay in its block
      edits.push_back({offset(s->getBeginLoc()), 0, "{ " + code});
      edits.push_back({end, 0, " }"});
    }
    replace_keeping_lines(x, replacement, edits);
    edits_.insert(edits_.end(), edits.begin(), edits.end());
    return true;
  }

  std::vector<TextEdit> edits() const { return edits_; }

private:
  const Stmt *parent_of(const Stmt *s) const {
    const auto parents = ctx().getParents(*s);
    return parents.empty() ? nullptr : parents[0].get<Stmt>();
  }

  // An expression used as a statement (not a loop's condition, a `for`'s
  // increment or initialiser, or a part of a larger expression).
  bool is_statement(const Stmt *s) const {
    const Stmt *p = parent_of(s);
    if (!p) return false;
    if (isa<CompoundStmt>(p) || isa<LabelStmt>(p) || isa<CaseStmt>(p) || isa<DefaultStmt>(p)) return true;
    if (const auto *i = dyn_cast<IfStmt>(p)) return i->getThen() == s || i->getElse() == s;
    if (const auto *w = dyn_cast<WhileStmt>(p)) return w->getBody() == s;
    if (const auto *f = dyn_cast<ForStmt>(p)) return f->getBody() == s;
    if (const auto *d = dyn_cast<DoStmt>(p)) return d->getBody() == s;
    return false;
  }

  bool in_block(const Stmt *s) const {
    const Stmt *p = parent_of(s);
    return p && isa<CompoundStmt>(p);
  }

  // The operator to lower in a full expression: the first `&&`, `||` or
  // `?:` whose conditionally evaluated part may call a migratable function,
  // reached only through parts evaluated unconditionally and not sequenced
  // after anything else of the expression.
  const Expr *candidate(const Expr *e) const {
    e = e->IgnoreParens();
    if (const auto *b = dyn_cast<BinaryOperator>(e)) {
      if (b->getOpcode() == BO_LAnd || b->getOpcode() == BO_LOr)
        return has_movable_call(b->getRHS()) ? b : candidate(b->getLHS());
      if (b->getOpcode() == BO_Comma) return candidate(b->getLHS());
    }
    if (const auto *c = dyn_cast<ConditionalOperator>(e))
      return has_movable_call(c->getTrueExpr()) || has_movable_call(c->getFalseExpr()) ? c : candidate(c->getCond());
    if (isa<BinaryConditionalOperator>(e) || isa<UnaryExprOrTypeTraitExpr>(e) || isa<StmtExpr>(e) ||
        isa<GenericSelectionExpr>(e))
      return nullptr;
    for (const Stmt *child : e->children())
      if (const auto *ce = dyn_cast_or_null<Expr>(child))
        if (const Expr *found = candidate(ce)) return found;
    return nullptr;
  }

  // The statements that evaluate `x` into a temporary, and what replaces it.
  bool lowered(const Expr *x, std::string &code, std::string &replacement) const {
    const std::string tag = suffix(x->getBeginLoc());
    if (const auto *b = dyn_cast<BinaryOperator>(x)) {
      std::string lhs, rhs;
      if (!tokens_of(b->getLHS(), lhs) || !tokens_of(b->getRHS(), rhs)) return false;
      const bool conjunction = b->getOpcode() == BO_LAnd;
      const std::string t = std::string(conjunction ? "snow_and_" : "snow_or_") + tag;
      code = "_Bool " + t + " = (" + lhs + "); if (" + (conjunction ? "" : "!") + t + ") { " + t + " = (" +
             rhs + "); } ";
      replacement = t;
      return true;
    }
    const auto *c = cast<ConditionalOperator>(x);
    std::string cond, yes, no;
    if (!tokens_of(c->getCond(), cond) || !tokens_of(c->getTrueExpr(), yes) || !tokens_of(c->getFalseExpr(), no))
      return false;
    const QualType type = c->getType().getUnqualifiedType();
    if (type->isVoidType()) {
      code = "if (" + cond + ") { " + yes + "; } else { " + no + "; } ";
      replacement = "(void)0";
      return true;
    }
    if (type->isArrayType() || type->isFunctionType() || type->isVariablyModifiedType()) return false;
    if (const RecordDecl *rd = type->getAsRecordDecl(); rd && !rd->getIdentifier() && !rd->getTypedefNameForAnonDecl())
      return false;  // no name to declare the temporary with
    if (!assignable(type)) return false;
    const std::string t = "snow_sel_" + tag;
    std::string declaration;
    llvm::raw_string_ostream os(declaration);
    type.print(os, PrintingPolicy(ctx().getLangOpts()), t);
    os.flush();
    code = declaration + " = {0}; if (" + cond + ") { " + t + " = (" + yes + "); } else { " + t + " = (" + no + "); } ";
    replacement = t;
    return true;
  }

  // A struct with a `const` member (at any depth) cannot be assigned to the temporary.
  static bool assignable(QualType type) {
    if (type.isConstQualified()) return false;
    if (const auto *a = type->getAsArrayTypeUnsafe()) return assignable(a->getElementType());
    if (const RecordDecl *rd = type->getAsRecordDecl())
      for (const FieldDecl *f : rd->fields())
        if (!assignable(f->getType())) return false;
    return true;
  }

  // Just past the end of statement `s`, its `;` or `}` included.
  bool end_of(const Stmt *s, unsigned &end) const {
    if (const auto *c = dyn_cast<CompoundStmt>(s)) {
      if (!usable({c->getRBracLoc()})) return false;
      end = offset(c->getRBracLoc()) + 1;
      return true;
    }
    if (const auto *i = dyn_cast<IfStmt>(s)) return end_of(i->getElse() ? i->getElse() : i->getThen(), end);
    if (const auto *w = dyn_cast<SwitchStmt>(s)) return end_of(w->getBody(), end);
    if (const auto *w = dyn_cast<WhileStmt>(s)) return end_of(w->getBody(), end);
    if (const auto *f = dyn_cast<ForStmt>(s)) return end_of(f->getBody(), end);
    if (const auto *l = dyn_cast<LabelStmt>(s)) return end_of(l->getSubStmt(), end);
    if (isa<NullStmt>(s)) {
      end = offset(s->getBeginLoc()) + 1;
      return usable({s->getBeginLoc()});
    }
    if (isa<Expr>(s) || isa<ReturnStmt>(s) || isa<BreakStmt>(s) || isa<ContinueStmt>(s) || isa<GotoStmt>(s) ||
        isa<DoStmt>(s)) {
      const SourceLocation after =
          Lexer::findLocationAfterToken(s->getEndLoc(), tok::semi, sm(), ctx().getLangOpts(), false);
      if (after.isInvalid() || after.isMacroID()) return false;
      end = offset(after);
      return true;
    }
    return false;
  }

  std::vector<TextEdit> edits_;
};

} // namespace

std::vector<TextEdit> conditional_lowering_edits(ASTContext &ctx) {
  Lowering lowering(ctx);
  lowering.TraverseDecl(ctx.getTranslationUnitDecl());
  return lowering.edits();
}

} // namespace snow::precompile
