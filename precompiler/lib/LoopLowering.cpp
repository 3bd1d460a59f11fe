#include "LoopLowering.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <cstring>
#include <set>
#include <string>

namespace snow::precompile {

namespace {

using namespace clang;

// Whether `e` calls something that may be a migratable function: one not
// declared in a system header, or any call through a pointer.
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

// The names an expression uses: moved into the loop body, each must still
// mean the same declaration.
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

class Lowering : public RecursiveASTVisitor<Lowering> {
public:
  explicit Lowering(ASTContext &ctx) : ctx_(ctx), sm_(ctx.getSourceManager()) {}

  // Inner loops first: at an offset where both insert (an inner loop's
  // closing text right before the outer body's brace), the inner's comes first.
  bool shouldTraversePostOrder() const { return true; }

  bool VisitDoStmt(DoStmt *d) {
    const Expr *cond = d->getCond();
    Body body;
    if (!movable(cond) || !body_of(d->getBody(), body)) return true;
    const SourceLocation after_semi =
        Lexer::findLocationAfterToken(d->getRParenLoc(), tok::semi, sm_, ctx_.getLangOpts(), false);
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

  bool VisitForStmt(ForStmt *f) {
    const Expr *inc = f->getInc();
    Body body;
    if (!inc || !movable(inc) || !body_of(f->getBody(), body)) return true;
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
        Lexer::findLocationAfterToken(e->getEndLoc(), tok::semi, sm_, ctx_.getLangOpts(), false);
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

  bool movable(const Expr *e) {
    MovableCalls calls(sm_);
    calls.TraverseStmt(const_cast<Expr *>(e));
    return calls.found;
  }

  bool usable(std::initializer_list<SourceLocation> locations) const {
    for (SourceLocation l : locations)
      if (l.isInvalid() || l.isMacroID() || !sm_.isInMainFile(l)) return false;
    return true;
  }

  unsigned offset(SourceLocation l) const { return sm_.getFileOffset(l); }

  unsigned end_offset(const Expr *e) const {
    return offset(Lexer::getLocForEndOfToken(e->getEndLoc(), 0, sm_, ctx_.getLangOpts()));
  }

  std::string suffix(SourceLocation l) const {
    return std::to_string(sm_.getSpellingLineNumber(l)) + "_" + std::to_string(sm_.getSpellingColumnNumber(l));
  }

  // The expression as one line: its tokens, comments dropped. False when a
  // preprocessor line is inside it (it cannot move).
  bool tokens_of(const Expr *e, std::string &line) const {
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

  // Does the body declare, at its top level, a name the expression uses?
  bool shadows(const Body &body, const Expr *e) const {
    if (!body.compound) return false;  // an expression statement declares nothing
    NamesUsed used;
    used.TraverseStmt(const_cast<Expr *>(e));
    for (const Stmt *s : body.compound->body())
      if (const auto *ds = dyn_cast<DeclStmt>(s))
        for (const Decl *d : ds->decls())
          if (const auto *nd = dyn_cast<NamedDecl>(d); nd && nd->getIdentifier() && used.names.count(nd->getName().str()))
            return true;
    return false;
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

  // `e` replaced by `text`, followed by as many line breaks as it spanned.
  void replace_keeping_lines(const Expr *e, const std::string &text, std::vector<TextEdit> &edits) const {
    const unsigned begin = offset(e->getBeginLoc()), end = end_offset(e);
    const StringRef original = sm_.getBufferData(sm_.getMainFileID()).substr(begin, end - begin);
    edits.push_back({begin, end - begin, text + std::string(static_cast<std::size_t>(original.count('\n')), '\n')});
  }

  ASTContext &ctx_;
  const SourceManager &sm_;
  std::vector<TextEdit> edits_;
};

} // namespace

std::vector<TextEdit> loop_lowering_edits(ASTContext &ctx) {
  Lowering lowering(ctx);
  lowering.TraverseDecl(ctx.getTranslationUnitDecl());
  return lowering.edits();
}

} // namespace snow::precompile
