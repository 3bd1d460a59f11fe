#include "LoweringText.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <set>

namespace snow::precompile {

namespace {

using namespace clang;

class MovableCalls : public RecursiveASTVisitor<MovableCalls> {
public:
  explicit MovableCalls(const SourceManager &sm) : sm_(sm) {}
  bool found = false;
  bool VisitCallExpr(CallExpr *c) {
    const FunctionDecl *callee = c->getDirectCallee();
    if (!callee || (!callee->getBuiltinID() && !sm_.isInSystemHeader(callee->getLocation()))) found = true;
    return !found;
  }

private:
  const SourceManager &sm_;
};

// The names an expression uses: moved elsewhere, each must still mean the
// same declaration.
class NamesUsed : public RecursiveASTVisitor<NamesUsed> {
public:
  std::set<std::string> names;
  bool VisitDeclRefExpr(DeclRefExpr *e) { return note(e->getDecl()); }
  bool VisitTypedefTypeLoc(TypedefTypeLoc t) { return note(t.getTypedefNameDecl()); }
  bool VisitTagTypeLoc(TagTypeLoc t) { return note(t.getDecl()); }

private:
  bool note(const NamedDecl *d) {
    if (d && d->getIdentifier()) names.insert(d->getName().str());
    return true;
  }
};

// Statements inside an expression (GNU `({ … })`): copying its text would
// copy them past other edits.
class InnerStatements : public RecursiveASTVisitor<InnerStatements> {
public:
  bool found = false;
  bool VisitStmtExpr(StmtExpr *) { return !(found = true); }
  bool VisitBlockExpr(BlockExpr *) { return !(found = true); }
};

std::set<std::string> names_of(const Expr *e) {
  NamesUsed used;
  used.TraverseStmt(const_cast<Expr *>(e));
  return used.names;
}

} // namespace

bool LoweringText::has_movable_call(const Expr *e) const {
  MovableCalls calls(sm_);
  calls.TraverseStmt(const_cast<Expr *>(e));
  return calls.found;
}

bool LoweringText::usable(std::initializer_list<SourceLocation> locations) const {
  for (SourceLocation l : locations)
    if (l.isInvalid() || l.isMacroID() || !sm_.isInMainFile(l)) return false;
  return true;
}

unsigned LoweringText::end_offset(const Stmt *s) const {
  return offset(Lexer::getLocForEndOfToken(s->getEndLoc(), 0, sm_, ctx_.getLangOpts()));
}

std::string LoweringText::suffix(SourceLocation l) const {
  return std::to_string(sm_.getSpellingLineNumber(l)) + "_" + std::to_string(sm_.getSpellingColumnNumber(l));
}

bool LoweringText::tokens_of(const Expr *e, std::string &line) const {
  InnerStatements inner;
  inner.TraverseStmt(const_cast<Expr *>(e));
  if (inner.found) return false;
  const unsigned begin = offset(e->getBeginLoc()), end = end_offset(e);
  const StringRef buffer = sm_.getBufferData(sm_.getMainFileID());
  Lexer lexer(sm_.getLocForStartOfFile(sm_.getMainFileID()), ctx_.getLangOpts(), buffer.begin(),
              buffer.begin() + begin, buffer.end());
  Token tok;
  for (;;) {
    lexer.LexFromRawLexer(tok);
    if (tok.is(tok::eof) || offset(tok.getLocation()) >= end) break;
    if (tok.is(tok::hash) && tok.isAtStartOfLine()) return false;
    if (!line.empty()) line += ' ';
    line += Lexer::getSpelling(tok, sm_, ctx_.getLangOpts());
  }
  return !line.empty();
}

bool LoweringText::uses_name(const Expr *e, const std::string &name) const { return names_of(e).count(name) > 0; }

bool LoweringText::uses_any_name(const Expr *e, const CompoundStmt *declared_in) const {
  const std::set<std::string> used = names_of(e);
  for (const Stmt *s : declared_in->body())
    if (const auto *ds = dyn_cast<DeclStmt>(s))
      for (const Decl *d : ds->decls())
        if (const auto *nd = dyn_cast<NamedDecl>(d); nd && nd->getIdentifier() && used.count(nd->getName().str()))
          return true;
  return false;
}

void LoweringText::replace_keeping_lines(const Stmt *s, const std::string &text, std::vector<TextEdit> &edits) const {
  const unsigned begin = offset(s->getBeginLoc()), end = end_offset(s);
  const StringRef original = sm_.getBufferData(sm_.getMainFileID()).substr(begin, end - begin);
  edits.push_back({begin, end - begin, text + std::string(static_cast<std::size_t>(original.count('\n')), '\n')});
}

} // namespace snow::precompile
