#include "SourceNormalizer.h"

#include "ProgramFacts.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"

#include <algorithm>
#include <set>

namespace snow::precompile {

namespace {

using namespace clang;

std::string identifier_from(const std::string &s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

// Does the definition of `rd` name a declaration local to a function (other
// than its own members and nested records)? Then it cannot leave the function.
class LocalReferences : public RecursiveASTVisitor<LocalReferences> {
public:
  explicit LocalReferences(const RecordDecl *rd) : rd_(rd) {}
  bool found = false;
  bool VisitDeclRefExpr(DeclRefExpr *e) { return note(e->getDecl()); }
  bool VisitTypedefTypeLoc(TypedefTypeLoc t) { return note(t.getTypedefNameDecl()); }
  bool VisitTagTypeLoc(TagTypeLoc t) { return note(t.getDecl()); }

private:
  bool note(const Decl *d) {
    if (!d || !d->getDeclContext()->isFunctionOrMethod()) return true;
    for (const DeclContext *c = d->getDeclContext(); c; c = c->getParent())
      if (c == rd_) return true;
    if (d == rd_) return true;
    found = true;
    return false;
  }
  const RecordDecl *rd_;
};

class Normalizer : public RecursiveASTVisitor<Normalizer> {
public:
  explicit Normalizer(ASTContext &ctx) : ctx_(ctx), sm_(ctx.getSourceManager()) {}

  bool VisitFunctionDecl(FunctionDecl *fd) {
    if (fd->doesThisDeclarationHaveABody()) function_ = fd;
    return true;
  }

  bool VisitRecordDecl(RecordDecl *rd) {
    if (!rd->isThisDeclarationADefinition() || rd->isImplicit() || rd->isAnonymousStructOrUnion()) return true;
    const SourceLocation begin = rd->getBeginLoc();
    if (begin.isInvalid() || begin.isMacroID() || rd->getBraceRange().getEnd().isMacroID() ||
        !sm_.isInMainFile(begin))
      return true;
    std::string tag = rd->getName().str();
    if (tag.empty()) {
      if (rd->getTypedefNameForAnonDecl()) return true;  // `typedef struct { … } T;` is described as T
      const PresumedLoc p = sm_.getPresumedLoc(begin);
      tag = "snow_anon_" + identifier_from(unit_relative(p.getFilename())) + "_" + std::to_string(p.getLine()) + "_" +
            std::to_string(p.getColumn());
      const SourceLocation after_keyword = Lexer::getLocForEndOfToken(begin, 0, sm_, ctx_.getLangOpts());
      tags_.push_back({sm_.getFileOffset(after_keyword), 0, " " + tag});
    }
    if (rd->getDeclContext()->isFunctionOrMethod() && function_ && !function_->getBeginLoc().isMacroID())
      hoist(rd, tag);
    return true;
  }

  std::vector<TextEdit> edits() {
    std::vector<TextEdit> all = moves_;
    for (const TextEdit &t : tags_)
      if (!inside_move(t.offset)) all.push_back(t);
    return all;
  }

private:
  void hoist(const RecordDecl *rd, const std::string &tag) {
    LocalReferences refs(rd);
    refs.TraverseDecl(const_cast<RecordDecl *>(rd));
    if (refs.found) return;
    if (!rd->getName().empty()) {
      // Its tag must be free at file scope, and among the hoisted ones.
      if (!hoisted_tags_.insert(tag).second) return;
      for (const Decl *d : ctx_.getTranslationUnitDecl()->lookup(rd->getDeclName()))
        if (isa<TagDecl>(d)) return;
    }
    const unsigned begin = sm_.getFileOffset(rd->getBeginLoc());
    const unsigned end = sm_.getFileOffset(
        Lexer::getLocForEndOfToken(rd->getBraceRange().getEnd(), 0, sm_, ctx_.getLangOpts()));
    // The definition as one line: its tokens, the generated tag after the
    // keyword; a preprocessor line inside it cannot be moved.
    const StringRef buffer = sm_.getBufferData(sm_.getMainFileID());
    Lexer lexer(sm_.getLocForStartOfFile(sm_.getMainFileID()), ctx_.getLangOpts(), buffer.begin(),
                buffer.begin() + begin, buffer.end());
    std::string line;
    Token tok;
    bool first = true;
    for (;;) {
      lexer.LexFromRawLexer(tok);
      if (tok.is(tok::eof) || sm_.getFileOffset(tok.getLocation()) >= end) break;
      if (tok.is(tok::hash) && tok.isAtStartOfLine()) return;
      line += Lexer::getSpelling(tok, sm_, ctx_.getLangOpts());
      if (first && rd->getName().empty()) line += " " + tag;
      first = false;
      line += ' ';
    }
    const std::string original = buffer.substr(begin, end - begin).str();
    std::string in_place = std::string(rd->isUnion() ? "union " : "struct ") + tag;
    in_place.append(static_cast<std::size_t>(std::count(original.begin(), original.end(), '\n')), '\n');
    moves_.push_back({sm_.getFileOffset(sm_.getFileLoc(function_->getBeginLoc())), 0, line + "; "});
    moves_.push_back({begin, end - begin, in_place});
    moved_.push_back({begin, end});
  }

  bool inside_move(unsigned offset) const {
    for (const auto &[b, e] : moved_)
      if (offset >= b && offset < e) return true;
    return false;
  }

  ASTContext &ctx_;
  const SourceManager &sm_;
  const FunctionDecl *function_ = nullptr;
  std::vector<TextEdit> tags_;
  std::vector<TextEdit> moves_;
  std::vector<std::pair<unsigned, unsigned>> moved_;
  std::set<std::string> hoisted_tags_;
};

} // namespace

std::vector<TextEdit> normalization_edits(ASTContext &ctx) {
  Normalizer n(ctx);
  n.TraverseDecl(ctx.getTranslationUnitDecl());
  return n.edits();
}

std::string apply_edits(std::string text, std::vector<TextEdit> edits) {
  // Back to front, so earlier offsets stay valid; inserts at one offset keep
  // their order (the later one is applied first, then the earlier before it).
  std::vector<std::size_t> order(edits.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return edits[a].offset != edits[b].offset ? edits[a].offset > edits[b].offset : a > b;
  });
  for (std::size_t i : order) text.replace(edits[i].offset, edits[i].length, edits[i].text);
  return text;
}

} // namespace snow::precompile
