#include "Liveness.h"

#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"

namespace snow::precompile {

namespace {
// Child → parent, to know whether a variable reference is the target of an assignment.
class ParentRecorder : public clang::RecursiveASTVisitor<ParentRecorder> {
public:
  explicit ParentRecorder(std::map<const clang::Stmt *, const clang::Stmt *> &parents) : parents_(parents) {}
  bool VisitStmt(clang::Stmt *s) {
    for (const clang::Stmt *c : s->children())
      if (c) parents_[c] = s;
    return true;
  }

private:
  std::map<const clang::Stmt *, const clang::Stmt *> &parents_;
};

bool kills_whole(const clang::VarDecl *v) {
  const clang::QualType t = v->getType();
  return !t->isArrayType() && !t->isRecordType();
}
} // namespace

Liveness::Liveness(const clang::FunctionDecl *fd, clang::ASTContext &ctx, std::vector<const clang::VarDecl *> tracked)
    : tracked_(std::move(tracked)) {
  for (std::size_t i = 0; i < tracked_.size(); ++i) index_[tracked_[i]] = static_cast<int>(i);
  clang::CFG::BuildOptions options;
  options.setAllAlwaysAdd();
  cfg_ = clang::CFG::buildCFG(fd, fd->getBody(), &ctx, options);
  if (!cfg_) return;
  ParentRecorder(parent_).TraverseStmt(fd->getBody());

  const std::size_t n = tracked_.size();
  std::map<const clang::CFGBlock *, Bits> live_in;
  for (const clang::CFGBlock *b : *cfg_) live_in[b] = Bits(n, false);
  // Iterate to a fixed point; blocks in reverse order converge quickly.
  for (bool changed = true; changed;) {
    changed = false;
    for (auto it = cfg_->rbegin(); it != cfg_->rend(); ++it) {
      const clang::CFGBlock *b = *it;
      Bits live(n, false);
      for (const clang::CFGBlock::AdjacentBlock &succ : b->succs())
        if (const clang::CFGBlock *s = succ.getReachableBlock())
          for (std::size_t i = 0; i < n; ++i) live[i] = live[i] || live_in[s][i];
      if (const clang::Stmt *term = b->getTerminatorCondition()) transfer(term, live);
      for (auto e = b->rbegin(); e != b->rend(); ++e) {
        if (auto cs = e->getAs<clang::CFGStmt>()) {
          transfer(cs->getStmt(), live);
          before_[cs->getStmt()] = live;
        }
      }
      if (live != live_in[b]) {
        live_in[b] = live;
        changed = true;
      }
    }
  }
}

int Liveness::index_of(const clang::Decl *d) const {
  auto it = index_.find(llvm::dyn_cast_or_null<clang::VarDecl>(d));
  return it == index_.end() ? -1 : it->second;
}

void Liveness::transfer(const clang::Stmt *s, Bits &live) const {
  if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(s)) {
    const int i = index_of(ref->getDecl());
    if (i < 0) return;
    // The target of a plain assignment is written, not read.
    const clang::Stmt *child = ref;
    auto p = parent_.find(child);
    while (p != parent_.end() && llvm::isa<clang::ParenExpr>(p->second)) {
      child = p->second;
      p = parent_.find(child);
    }
    if (p != parent_.end())
      if (const auto *assign = llvm::dyn_cast<clang::BinaryOperator>(p->second))
        if (assign->getOpcode() == clang::BO_Assign && assign->getLHS() == child) return;
    live[static_cast<std::size_t>(i)] = true;
    return;
  }
  if (const auto *assign = llvm::dyn_cast<clang::BinaryOperator>(s)) {
    if (assign->getOpcode() != clang::BO_Assign) return;
    if (const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(assign->getLHS()->IgnoreParens())) {
      const int i = index_of(ref->getDecl());
      if (i >= 0 && kills_whole(tracked_[static_cast<std::size_t>(i)])) live[static_cast<std::size_t>(i)] = false;
    }
    return;
  }
  if (const auto *decl = llvm::dyn_cast<clang::DeclStmt>(s)) {
    for (const clang::Decl *d : decl->decls()) {
      const int i = index_of(d);
      if (i >= 0) live[static_cast<std::size_t>(i)] = false;
    }
  }
}

std::set<const clang::VarDecl *> Liveness::live_before(const clang::Stmt *element) const {
  std::set<const clang::VarDecl *> out;
  auto it = before_.find(element);
  if (it == before_.end()) return out;
  for (std::size_t i = 0; i < tracked_.size(); ++i)
    if (it->second[i]) out.insert(tracked_[i]);
  return out;
}

} // namespace snow::precompile
