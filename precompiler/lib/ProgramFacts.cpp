#include "ProgramFacts.h"

#include "PollPointPragma.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"
#include "clang/Basic/SourceManager.h"

namespace snow::precompile {

namespace {
std::string unit_root;  // set once per run, before any unit is read
}

void set_unit_root(const std::string &root) { unit_root = root; }

std::string unit_relative(const std::string &path) {
  if (!unit_root.empty() && path.size() > unit_root.size() + 1 && path.compare(0, unit_root.size(), unit_root) == 0 &&
      path[unit_root.size()] == '/')
    return path.substr(unit_root.size() + 1);
  return path;
}

std::string function_key(const clang::FunctionDecl *fd, const clang::SourceManager &sm) {
  const std::string name = fd->getNameAsString();
  if (fd->getStorageClass() != clang::SC_Static) return name;
  // Qualified by the unit's relative path: the same on every build machine.
  const clang::PresumedLoc p = sm.getPresumedLoc(sm.getFileLoc(fd->getLocation()));
  return unit_relative(p.isValid() ? p.getFilename() : "?") + ":" + name;
}

namespace {


// Does this loop body call a function or hold a nested loop (i.e. is it more
// than a tiny kernel)?
class LoopWeight : public clang::RecursiveASTVisitor<LoopWeight> {
public:
  bool heavy = false;
  bool VisitCallExpr(clang::CallExpr *) { heavy = true; return false; }
  bool VisitForStmt(clang::ForStmt *) { heavy = true; return false; }
  bool VisitWhileStmt(clang::WhileStmt *) { heavy = true; return false; }
  bool VisitDoStmt(clang::DoStmt *) { heavy = true; return false; }
};

class FactsVisitor : public clang::RecursiveASTVisitor<FactsVisitor> {
public:
  FactsVisitor(ProgramFacts &facts, clang::ASTContext &ctx) : facts_(facts), ctx_(ctx), sm_(ctx.getSourceManager()) {}

  bool TraverseFunctionDecl(clang::FunctionDecl *fd) {
    if (!fd->doesThisDeclarationHaveABody() || !sm_.isInMainFile(sm_.getFileLoc(fd->getLocation())))
      return clang::RecursiveASTVisitor<FactsVisitor>::TraverseFunctionDecl(fd);
    FunctionFacts f;
    f.key = function_key(fd, sm_);
    f.name = fd->getNameAsString();
    locate(fd->getLocation(), f.file, f.line, f.column);
    f.is_static = fd->getStorageClass() == clang::SC_Static;
    f.is_variadic = fd->isVariadic();
    f.returns_void_pointer = fd->getReturnType()->isVoidPointerType();
    current_ = &f;
    loop_depth_ = 0;
    clang::RecursiveASTVisitor<FactsVisitor>::TraverseFunctionDecl(fd);
    current_ = nullptr;
    facts_.functions[f.key] = std::move(f);
    return true;
  }

  bool VisitStringLiteral(clang::StringLiteral *lit) {
    if (current_ && lit->getString() == kUserPollMarker) current_->has_user_poll = true;
    return true;
  }

  bool VisitCallExpr(clang::CallExpr *call) {
    if (!current_) return true;
    const clang::FunctionDecl *callee = call->getDirectCallee();
    if (callee == nullptr) {
      current_->has_indirect_call = true;
      return true;
    }
    const std::string name = callee->getNameAsString();
    const std::string called = callee->getStorageClass() == clang::SC_Static ? function_key(callee, sm_) : name;
    current_->called_names.insert(called);
    for (const clang::Expr *arg : call->arguments()) {
      const clang::Expr *e = arg->IgnoreParenImpCasts();
      if (const auto *u = llvm::dyn_cast<clang::UnaryOperator>(e); u && u->getOpcode() == clang::UO_AddrOf)
        e = u->getSubExpr()->IgnoreParenImpCasts();
      const auto *ref = llvm::dyn_cast<clang::DeclRefExpr>(e);
      const auto *fd = ref ? llvm::dyn_cast<clang::FunctionDecl>(ref->getDecl()) : nullptr;
      if (fd == nullptr) continue;
      CallbackPass pass;
      pass.function = function_key(fd, sm_);
      pass.callee = called;
      locate(arg->getBeginLoc(), pass.file, pass.line, pass.column);
      facts_.callback_passes.push_back(pass);
    }
    if (!callee->hasBody() && (name == "malloc" || name == "calloc" || name == "realloc" || name == "aligned_alloc" ||
                               name == "memalign"))
      current_->calls_allocator = true;
    if (name == "setjmp" || name == "_setjmp" || name == "sigsetjmp" || name == "longjmp" || name == "_longjmp" ||
        name == "siglongjmp")
      unsafe(call->getBeginLoc(), "setjmp-longjmp",
             "'" + name + "' cannot be migrated: a jmp_buf holds machine registers and stack addresses", true);
    else if (name == "pthread_create" || name == "thrd_create")
      unsafe(call->getBeginLoc(), "threads", "'" + name + "': migratable programs are single-threaded", true);
    else if (name == "alloca" || name == "__builtin_alloca")
      unsafe(call->getBeginLoc(), "alloca", "alloca memory lives in a stack frame the runtime cannot describe");
    else if (name == "signal" || name == "sigaction")
      unsafe(call->getBeginLoc(), "signal-handler",
             "signal handlers are not re-installed after a migration; install them again after a restart", false,
             /*warning_only=*/true);
    return true;
  }

  bool VisitDeclRefExpr(clang::DeclRefExpr *ref) {
    if (const auto *fd = llvm::dyn_cast<clang::FunctionDecl>(ref->getDecl())) {
      // A function named other than as the callee of a call has its address taken.
      const auto parents = ctx_.getParents(*ref);
      bool callee = false;
      for (const auto &p : parents) {
        if (const auto *ice = p.get<clang::ImplicitCastExpr>()) {
          for (const auto &pp : ctx_.getParents(*ice))
            if (const auto *call = pp.get<clang::CallExpr>()) callee = call->getCallee() == ice;
        }
      }
      if (!callee) facts_.address_taken.insert(function_key(fd, sm_));
    }
    return true;
  }

  bool VisitGCCAsmStmt(clang::GCCAsmStmt *s) {
    unsafe(s->getBeginLoc(), "inline-asm", "inline assembly cannot be migrated between architectures");
    return true;
  }

  bool VisitVarDecl(clang::VarDecl *vd) {
    if (current_ && vd->getType()->isVariableArrayType())
      unsafe(vd->getLocation(), "variable-length-array",
             "variable-length array '" + vd->getNameAsString() + "' is not supported in a migratable function");
    return true;
  }

  bool VisitCastExpr(clang::CastExpr *cast) {
    if (cast->getCastKind() == clang::CK_PointerToIntegral && !cast->getType()->isBooleanType())
      unsafe(cast->getBeginLoc(), "pointer-to-integer",
             "a pointer converted to an integer cannot be migrated (its value is an address of this process)", true);
    return true;
  }

  bool TraverseForStmt(clang::ForStmt *s) { return loop(s, s->getBody()) && base().TraverseForStmt(s) && leave(); }
  bool TraverseWhileStmt(clang::WhileStmt *s) { return loop(s, s->getBody()) && base().TraverseWhileStmt(s) && leave(); }
  bool TraverseDoStmt(clang::DoStmt *s) { return loop(s, s->getBody()) && base().TraverseDoStmt(s) && leave(); }

private:
  clang::RecursiveASTVisitor<FactsVisitor> &base() { return *this; }
  bool leave() {
    --loop_depth_;
    return true;
  }
  bool loop(clang::Stmt *, clang::Stmt *body) {
    ++loop_depth_;
    if (!current_ || loop_depth_ != 1 || body == nullptr) return true;
    LoopWeight weight;
    weight.TraverseStmt(body);
    if (!weight.heavy) return true;  // a tiny kernel: no poll-point inside
    const clang::SourceLocation begin = sm_.getFileLoc(body->getBeginLoc());
    if (!sm_.isInMainFile(begin)) return true;
    LoopSite site;
    site.braced = llvm::isa<clang::CompoundStmt>(body);
    site.offset = sm_.getFileOffset(begin) + (site.braced ? 1 : 0);
    locate(begin, site.file, site.line, site.column);
    if (!site.braced) {
      // An expression-statement body is wrapped in braces up to and including
      // its ';' (the Expr itself ends before it). One ending in a macro, or any
      // other statement kind, cannot be wrapped safely: no automatic poll there.
      if (body->getEndLoc().isMacroID() || !llvm::isa<clang::Expr>(body)) return true;
      const clang::SourceLocation after_semi = clang::Lexer::findLocationAfterToken(
          sm_.getFileLoc(body->getEndLoc()), clang::tok::semi, sm_, ctx_.getLangOpts(), false);
      if (after_semi.isInvalid()) return true;
      site.end_offset = sm_.getFileOffset(after_semi);
    }
    current_->auto_candidates.push_back(site);
    return true;
  }

  void locate(clang::SourceLocation loc, std::string &file, unsigned &line, unsigned &column) {
    const clang::PresumedLoc p = sm_.getPresumedLoc(sm_.getFileLoc(loc));
    if (!p.isValid()) return;
    file = p.getFilename();
    line = p.getLine();
    column = p.getColumn();
  }

  void unsafe(clang::SourceLocation loc, const std::string &code, const std::string &message, bool always = false,
              bool warning_only = false) {
    UnsafeConstruct u;
    u.code = code;
    u.message = message;
    u.always_error = always;
    locate(loc, u.file, u.line, u.column);
    if (warning_only) u.code = "warn:" + code;
    if (current_) current_->unsafe.push_back(u);
    else facts_.file_scope_unsafe.push_back(u);
  }

  ProgramFacts &facts_;
  clang::ASTContext &ctx_;
  const clang::SourceManager &sm_;
  FunctionFacts *current_ = nullptr;
  int loop_depth_ = 0;
};

} // namespace

void ProgramFacts::add_unit(clang::ASTContext &ctx) { FactsVisitor(*this, ctx).TraverseDecl(ctx.getTranslationUnitDecl()); }

void ProgramFacts::link() {
  for (auto &[key, f] : functions)
    for (const std::string &name : f.called_names)
      if (functions.count(name)) f.callees.insert(name);
  // Wrappers of wrappers (xcalloc calling xmalloc) too: a fixpoint.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto &[key, f] : functions) {
      if (!f.returns_void_pointer || allocation_wrappers.count(key)) continue;
      bool wraps = f.calls_allocator;
      for (const std::string &c : f.callees) wraps = wraps || allocation_wrappers.count(c) > 0;
      if (wraps) grew = allocation_wrappers.insert(key).second || grew;
    }
  }
}

} // namespace snow::precompile
