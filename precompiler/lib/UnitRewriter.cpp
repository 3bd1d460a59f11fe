#include "UnitRewriter.h"

#include "Liveness.h"
#include "ProgramFacts.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Lex/Lexer.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace snow::precompile {

namespace {

using namespace clang;

const Expr *strip(const Expr *e) { return e ? e->IgnoreParenImpCasts() : nullptr; }

bool is_marker(const Stmt *s, const char *which = nullptr) {
  const auto *lit = dyn_cast_or_null<StringLiteral>(s);
  if (!lit) return false;
  if (which) return lit->getString() == which;
  return lit->getString() == kUserPollMarker || lit->getString() == kAutoPollMarker;
}

std::string sanitize(const std::string &s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

// Whether a leading guard clause can move into a wrapper, away from the
// body: nothing in it names or jumps to a label, or declares anything.
bool movable_to_wrapper(const Stmt *st) {
  if (!st) return true;
  if (isa<LabelStmt>(st) || isa<DeclStmt>(st) || isa<AddrLabelExpr>(st) || isa<StmtExpr>(st) || isa<GotoStmt>(st) ||
      isa<IndirectGotoStmt>(st))
    return false;
  for (const Stmt *c : st->children())
    if (!movable_to_wrapper(c)) return false;
  return true;
}

// Whether a function's header (its text up to the body's `{`) can be written
// again as it stands, on one line: no comment, no preprocessor line, no
// line continuation.
bool repeatable_header(const std::string &header) {
  return !header.empty() && header.find("//") == std::string::npos && header.find("/*") == std::string::npos &&
         header.find('#') == std::string::npos && header.find('\\') == std::string::npos;
}

// The parameters' names, as the arguments of a call that forwards them.
std::string forwarded_arguments(const FunctionDecl *fd) {
  std::string args;
  for (const ParmVarDecl *p : fd->parameters()) args += (args.empty() ? "" : ", ") + p->getNameAsString();
  return args;
}

// The nodes of one subtree that the rewriting steps look at, in source order.
struct Nodes : RecursiveASTVisitor<Nodes> {
  std::vector<const CallExpr *> calls;
  std::vector<const DeclRefExpr *> refs;
  std::vector<const DeclStmt *> decls;
  std::vector<const StringLiteral *> literals;
  std::vector<const PredefinedExpr *> predefined;  // __func__ and the like
  explicit Nodes(const Stmt *root) { TraverseStmt(const_cast<Stmt *>(root)); }
  bool VisitPredefinedExpr(PredefinedExpr *p) { predefined.push_back(p); return true; }
  bool VisitCallExpr(CallExpr *c) { calls.push_back(c); return true; }
  bool VisitDeclRefExpr(DeclRefExpr *r) { refs.push_back(r); return true; }
  bool VisitDeclStmt(DeclStmt *d) { decls.push_back(d); return true; }
  bool VisitStringLiteral(StringLiteral *l) { literals.push_back(l); return true; }
};

struct Local {
  const VarDecl *var = nullptr;
  std::string field;
  bool address_taken = false;
  unsigned scope_begin = 0, scope_end = 0;  // file offsets
  // Where the local lives. In memory: it is the field snow_L.<field> for its
  // whole life (address-taken locals, arrays, structs, and every case the
  // register scheme below cannot name safely). Otherwise it stays an ordinary
  // C local the compiler keeps in a register, and is copied into its field
  // ("spilled") only where a collection can see it: before each call on a
  // migration path and inside a poll-point that fires, and copied back at the
  // resume label. A local never written after its definition (a parameter,
  // a local initialised once outside loops) is spilled once at its definition
  // instead (spill_at_def).
  bool in_memory = true;
  bool spill_at_def = false;
  unsigned writes = 0;      // assignments, ++ and -- after its definition
  unsigned loop_depth = 0;  // loops around its declaration
};

struct CallSite {
  const CallExpr *call = nullptr;
  const Stmt *statement = nullptr;  // the full statement it belongs to
  std::string temp;                 // field holding its value when hoisted
  unsigned index = 0;               // resume point
};

class Impl {
public:
  Impl(ASTContext &ctx, const UnitInput &in, DiagnosticLog &log, UnitReport &report)
      : ctx_(ctx), sm_(ctx.getSourceManager()), in_(in), log_(log), report_(report), catalog_(ctx, log) {
    rw_.setSourceMgr(sm_, ctx.getLangOpts());
  }

  bool run(std::string &out);

private:
  // ---- helpers -------------------------------------------------------------
  void error(SourceLocation at, const std::string &code, const std::string &msg) {
    log_.report(Diagnostic::Severity::Error, code, sm_, at, msg);
  }
  void warning(SourceLocation at, const std::string &code, const std::string &msg) {
    log_.report(Diagnostic::Severity::Warning, code, sm_, at, msg);
  }
  unsigned offset(SourceLocation l) const { return sm_.getFileOffset(sm_.getFileLoc(l)); }
  bool in_main(SourceLocation l) const { return sm_.isInMainFile(sm_.getFileLoc(l)); }
  SourceLocation after_token(SourceLocation l) const {
    return Lexer::getLocForEndOfToken(sm_.getFileLoc(l), 0, sm_, ctx_.getLangOpts());
  }
  // The source range of `s` extended over its trailing ';' when it has one.
  CharSourceRange statement_range(const Stmt *s) const {
    SourceLocation end = s->getEndLoc();
    if (isa<Expr>(s) || isa<ReturnStmt>(s) || isa<DeclStmt>(s) || isa<BreakStmt>(s) || isa<ContinueStmt>(s) ||
        isa<GotoStmt>(s) || isa<DoStmt>(s)) {
      if (!isa<DeclStmt>(s)) {  // a DeclStmt's range already ends at its ';'
        SourceLocation semi = Lexer::findLocationAfterToken(sm_.getFileLoc(end), tok::semi, sm_, ctx_.getLangOpts(), false);
        if (semi.isValid()) return CharSourceRange::getCharRange(sm_.getFileLoc(s->getBeginLoc()), semi);
      }
    }
    return CharSourceRange::getCharRange(sm_.getFileLoc(s->getBeginLoc()), after_token(end));
  }
  std::string text(CharSourceRange r) { return rw_.getRewrittenText(r); }
  std::string text(const Stmt *s) {
    return rw_.getRewrittenText(CharSourceRange::getCharRange(sm_.getFileLoc(s->getBeginLoc()), after_token(s->getEndLoc())));
  }
  bool replace(const Stmt *s, const std::string &with) {
    return replace(CharSourceRange::getCharRange(sm_.getFileLoc(s->getBeginLoc()), after_token(s->getEndLoc())), with);
  }
  bool replace(CharSourceRange r, const std::string &with) {
    Rewriter::RewriteOptions o;
    o.IncludeInsertsAtBeginOfRange = false;
    const int size = rw_.getRangeSize(r, o);
    if (size < 0) return false;
    return !rw_.ReplaceText(r.getBegin(), static_cast<unsigned>(size), with);
  }
  void insert_before(SourceLocation l, const std::string &t) { pending_inserts_.push_back({sm_.getFileLoc(l), t, false}); }
  void insert_after(SourceLocation l, const std::string &t) { pending_inserts_.push_back({sm_.getFileLoc(l), t, true}); }
  int type_id(QualType t, SourceLocation use) { return catalog_.id_of(t, use); }
  // `lhs = rhs` as an expression; a struct with a const member cannot be
  // assigned, only initialised, so it is initialised aside and copied.
  std::string store(const std::string &lhs, QualType type, const std::string &rhs) const {
    if (!has_const_member(type)) return lhs + " = " + rhs;
    return "({ __typeof__(" + lhs + ") snow_v = (" + rhs + "); __builtin_memcpy(&" + lhs + ", &snow_v, sizeof snow_v); })";
  }
  static bool has_const_member(QualType type) {
    const auto *rt = type.getCanonicalType()->getAs<RecordType>();
    if (!rt || !rt->getDecl()->getDefinition()) return false;
    for (const FieldDecl *f : rt->getDecl()->getDefinition()->fields()) {
      QualType ft = f->getType().getCanonicalType();
      while (const auto *at = dyn_cast<ArrayType>(ft.getTypePtr())) ft = at->getElementType().getCanonicalType();
      if (ft.isConstQualified() || has_const_member(ft)) return true;
    }
    return false;
  }
  int function_entry(const std::string &key, const std::string &address, std::vector<int> views = {}) {
    auto it = function_index_.find(key);
    if (it != function_index_.end()) {
      if (!views.empty()) functions_[static_cast<std::size_t>(it->second)].views = views;
      return it->second;
    }
    functions_.push_back({key, address, std::move(views)});
    function_index_[key] = static_cast<int>(functions_.size() - 1);
    return static_cast<int>(functions_.size() - 1);
  }
  bool has_body_in_program(const FunctionDecl *fd) const {
    return in_.facts->functions.count(function_key(fd, sm_)) > 0;
  }
  template <typename T> const T *parent_as(const Stmt *s) {
    for (const DynTypedNode &p : ctx_.getParents(*s))
      if (const auto *t = p.get<T>()) return t;
    return nullptr;
  }
  // The parent statement; an initialiser's parent is its VarDecl, whose own
  // parent is the DeclStmt.
  const Stmt *parent_stmt(const Stmt *s) {
    for (const DynTypedNode &p : ctx_.getParents(*s)) {
      if (const auto *t = p.get<Stmt>()) return t;
      if (const auto *vd = p.get<VarDecl>())
        for (const DynTypedNode &pp : ctx_.getParents(*vd))
          if (const auto *t = pp.get<Stmt>()) return t;
    }
    return nullptr;
  }

  // ---- every function --------------------------------------------------------
  void rewrite_allocations(const FunctionDecl *fd);
  void rewrite_library_state(const FunctionDecl *fd);
  void adopt_wrapper_allocation(const CallExpr *call, const FunctionDecl *wrapper, bool inside_wrapper);
  void hoist_literals(const Stmt *root);
  void hoist_static_locals(const FunctionDecl *fd);
  QualType allocation_element(const CallExpr *call);
  void register_globals();
  void note_function_addresses(const Stmt *root);
  bool hands_heap_to_libc();

  // ---- cutoffs (`#pragma snow cutoff`) ----------------------------------------
  void plan_cutoffs(const std::vector<const FunctionDecl *> &defs);
  std::string plain_copy(const FunctionDecl *fd, bool &split);
  std::pair<std::string, std::string> own_name_macros(const FunctionDecl *fd);
  const PragmaPollPoint *pragma_at(SourceLocation hash) const {
    for (const PragmaPollPoint &pp : *in_.pragmas)
      if (sm_.getFileLoc(pp.hash) == sm_.getFileLoc(hash)) return &pp;
    return nullptr;
  }
  static const IfStmt *as_cutoff(const Stmt *s) {
    const auto *ifs = dyn_cast_or_null<IfStmt>(s);
    if (!ifs || !ifs->getThen()) return nullptr;
    const auto *then = dyn_cast<Expr>(ifs->getThen());
    const auto *lit = then ? dyn_cast<StringLiteral>(then->IgnoreImpCasts()) : nullptr;
    return lit && lit->getString() == kCutoffMarker ? ifs : nullptr;
  }

  // ---- migratable functions -------------------------------------------------
  void transform(const FunctionDecl *fd);

  ASTContext &ctx_;
  SourceManager &sm_;
  const UnitInput &in_;
  DiagnosticLog &log_;
  UnitReport &report_;
  Rewriter rw_;
  TypeCatalog catalog_;

  struct Insert {
    SourceLocation at;
    std::string text;
    bool after;
  };
  std::vector<Insert> pending_inserts_;
  std::string prelude_;  // file-scope declarations the rewritten code needs
  struct GlobalEntry {
    std::string name, address;
    int type;
    unsigned long long count;
    bool constant = false;  // SNOW_GLOBAL_CONSTANT
  };
  std::vector<GlobalEntry> globals_;
  struct FunctionEntry {
    std::string key, address;
    std::vector<int> views;
  };
  std::vector<FunctionEntry> functions_;
  std::map<std::string, int> function_index_;
  std::map<const VarDecl *, std::string> static_names_;
  std::set<const StringLiteral *> hoisted_;
  // Cutoffs: the leading `if (condition) "__snow_cutoff__";` of each function
  // that has one, and the plain copy's name of every function a cutoff
  // leaves plain (by key).
  std::map<const FunctionDecl *, const IfStmt *> cutoff_of_;
  std::map<std::string, std::string> plain_name_;
  // The references to free and realloc this rewriting replaced (with
  // snow_free, snow_realloc, snow_realloc_pending): every other one may hand
  // a block of the typed allocator to the C library (hands_heap_to_libc).
  std::set<const DeclRefExpr *> replaced_libc_refs_;
  unsigned literal_count_ = 0;
};

// ---- allocations -------------------------------------------------------------

QualType Impl::allocation_element(const CallExpr *call) {
  // 1. What the result becomes: a cast, an assignment, an initialisation, a return.
  const Stmt *s = call;
  for (const Stmt *p = parent_stmt(s); p; s = p, p = parent_stmt(p)) {
    if (const auto *ice = dyn_cast<ImplicitCastExpr>(p)) {
      if (ice->getType()->isPointerType() && !ice->getType()->getPointeeType()->isVoidType())
        return ice->getType()->getPointeeType();
      continue;
    }
    if (isa<ParenExpr>(p)) continue;
    if (const auto *cast = dyn_cast<ExplicitCastExpr>(p)) {
      if (cast->getType()->isPointerType() && !cast->getType()->getPointeeType()->isVoidType())
        return cast->getType()->getPointeeType();
      break;
    }
    break;
  }
  for (const DynTypedNode &p : ctx_.getParents(*call)) {
    if (const auto *vd = p.get<VarDecl>())
      if (vd->getType()->isPointerType() && !vd->getType()->getPointeeType()->isVoidType())
        return vd->getType()->getPointeeType();
  }
  // 2. sizeof in the size arguments.
  QualType found;
  std::function<void(const Stmt *)> find = [&](const Stmt *e) {
    if (!e || !found.isNull()) return;
    if (const auto *so = dyn_cast<UnaryExprOrTypeTraitExpr>(e))
      if (so->getKind() == UETT_SizeOf) {
        found = so->getTypeOfArgument();
        return;
      }
    for (const Stmt *c : e->children()) find(c);
  };
  for (const Expr *arg : call->arguments()) find(arg);
  if (!found.isNull() && found->isArrayType()) found = ctx_.getBaseElementType(found);
  return found;
}

// A call of an allocation wrapper (xmalloc): the wrapper's own allocation is
// pending (allocated, not yet typed); the call site, where the type shows,
// adopts it: `snow_adopt(xmalloc(n), type)`. A call inside another wrapper
// whose type does not show passes the pending block on to its own caller.
void Impl::adopt_wrapper_allocation(const CallExpr *call, const FunctionDecl *wrapper, bool inside_wrapper) {
  const std::string name = wrapper->getNameAsString();
  if (in_.plan->migratable.count(function_key(wrapper, sm_))) {
    error(call->getBeginLoc(), "allocation-wrapper-migratable",
          "allocation wrapper '" + name + "' can reach a poll-point; a block it allocates would be collected before it is typed");
    return;
  }
  if (call->getBeginLoc().isMacroID() || call->getRParenLoc().isMacroID()) {
    error(call->getBeginLoc(), "allocation-in-macro",
          "allocation wrapper '" + name + "' is called inside a macro expansion; its blocks cannot be typed there");
    return;
  }
  const QualType element = allocation_element(call);
  if (element.isNull() || element->isVoidType() || element->isIncompleteType()) {
    if (inside_wrapper) return;
    error(call->getBeginLoc(), "untyped-allocation",
          "cannot tell what this call of allocation wrapper '" + name +
              "' allocates; assign it to a typed pointer, cast it, or use sizeof(type) in its size");
    return;
  }
  const int id = type_id(element, call->getBeginLoc());
  if (id < 0) return;
  rw_.InsertTextBefore(sm_.getFileLoc(call->getBeginLoc()), "snow_adopt(");
  rw_.InsertTextAfter(after_token(call->getRParenLoc()), ", snow_unit_types[" + std::to_string(id) + "])");
  ++report_.allocations;
}

void Impl::rewrite_allocations(const FunctionDecl *fn) {
  const Nodes f(fn->getBody());
  const bool inside_wrapper = in_.facts->allocation_wrappers.count(function_key(fn, sm_)) > 0;
  static const std::set<std::string> names = {"malloc", "calloc", "realloc", "free", "strdup",
                                              "aligned_alloc", "memalign", "posix_memalign"};
  std::set<const DeclRefExpr *> callees;
  for (const CallExpr *call : f.calls) {
    const FunctionDecl *fd = call->getDirectCallee();
    if (fd && in_.facts->allocation_wrappers.count(function_key(fd, sm_))) {
      adopt_wrapper_allocation(call, fd, inside_wrapper);
      continue;
    }
    if (!fd || !names.count(fd->getNameAsString()) || has_body_in_program(fd)) continue;
    callees.insert(dyn_cast<DeclRefExpr>(strip(call->getCallee())));
    const std::string name = fd->getNameAsString();
    if (call->getBeginLoc().isMacroID() || call->getRParenLoc().isMacroID()) {
      warning(call->getBeginLoc(), "allocation-in-macro",
              "'" + name + "' is called inside a macro expansion, so the blocks it allocates are not typed and cannot be migrated");
      continue;
    }
    const SourceLocation callee_loc = call->getCallee()->getBeginLoc();
    const CharSourceRange callee_range = CharSourceRange::getTokenRange(callee_loc, callee_loc);
    if (name == "free") {
      replace(callee_range, "snow_free");
      replaced_libc_refs_.insert(dyn_cast<DeclRefExpr>(strip(call->getCallee())));
      continue;
    }
    QualType element = name == "strdup" ? ctx_.CharTy : allocation_element(call);
    if (name == "posix_memalign" && element.isNull()) {
      const Expr *out = strip(call->getArg(0));
      if (const auto *addr = dyn_cast<UnaryOperator>(out))
        if (addr->getOpcode() == UO_AddrOf && addr->getSubExpr()->getType()->isPointerType())
          element = addr->getSubExpr()->getType()->getPointeeType();
    }
    if ((element.isNull() || element->isVoidType()) && inside_wrapper && name != "posix_memalign") {
      // Typed where the wrapper is called (adopt_wrapper_allocation).
      static const std::map<std::string, std::string> pending = {
          {"malloc", "snow_malloc_pending"}, {"calloc", "snow_calloc_pending"}, {"realloc", "snow_realloc_pending"},
          {"aligned_alloc", "snow_aligned_alloc_pending"}, {"memalign", "snow_aligned_alloc_pending"}};
      replace(callee_range, pending.at(name));
      replaced_libc_refs_.insert(dyn_cast<DeclRefExpr>(strip(call->getCallee())));
      continue;
    }
    if (element.isNull() || element->isVoidType() || element->isIncompleteType()) {
      error(call->getBeginLoc(), "untyped-allocation",
            "cannot tell what this '" + name + "' allocates; assign it to a typed pointer, cast it, or use sizeof(type) in its size");
      continue;
    }
    const int id = type_id(element, call->getBeginLoc());
    if (id < 0) continue;
    static const std::map<std::string, std::string> to = {
        {"malloc", "snow_malloc"}, {"calloc", "snow_calloc"}, {"realloc", "snow_realloc"}, {"strdup", "snow_strdup"},
        {"aligned_alloc", "snow_aligned_alloc"}, {"memalign", "snow_aligned_alloc"}, {"posix_memalign", "snow_posix_memalign"}};
    replace(callee_range, to.at(name));
    replaced_libc_refs_.insert(dyn_cast<DeclRefExpr>(strip(call->getCallee())));
    rw_.InsertTextBefore(sm_.getFileLoc(call->getRParenLoc()), ", snow_unit_types[" + std::to_string(id) + "]");
    ++report_.allocations;
  }
  for (const DeclRefExpr *r : f.refs) {
    const auto *fd = dyn_cast<FunctionDecl>(r->getDecl());
    if (fd && names.count(fd->getNameAsString()) && !has_body_in_program(fd) && !callees.count(r))
      warning(r->getBeginLoc(), "allocator-pointer",
              "'" + fd->getNameAsString() + "' used as a function pointer allocates untyped blocks that cannot be migrated");
  }
}

// Whether this unit may hand a block of the typed allocator to the C
// library's free or realloc, which must then see plain blocks, not blocks with
// the runtime's header in front (runtime/src/msr/headed_heap.hpp): free or
// realloc named anywhere in the unit — a macro expansion, a function pointer,
// a header's inline function, a global's initializer — except where this
// rewriting replaced the call (a free or realloc the program defines itself
// counts too: its calls are not rewritten, so it would get headed blocks),
// and the C library's getline, getdelim and reallocarray, which reallocate
// the buffer they are given, and malloc_usable_size, which reads the C
// library's chunk header (a headed or slab block has none of its own).
bool Impl::hands_heap_to_libc() {
  struct Refs : RecursiveASTVisitor<Refs> {
    std::vector<const DeclRefExpr *> refs;
    bool VisitDeclRefExpr(DeclRefExpr *r) {
      refs.push_back(r);
      return true;
    }
  } all;
  all.TraverseDecl(ctx_.getTranslationUnitDecl());
  static const std::set<std::string> deallocators = {"free", "realloc"};
  static const std::set<std::string> reallocating = {"reallocarray", "getline", "getdelim", "__getdelim",
                                                     "malloc_usable_size"};
  for (const DeclRefExpr *r : all.refs) {
    const auto *fd = dyn_cast<FunctionDecl>(r->getDecl());
    if (!fd || !fd->getIdentifier() || replaced_libc_refs_.count(r)) continue;
    const std::string name = fd->getName().str();
    if (deallocators.count(name) || (reallocating.count(name) && !has_body_in_program(fd))) return true;
  }
  return false;
}

// ---- state the C library keeps: the random generator, open files ------------------

// rand()'s state and FILE objects live inside libc, out of the collector's
// sight. The runtime's snow_rand computes the same sequence with its state
// migrated; snow_fopen/snow_fclose keep the table of open files that a
// restart reopens (runtime/src/exec/open_streams.hpp).
void Impl::rewrite_library_state(const FunctionDecl *fn) {
  static const std::map<std::string, std::string> to = {
      {"rand", "snow_rand"},   {"srand", "snow_srand"}, {"random", "snow_random"},
      {"srandom", "snow_srandom"}, {"fopen", "snow_fopen"}, {"fclose", "snow_fclose"}};
  static const std::set<std::string> unmovable_streams = {"popen", "fdopen", "tmpfile", "freopen", "fmemopen",
                                                          "open_memstream"};
  const Nodes f(fn->getBody());
  std::set<const DeclRefExpr *> callees;
  for (const CallExpr *call : f.calls) {
    const FunctionDecl *fd = call->getDirectCallee();
    if (fd && unmovable_streams.count(fd->getNameAsString()) && !has_body_in_program(fd)) {
      warning(call->getBeginLoc(), "unmigratable-stream",
              "the stream '" + fd->getNameAsString() +
                  "' returns cannot be reopened after a migration; close it before any poll-point is reached");
      continue;
    }
    if (!fd || !to.count(fd->getNameAsString()) || has_body_in_program(fd)) continue;
    callees.insert(dyn_cast<DeclRefExpr>(strip(call->getCallee())));
    const SourceLocation at = call->getCallee()->getBeginLoc();
    if (at.isMacroID()) {
      warning(at, "library-state-in-macro",
              "'" + fd->getNameAsString() + "' is called inside a macro expansion; the state it keeps is not migrated");
      continue;
    }
    replace(CharSourceRange::getTokenRange(at, at), to.at(fd->getNameAsString()));
  }
  for (const DeclRefExpr *r : f.refs) {
    const auto *fd = dyn_cast<FunctionDecl>(r->getDecl());
    if (fd && to.count(fd->getNameAsString()) && !has_body_in_program(fd) && !callees.count(r))
      warning(r->getBeginLoc(), "library-state-pointer",
              "'" + fd->getNameAsString() + "' used as a function pointer keeps its state in the C library, which is not migrated");
  }
}

// ---- string literals and static locals ----------------------------------------

void Impl::hoist_literals(const Stmt *root) {
  for (const StringLiteral *lit : Nodes(root).literals) {
    if (is_marker(lit) || lit->getString() == kCutoffMarker || hoisted_.count(lit) || lit->getBeginLoc().isMacroID() || !lit->isAscii()) continue;
    // Only a literal used as a pointer can be stored; one handed straight to a
    // library function (printf's format, strcmp's argument) never is.
    const auto *decay = parent_as<ImplicitCastExpr>(lit);
    if (!decay || decay->getCastKind() != CK_ArrayToPointerDecay) continue;
    const Stmt *user = parent_stmt(decay);
    while (user && (isa<ImplicitCastExpr>(user) || isa<ParenExpr>(user))) user = parent_stmt(user);
    if (const auto *call = dyn_cast_or_null<CallExpr>(user))
      if (const FunctionDecl *fd = call->getDirectCallee())
        if (!has_body_in_program(fd)) continue;
    const std::string name = "snow_str_" + std::to_string(literal_count_++);
    const std::string spelling =
        Lexer::getSourceText(CharSourceRange::getTokenRange(lit->getSourceRange()), sm_, ctx_.getLangOpts()).str();
    prelude_ += "static char " + name + "[] = " + spelling + ";\n";
    const int id = type_id(ctx_.CharTy, lit->getBeginLoc());
    globals_.push_back({name, name, id, lit->getByteLength() + 1ull});
    replace(CharSourceRange::getTokenRange(lit->getSourceRange()), name);
    hoisted_.insert(lit);
  }
}

void Impl::hoist_static_locals(const FunctionDecl *fd) {
  const Nodes f(fd->getBody());
  std::vector<const DeclStmt *> statics;
  for (const DeclStmt *d : f.decls) {
    bool any = false;
    for (const Decl *decl : d->decls())
      if (const auto *vd = dyn_cast<VarDecl>(decl))
        if (vd->isStaticLocal()) {
          any = true;
          static_names_[vd] = "snow_static_" + sanitize(fd->getNameAsString()) + "_" + vd->getNameAsString();
        }
    if (any) statics.push_back(d);
  }
  if (statics.empty()) return;
  for (const DeclRefExpr *r : f.refs)
    if (const auto *vd = dyn_cast<VarDecl>(r->getDecl()))
      if (static_names_.count(vd) && !r->getLocation().isMacroID())
        replace(CharSourceRange::getTokenRange(r->getLocation(), r->getLocation()), static_names_[vd]);
  std::string moved;
  for (const DeclStmt *d : statics) {
    for (const Decl *decl : d->decls()) {
      const auto *vd = dyn_cast<VarDecl>(decl);
      if (!vd) continue;
      std::string declarator;
      llvm::raw_string_ostream os(declarator);
      vd->getType().print(os, PrintingPolicy(ctx_.getLangOpts()), static_names_[vd]);
      os.flush();
      moved += "static " + declarator;
      if (vd->hasInit()) moved += " = " + text(vd->getInit());
      moved += "; ";
      // Registered like a global (register_globals), const ones as constants.
      const bool constant = vd->getType().isConstQualified() ||
                            (ctx_.getAsArrayType(vd->getType()) &&
                             ctx_.getBaseElementType(vd->getType()).isConstQualified());
      QualType t = vd->getType();
      unsigned long long count = 1;
      if (const auto *at = ctx_.getAsConstantArrayType(t)) {
        count = at->getSize().getZExtValue();
        t = at->getElementType();
      }
      const int id = count == 0 ? -1
                     : constant ? catalog_.try_id_of(t.getUnqualifiedType(), vd->getLocation())
                                : type_id(t, vd->getLocation());
      if (id >= 0)
        globals_.push_back({fd->getNameAsString() + "::" + vd->getNameAsString(),
                            "&" + static_names_[vd] + (count > 1 || vd->getType()->isArrayType() ? "[0]" : ""), id,
                            count, constant});
    }
    replace(statement_range(d), ";");
  }
  insert_before(fd->getBeginLoc(), moved);
}

// Functions whose address is taken in `root`: their pointers travel as table ids.
void Impl::note_function_addresses(const Stmt *root) {
  for (const DeclRefExpr *r : Nodes(root).refs)
    if (const auto *callee = dyn_cast<FunctionDecl>(r->getDecl())) {
      const auto *ice = parent_as<ImplicitCastExpr>(r);
      const CallExpr *call = ice ? parent_as<CallExpr>(ice) : nullptr;
      if (call && call->getCallee() == ice) continue;
      if (callee->getBuiltinID() != 0) continue;
      function_entry(function_key(callee, sm_), "(snow_function_address)" + callee->getNameAsString());
    }
}

void Impl::register_globals() {
  for (const Decl *d : ctx_.getTranslationUnitDecl()->decls()) {
    const auto *vd = dyn_cast<VarDecl>(d);
    // Definitions in the program's own headers are this unit's variables too
    // (csmith.h's crc32_context is `static` in a header); the C library's are not.
    if (!vd || !vd->isThisDeclarationADefinition() || sm_.isInSystemHeader(sm_.getFileLoc(vd->getLocation())))
      continue;
    if (vd->isThisDeclarationADefinition() == VarDecl::DeclarationOnly) continue;
    // A const global is the same in every run of the program; it is
    // registered so that pointers into it (a table of operations) travel,
    // but never restored. One whose type cannot be described is left out
    // quietly: only a pointer into it would then fail, with its own error.
    const bool constant = vd->getType().isConstQualified() ||
                          (ctx_.getAsArrayType(vd->getType()) &&
                           ctx_.getBaseElementType(vd->getType()).isConstQualified());
    QualType t = vd->getType();
    unsigned long long count = 1;
    if (const auto *at = ctx_.getAsConstantArrayType(t)) {
      count = at->getSize().getZExtValue();
      t = at->getElementType();
    }
    if (count == 0) continue;
    const int id = constant ? catalog_.try_id_of(t.getUnqualifiedType(), vd->getLocation()) : type_id(t, vd->getLocation());
    if (id < 0) continue;
    const std::string name = vd->getNameAsString();
    globals_.push_back({name, vd->getType()->isArrayType() ? "&" + name + "[0]" : "&" + name, id, count, constant});
    if (const Expr *init = vd->getInit()) {
      hoist_literals(init);
      note_function_addresses(init);  // a table of operations
    }
  }
  report_.globals = static_cast<unsigned>(globals_.size());
}

// ---- migratable functions ---------------------------------------------------------

// Where a call on a migration path sits, which decides how it is resumed.
enum class Role { Statement, Hoisted, WhileCond, ForCond, Unsupported };

struct CallPlan {
  const CallExpr *call = nullptr;
  const Stmt *owner = nullptr;  // the statement before which its label goes (or the loop)
  Role role = Role::Statement;
  bool hoist_args = false;
  std::string temp;
  std::string why;  // Unsupported: what to tell the user
  // What C sequences before the call in its statement but the hoisting would
  // move after it: the left operands of the comma operators it is in the
  // right operand of, and the earlier declarators of its declaration. Each is
  // evaluated in order ahead of the hoisted call (and of its resume label).
  std::vector<const BinaryOperator *> commas;
  std::vector<const VarDecl *> earlier_declarators;
};

// ---- cutoffs -------------------------------------------------------------------
//
// `#pragma snow cutoff(height < 12)`, leading a migratable function's body:
// a call for which the condition holds on entry runs a plain copy of the
// function — the original code, with no frame, no resume points and no
// poll-points — and so does everything it calls. The calls a recursion
// makes in bulk then cost what they cost before, and a migration waits, at
// most, for the plain call to return. Resuming calls skip the test: a frame
// in the checkpoint was an instrumented call. The copies are made of every
// migratable function reachable from the cutoff's function, so they must all
// be in this file, and none may call through a pointer that could reach a
// poll-point (an instrumented function entered from a plain one would push a
// frame its callers never pushed).

void Impl::plan_cutoffs(const std::vector<const FunctionDecl *> &defs) {
  std::map<std::string, const FunctionDecl *> here;  // this file's functions, by key
  for (const FunctionDecl *fd : defs) here[function_key(fd, sm_)] = fd;
  const auto &migratable = in_.plan->migratable;
  std::set<std::string> region;
  for (const FunctionDecl *fd : defs) {
    const auto *body = cast<CompoundStmt>(fd->getBody());
    const std::string key = function_key(fd, sm_), name = fd->getNameAsString();
    for (const StringLiteral *lit : Nodes(body).literals) {
      if (lit->getString() != kCutoffMarker) continue;
      const PragmaPollPoint *pragma = pragma_at(lit->getBeginLoc());
      const Stmt *holder = parent_stmt(lit);
      while (holder && isa<ImplicitCastExpr>(holder)) holder = parent_stmt(holder);
      const IfStmt *ifs = as_cutoff(holder);
      if (!pragma || !ifs) continue;  // the parser has reported the damage
      const SourceLocation at = pragma->hash;
      if (!migratable.count(key)) {
        warning(at, "cutoff-no-effect",
                "'#pragma snow cutoff' has no effect: no poll-point can be reached from '" + name + "', so its calls are plain already");
        replace(CharSourceRange::getCharRange(pragma->hash, pragma->end), "");
        continue;
      }
      if (name == "main") {
        error(at, "cutoff-in-main", "'#pragma snow cutoff' cannot be used in 'main', which is called once");
        continue;
      }
      bool leading = false;
      for (const Stmt *st : body->body()) {
        leading = st == ifs;
        if (leading || !isa<IfStmt>(st)) break;
      }
      if (!leading) {
        error(at, "cutoff-position",
              "'#pragma snow cutoff' must come first in the body of '" + name +
                  "', before any declaration or statement other than guard clauses ('if (…) return …;')");
        continue;
      }
      if (cutoff_of_.count(fd)) {
        error(at, "cutoff-repeated", "'" + name + "' has a cutoff already; join the conditions with '||'");
        continue;
      }
      if (fd->isVariadic() || !fd->hasWrittenPrototype()) {
        error(at, "cutoff-signature",
              "'#pragma snow cutoff' needs a prototyped, non-variadic function: the plain call forwards '" + name +
                  "''s parameters as they are");
        continue;
      }
      bool named = true;
      for (const ParmVarDecl *p : fd->parameters()) named &= !p->getName().empty();
      if (!named) {
        error(at, "cutoff-signature", "'#pragma snow cutoff' needs every parameter of '" + name + "' to have a name");
        continue;
      }
      bool calls_migratable = false;
      for (const CallExpr *call : Nodes(ifs->getCond()).calls) {
        const FunctionDecl *callee = call->getDirectCallee();
        calls_migratable |= callee == nullptr || migratable.count(function_key(callee, sm_)) > 0;
      }
      if (calls_migratable) {
        error(ifs->getCond()->getBeginLoc(), "cutoff-condition-call",
              "the cutoff's condition calls a function that can reach a poll-point (or through a pointer); "
              "it is evaluated before the frame exists");
        continue;
      }
      // Every migratable function the plain copy can reach gets a plain copy too.
      bool ok = true;
      std::set<std::string> reach = {key};
      std::vector<std::string> work = {key};
      while (!work.empty()) {
        const std::string k = work.back();
        work.pop_back();
        auto f = in_.facts->functions.find(k);
        if (f == in_.facts->functions.end()) continue;
        const std::string callee_name = f->second.name;
        const std::string reached = k == key ? "'" + name + "'" : "'" + callee_name + "' (reached from the cutoff of '" + name + "')";
        if (!here.count(k)) {
          error(at, "cutoff-other-file",
                reached + " can reach a poll-point and is defined in another file; plain copies are made of this file's functions only");
          ok = false;
          continue;
        }
        if (callee_name == "main") {
          error(at, "cutoff-in-main", reached + " is 'main', which cannot have a plain copy");
          ok = false;
          continue;
        }
        if (f->second.has_indirect_call && in_.plan->indirect_targets_migratable) {
          error(at, "cutoff-indirect-call",
                reached + " calls through a function pointer that may reach a poll-point; a plain copy cannot make "
                          "that call, because a plain call cannot enter a migratable function");
          ok = false;
          continue;
        }
        const FunctionDecl *g = here.at(k);
        if (g->getBeginLoc().isMacroID() || g->getLocation().isMacroID() || !g->hasWrittenPrototype()) {
          error(at, "cutoff-signature",
                reached + " is defined by a macro or without a prototype, so no plain copy of it can be made");
          ok = false;
          continue;
        }
        for (const std::string &c : f->second.callees)
          if (migratable.count(c) && reach.insert(c).second) work.push_back(c);
      }
      if (!ok) continue;
      cutoff_of_[fd] = ifs;
      region.insert(reach.begin(), reach.end());
      const PresumedLoc where = sm_.getPresumedLoc(sm_.getFileLoc(at));
      CutoffReport r{name, in_.original_path, where.getLine(), where.getColumn(),
                     Lexer::getSourceText(CharSourceRange::getTokenRange(ifs->getCond()->getSourceRange()), sm_,
                                          ctx_.getLangOpts()).str(), {}};
      for (const std::string &k : reach) r.plain.push_back(here.at(k)->getNameAsString());
      report_.cutoffs.push_back(std::move(r));
    }
  }
  // Named even when an error was reported, so that transform() still checks
  // (and reports on) every cutoff; no output is written then.
  for (const std::string &k : region) plain_name_[k] = "snow_plain_" + sanitize(k);
  if (region.empty() || log_.has_errors()) return;
  auto prototype = [&](const std::string &k) {
    std::string proto;
    llvm::raw_string_ostream os(proto);
    here.at(k)->getType().print(os, PrintingPolicy(ctx_.getLangOpts()), plain_name_.at(k));
    os.flush();
    return "static " + proto + ";";
  };
  const std::string path = c_string_literal(in_.original_path);
  for (const std::string &k : region) {
    const FunctionDecl *g = here.at(k);
    // Before the function: its cutoff, in its wrapper or at the top of its
    // body, calls the copy.
    if (cutoff_of_.count(g)) insert_before(g->getBeginLoc(), prototype(k) + " ");
    // Right after it, where the same macros are defined, under a #line of the
    // original and followed by one that puts the rest of the file back on its
    // lines. The plain copies it calls may come later in the file: declared
    // first (their parameter types are declared by now: the original calls them).
    std::string copy = "\n";
    for (const std::string &c : in_.facts->functions.at(k).callees)
      if (c != k && plain_name_.count(c)) copy += prototype(c) + "\n";
    const SourceLocation close = sm_.getFileLoc(g->getBody()->getEndLoc());
    // Its guards' wrapper calls the copy's body, defined after it (plain_copy).
    bool split = false;
    const std::string text = plain_copy(g, split);
    if (split) {
      std::string proto;
      llvm::raw_string_ostream os(proto);
      g->getType().print(os, PrintingPolicy(ctx_.getLangOpts()), "snow_plain_body_" + sanitize(k));
      os.flush();
      copy += "static " + proto + ";\n";
    }
    // `__func__` (also from a macro) names the function the user wrote, not its copy.
    const auto [define_name, undefine_name] = own_name_macros(g);
    copy += define_name.empty() ? "#line " + std::to_string(sm_.getPresumedLineNumber(sm_.getFileLoc(g->getBeginLoc()))) + " " + path + "\n"
                                : define_name;
    copy += text + (undefine_name.empty() ? "\n#line " + std::to_string(sm_.getPresumedLineNumber(close)) + " " + path + "\n"
                                                   : undefine_name + "\n");
    insert_after(after_token(close), copy);
  }
}

// A function that is renamed (its body split from its guards, or a plain
// copy) still answers `__func__` with the user's name, also where a macro
// writes it: when its body uses one, the pair of texts that define
// `__func__`, `__FUNCTION__` and `__PRETTY_FUNCTION__` as that name before
// the function's first line and undefine them after its last. Each starts
// and ends a line and ends with a #line, so every line keeps its number.
std::pair<std::string, std::string> Impl::own_name_macros(const FunctionDecl *fd) {
  if (Nodes(fd->getBody()).predefined.empty()) return {"", ""};
  const std::string name = c_string_literal(fd->getNameAsString()), path = c_string_literal(in_.original_path);
  const auto line = [&](SourceLocation l) { return std::to_string(sm_.getPresumedLineNumber(sm_.getFileLoc(l))); };
  std::string define, undefine;
  for (const char *macro : {"__func__", "__FUNCTION__", "__PRETTY_FUNCTION__"}) {
    define += std::string("#define ") + macro + " " + name + "\n";
    undefine += std::string("#undef ") + macro + "\n";
  }
  return {"\n" + define + "#line " + line(fd->getBeginLoc()) + " " + path + "\n",
          "\n" + undefine + "#line " + line(fd->getBody()->getEndLoc()) + " " + path + "\n"};
}

// The text of `fd` as the common rewriting left it (typed allocations,
// literals, static locals), renamed to its plain copy's name, with its
// direct calls of migratable functions going to their plain copies and its
// poll-points and cutoffs dropped.
std::string Impl::plain_copy(const FunctionDecl *fd, bool &split) {
  struct Edit {
    SourceLocation begin, end;
    std::string text;
  };
  std::vector<Edit> edits;
  const SourceLocation name = sm_.getFileLoc(fd->getLocation());
  edits.push_back({name, after_token(name), plain_name_.at(function_key(fd, sm_))});
  const Nodes nodes(fd->getBody());
  for (const CallExpr *call : nodes.calls) {
    const FunctionDecl *callee = call->getDirectCallee();
    if (!callee || !plain_name_.count(function_key(callee, sm_))) continue;
    const auto *ref = dyn_cast<DeclRefExpr>(strip(call->getCallee()));
    if (!ref || ref->getLocation().isMacroID()) continue;  // a macro's call: plan_cutoffs refused the region
    edits.push_back({ref->getLocation(), after_token(ref->getLocation()), plain_name_.at(function_key(callee, sm_))});
  }
  for (const StringLiteral *lit : nodes.literals) {
    if (lit->getString() == kAutoPollMarker) {
      const SourceLocation semi = Lexer::findLocationAfterToken(sm_.getFileLoc(lit->getEndLoc()), tok::semi, sm_,
                                                                ctx_.getLangOpts(), false);
      edits.push_back({sm_.getFileLoc(lit->getBeginLoc()), semi, ""});
    } else if (lit->getString() == kUserPollMarker || lit->getString() == kCutoffMarker) {
      if (const PragmaPollPoint *pp = pragma_at(lit->getBeginLoc())) edits.push_back({pp->hash, pp->end, ""});
    }
  }
  std::sort(edits.begin(), edits.end(), [&](const Edit &a, const Edit &b) { return offset(a.begin) < offset(b.begin); });
  // The rewritten text of [from, to) with the edits above.
  auto piece = [&](SourceLocation from, SourceLocation to) {
    std::string out;
    for (const Edit &e : edits) {
      if (offset(e.begin) < offset(from) || offset(e.begin) >= offset(to)) continue;  // outside, or inside an earlier edit
      out += rw_.getRewrittenText(CharSourceRange::getCharRange(from, e.begin)) + e.text;
      from = e.end;
    }
    return out + rw_.getRewrittenText(CharSourceRange::getCharRange(from, to));
  };
  const auto *body = cast<CompoundStmt>(fd->getBody());
  const SourceLocation begin = sm_.getFileLoc(fd->getBeginLoc()), open = sm_.getFileLoc(body->getLBracLoc());
  const SourceLocation end = after_token(body->getEndLoc());
  // Internal linkage from the static prototype plan_cutoffs puts before it.
  //
  // Leading guard clauses (`if (t == NULL) return;`) go into a wrapper the
  // compiler inlines into the callers, as for a migratable function and as
  // the original's compiler splits the original: otherwise every leaf call of
  // a recursion would be a call in the copy that was none in the original.
  std::vector<const IfStmt *> guards;
  for (const Stmt *st : body->body()) {
    const auto *ifs = dyn_cast<IfStmt>(st);
    if (ifs && as_cutoff(ifs)) continue;  // its pragma line is dropped
    if (!ifs || ifs->getElse() || ifs->getInit() || ifs->getConditionVariable() || !movable_to_wrapper(ifs) ||
        ifs->getBeginLoc().isMacroID() || ifs->getEndLoc().isMacroID())
      break;
    guards.push_back(ifs);
  }
  const std::string header = Lexer::getSourceText(CharSourceRange::getCharRange(begin, open), sm_, ctx_.getLangOpts()).str();
  split = !guards.empty() && !fd->isVariadic() && fd->hasWrittenPrototype() && repeatable_header(header);
  for (const ParmVarDecl *p : fd->parameters()) split &= !p->getName().empty();
  if (!split) return piece(begin, end);
  const std::string copy_name = plain_name_.at(function_key(fd, sm_)), body_name = "snow_plain_body_" + sanitize(function_key(fd, sm_));
  const std::string args = forwarded_arguments(fd);
  std::string body_header = piece(begin, open);
  std::replace(body_header.begin(), body_header.end(), '\n', ' ');
  std::replace(body_header.begin(), body_header.end(), '\r', ' ');
  body_header.replace(body_header.find(copy_name), copy_name.size(), body_name);
  const SourceLocation guards_end = statement_range(guards.back()->getThen()).getEnd();
  const bool is_void = fd->getReturnType()->isVoidType();
  return piece(begin, guards_end) + " " + (is_void ? "" : "return ") + body_name + "(" + args + "); } " +
         "__attribute__((noinline)) " + body_header + "{" + piece(guards_end, end);
}

void Impl::transform(const FunctionDecl *fd) {
  const std::string fname = fd->getNameAsString();
  const std::string key = function_key(fd, sm_);
  const std::string locals_struct = "snow_locals_" + sanitize(key);
  const auto *body = cast<CompoundStmt>(fd->getBody());
  report_.migratable_functions.push_back(fname);

  // ---- 1. locals and their scopes -------------------------------------------------
  std::vector<Local> locals;
  std::map<const VarDecl *, std::size_t> local_of;
  std::set<std::string> used_names = {"snow_unused"};
  auto add_local = [&](const VarDecl *vd, unsigned scope_begin, unsigned scope_end) {
    Local l;
    l.var = vd;
    std::string name = vd->getNameAsString();
    if (name.empty()) name = "snow_unnamed";
    std::string field = name;
    for (int n = 2; used_names.count(field); ++n) field = name + "_" + std::to_string(n);
    used_names.insert(field);
    l.field = field;
    l.scope_begin = scope_begin;
    l.scope_end = scope_end;
    local_of[vd] = locals.size();
    locals.push_back(l);
  };
  const unsigned body_begin = offset(body->getBeginLoc()), body_end = offset(body->getEndLoc());
  for (const ParmVarDecl *p : fd->parameters()) add_local(p, body_begin, body_end);

  struct Scan : RecursiveASTVisitor<Scan> {
    Impl &self;
    std::function<void(const VarDecl *, unsigned, unsigned)> add;
    std::vector<const Stmt *> scopes;
    std::vector<const DeclRefExpr *> refs;
    std::vector<const Stmt *> markers;
    std::vector<const CallExpr *> calls;
    std::vector<const ReturnStmt *> returns;
    std::vector<const DeclStmt *> decls;
    std::map<const VarDecl *, unsigned> loop_depth;
    unsigned depth = 0;
    bool has_goto = false;        // a goto can enter a scope anywhere: every local stays in memory
    bool has_other_decl = false;  // block-scope extern, typedef, enum: names that could hide a local
    explicit Scan(Impl &s) : self(s) {}
    bool TraverseWhileStmt(WhileStmt *w) {
      ++depth;
      RecursiveASTVisitor<Scan>::TraverseWhileStmt(w);
      --depth;
      return true;
    }
    bool TraverseDoStmt(DoStmt *d) {
      ++depth;
      RecursiveASTVisitor<Scan>::TraverseDoStmt(d);
      --depth;
      return true;
    }
    bool VisitGotoStmt(GotoStmt *) { has_goto = true; return true; }
    bool VisitIndirectGotoStmt(IndirectGotoStmt *) { has_goto = true; return true; }
    bool TraverseCompoundStmt(CompoundStmt *c) {
      scopes.push_back(c);
      RecursiveASTVisitor<Scan>::TraverseCompoundStmt(c);
      scopes.pop_back();
      return true;
    }
    bool TraverseForStmt(ForStmt *f) {
      scopes.push_back(f);
      ++depth;  // its initialiser too: the increment usually writes what it declares
      RecursiveASTVisitor<Scan>::TraverseForStmt(f);
      --depth;
      scopes.pop_back();
      return true;
    }
    bool VisitVarDecl(VarDecl *vd) {
      if (vd->isLocalVarDecl() && !vd->isStaticLocal() && !vd->hasExternalStorage() && !scopes.empty()) {
        add(vd, self.offset(vd->getBeginLoc()), self.offset(scopes.back()->getEndLoc()));
        loop_depth[vd] = depth;
      }
      return true;
    }
    bool VisitDeclRefExpr(DeclRefExpr *r) { refs.push_back(r); return true; }
    bool VisitStringLiteral(StringLiteral *s) {
      if (is_marker(s)) markers.push_back(s);
      return true;
    }
    bool VisitCallExpr(CallExpr *c) { calls.push_back(c); return true; }
    bool VisitReturnStmt(ReturnStmt *r) { returns.push_back(r); return true; }
    bool VisitDeclStmt(DeclStmt *d) {
      decls.push_back(d);
      for (const Decl *decl : d->decls()) {
        const auto *vd = dyn_cast<VarDecl>(decl);
        if (!vd ? !isa<RecordDecl>(decl) : vd->hasExternalStorage()) has_other_decl = true;
      }
      return true;
    }
  } scan(*this);
  scan.add = add_local;
  scan.TraverseStmt(const_cast<CompoundStmt *>(body));

  // ---- 2. address-taken locals (live wherever in scope) and liveness ----------------
  for (const DeclRefExpr *r : scan.refs) {
    const auto *vd = dyn_cast<VarDecl>(r->getDecl());
    if (!vd || !local_of.count(vd)) continue;
    // Up through what still designates (part of) the local itself: `&x`,
    // `&x.f`, an array decaying. Not through a load: in `&p->f` or `&p[i]`
    // the address taken is the pointee's, and p stays an ordinary value.
    bool taken = false;
    for (const Stmt *p = parent_stmt(r); p; p = parent_stmt(p)) {
      if (isa<ParenExpr>(p)) continue;
      if (const auto *m = dyn_cast<MemberExpr>(p); m && !m->isArrow()) continue;
      if (const auto *ice = dyn_cast<ImplicitCastExpr>(p)) {
        if (ice->getCastKind() == CK_ArrayToPointerDecay) taken = true;
        if (ice->getCastKind() == CK_NoOp) continue;
        break;  // a load (LValueToRValue) or a conversion: a value from here on
      }
      if (const auto *u = dyn_cast<UnaryOperator>(p)) taken = u->getOpcode() == UO_AddrOf;
      break;
    }
    if (taken) locals[local_of[vd]].address_taken = true;
  }
  std::vector<const VarDecl *> tracked;
  for (const Local &l : locals) tracked.push_back(l.var);
  Liveness liveness(fd, ctx_, tracked);
  if (!liveness.valid()) {
    error(fd->getLocation(), "no-cfg", "cannot analyse '" + fname + "': Clang could not build its control-flow graph");
    return;
  }

  // Writes to each local after its definition.
  for (const DeclRefExpr *r : scan.refs) {
    const auto *vd = dyn_cast<VarDecl>(r->getDecl());
    if (!vd || !local_of.count(vd)) continue;
    const Stmt *cur = r, *p = parent_stmt(r);
    while (p && isa<ParenExpr>(p)) cur = p, p = parent_stmt(p);
    if (const auto *bo = dyn_cast_or_null<BinaryOperator>(p); bo && bo->isAssignmentOp() && bo->getLHS() == cur)
      ++locals[local_of[vd]].writes;
    if (const auto *u = dyn_cast_or_null<UnaryOperator>(p); u && u->isIncrementDecrementOp()) ++locals[local_of[vd]].writes;
  }

  // ---- 3. calls on migration paths: where each sits ------------------------------------
  std::vector<CallPlan> calls;
  for (const CallExpr *c : scan.calls) {
    bool migratable = false;
    if (const FunctionDecl *callee = c->getDirectCallee()) migratable = in_.plan->migratable.count(function_key(callee, sm_)) > 0;
    else migratable = in_.plan->indirect_targets_migratable;
    if (!migratable) continue;
    CallPlan cp;
    cp.call = c;
    // Climb the expression to its statement, noting conditional evaluation.
    const Stmt *cur = c;
    const Stmt *p = parent_stmt(cur);
    bool conditional = false, is_whole = true, unevaluated = false;
    for (; p && isa<Expr>(p); cur = p, p = parent_stmt(p)) {
      if (const auto *bo = dyn_cast<BinaryOperator>(p)) {
        if ((bo->getOpcode() == BO_LAnd || bo->getOpcode() == BO_LOr) && bo->getRHS() == cur) conditional = true;
        if (bo->getOpcode() == BO_Comma && bo->getRHS() == cur) cp.commas.push_back(bo);
        if (!(bo->getOpcode() == BO_Assign && bo->getRHS()->IgnoreParenImpCasts() == c &&
              isa<DeclRefExpr>(bo->getLHS()->IgnoreParens())))
          is_whole = false;
      } else if (const auto *co = dyn_cast<ConditionalOperator>(p)) {
        if (co->getCond() != cur) conditional = true;
        is_whole = false;
      } else if (const auto *bco = dyn_cast<BinaryConditionalOperator>(p)) {
        // GNU `a ?: b`: only `a` is always evaluated.
        if (bco->getCommon() != cur) conditional = true;
        is_whole = false;
      } else if (const auto *ue = dyn_cast<UnaryExprOrTypeTraitExpr>(p)) {
        (void)ue;  // sizeof(f()), _Alignof: never evaluated, so never a resume point
        unevaluated = true;
      } else if (const auto *gs = dyn_cast<GenericSelectionExpr>(p)) {
        if (gs->isResultDependent() || gs->getResultExpr() != cur) unevaluated = true;  // not the chosen association
        is_whole = false;
      } else if (!isa<ParenExpr>(p) && !isa<ImplicitCastExpr>(p)) {
        is_whole = false;
      }
    }
    if (unevaluated) continue;
    std::reverse(cp.commas.begin(), cp.commas.end());  // outermost first: that is the order C evaluates them
    const Stmt *owner = p ? p : cur;
    cp.owner = cur;
    if (conditional) {
      cp.role = Role::Unsupported;
      cp.why = "a call to a migratable function in a conditionally evaluated operand (&&, ||, ?:) is not supported "
               "here (GNU ?:, a ?: whose type cannot be declared, a loop whose body is a single statement other than an "
               "expression, nested too deep, or a macro: ConditionalLowering.h, LoopLowering.h); move it into its own "
               "statement";
    } else if (p == nullptr || isa<CompoundStmt>(p) || isa<LabelStmt>(p) || isa<CaseStmt>(p) || isa<DefaultStmt>(p) ||
               (isa<IfStmt>(p) && cast<IfStmt>(p)->getCond() != cur) ||
               (isa<WhileStmt>(p) && cast<WhileStmt>(p)->getCond() != cur) ||
               (isa<ForStmt>(p) && cast<ForStmt>(p)->getBody() == cur) ||
               (isa<DoStmt>(p) && cast<DoStmt>(p)->getBody() == cur)) {
      cp.role = is_whole ? Role::Statement : Role::Hoisted;  // an expression statement
    } else if (isa<DeclStmt>(p) || isa<ReturnStmt>(p)) {
      cp.owner = p;
      const Expr *value = nullptr;
      if (const auto *r = dyn_cast<ReturnStmt>(p)) value = r->getRetValue();
      if (const auto *d = dyn_cast<DeclStmt>(p))
        if (d->isSingleDecl())
          if (const auto *vd = dyn_cast<VarDecl>(d->getSingleDecl())) value = vd->getInit();
      cp.role = value && value->IgnoreParenImpCasts() == c ? Role::Statement : Role::Hoisted;
      // `int a = g++, b = f(a);`: each declarator is a full expression, so
      // the ones before the call's are evaluated first.
      if (const auto *d = dyn_cast<DeclStmt>(p); d && !d->isSingleDecl()) {
        const unsigned at = offset(c->getBeginLoc());
        for (const Decl *decl : d->decls())
          if (const auto *vd = dyn_cast<VarDecl>(decl))
            if (vd->hasInit() && offset(vd->getInit()->getEndLoc()) < at) cp.earlier_declarators.push_back(vd);
      }
      if (isa<DeclStmt>(p) && parent_stmt(p) && isa<ForStmt>(parent_stmt(p))) {
        cp.owner = parent_stmt(p);
        cp.role = Role::Hoisted;
      }
    } else if (isa<IfStmt>(p) || isa<SwitchStmt>(p)) {
      cp.owner = p;
      cp.role = Role::Hoisted;
    } else if (const auto *w = dyn_cast<WhileStmt>(p)) {
      cp.owner = w;
      cp.role = Role::WhileCond;
    } else if (const auto *f = dyn_cast<ForStmt>(p)) {
      cp.owner = f;
      if (f->getCond() == cur) cp.role = Role::ForCond;
      else if (f->getInit() == cur) cp.role = Role::Hoisted;
      else {
        cp.role = Role::Unsupported;
        cp.why = "a call to a migratable function in a for-loop increment cannot be moved into the loop body (the body "
                 "declares a name the increment uses, is a statement other than a block or an expression, or comes "
                 "from a macro: LoopLowering.h); move it into the loop body yourself";
      }
    } else if (isa<DoStmt>(p)) {
      cp.owner = p;
      cp.role = Role::Unsupported;
      cp.why = "a call to a migratable function in a do-while condition cannot be moved into the loop body (the body "
               "declares a name the condition uses, is a statement other than a block or an expression, or comes "
               "from a macro: LoopLowering.h); compute it at the end of the body yourself";
    } else {
      cp.owner = owner;
      cp.role = Role::Unsupported;
      cp.why = "a call to a migratable function in this position is not supported";
    }
    if (cp.role == Role::Statement || cp.role == Role::Hoisted)
      for (const Expr *arg : c->arguments())
        if (arg->HasSideEffects(ctx_)) cp.hoist_args = true;
    if (cp.role != Role::Statement && c->getType()->isVoidType() && cp.role != Role::Unsupported) {
      cp.role = Role::Unsupported;
      cp.why = "a call to a void migratable function inside an expression is not supported";
    }
    if (c->getBeginLoc().isMacroID() || c->getEndLoc().isMacroID()) {
      cp.role = Role::Unsupported;
      cp.why = "a call to a migratable function inside a macro expansion cannot be made a resume point";
    }
    if (cp.role == Role::Statement || cp.role == Role::Unsupported) {
      cp.commas.clear();  // not hoisted: evaluated in place, in C's order
      cp.earlier_declarators.clear();
    }
    for (const BinaryOperator *comma : cp.commas)
      if (comma->getOperatorLoc().isMacroID() || comma->getLHS()->getBeginLoc().isMacroID() ||
          comma->getRHS()->getBeginLoc().isMacroID()) {
        cp.role = Role::Unsupported;
        cp.why = "a call to a migratable function after a comma operator written in a macro expansion cannot be hoisted "
                 "past the comma's left operand; write the comma expression outside the macro";
      }
    if (cp.role == Role::Unsupported) error(c->getBeginLoc(), "unsupported-call-site", cp.why);
    calls.push_back(cp);
  }
  if (log_.has_errors()) return;

  // ---- 4. resume points in order, with the locals live at each ---------------------------
  struct Point {
    unsigned order;
    const Stmt *marker = nullptr;
    CallPlan *call = nullptr;
  };
  std::vector<Point> points;
  for (const Stmt *m : scan.markers) points.push_back({offset(m->getBeginLoc()), m, nullptr});
  for (CallPlan &cp : calls) points.push_back({offset(cp.call->getEndLoc()), nullptr, &cp});  // inner calls end first
  std::stable_sort(points.begin(), points.end(), [](const Point &a, const Point &b) { return a.order < b.order; });

  std::vector<std::pair<std::string, QualType>> temps;
  std::map<const Stmt *, std::vector<std::string>> temps_of_owner;
  std::vector<int> views;
  std::vector<std::string> labels;  // per resume point
  std::vector<std::set<const VarDecl *>> live_at;  // per resume point: the locals its view holds
  std::vector<unsigned> point_offset;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const Point &pt = points[k];
    const unsigned index = static_cast<unsigned>(k + 1);
    std::set<const VarDecl *> live;
    ResumePointReport rp;
    rp.function = fname;
    rp.index = index;
    const Stmt *anchor = pt.marker ? pt.marker : static_cast<const Stmt *>(pt.call->call);
    const unsigned here = offset(anchor->getBeginLoc());
    std::vector<std::string> extra_fields;
    if (pt.marker) {
      rp.kind = is_marker(pt.marker, kAutoPollMarker) ? "poll (automatic)" : "poll (directive)";
      live = liveness.live_before(pt.marker);
    } else {
      const CallPlan &cp = *pt.call;
      rp.kind = "call";
      const FunctionDecl *callee = cp.call->getDirectCallee();
      rp.callee = callee ? callee->getNameAsString() : "(through a function pointer)";
      live = liveness.live_before(cp.call);
      // The statement runs again on resume: everything it reads is needed.
      struct Reads : RecursiveASTVisitor<Reads> {
        std::set<const VarDecl *> vars;
        bool VisitDeclRefExpr(DeclRefExpr *r) {
          if (const auto *vd = dyn_cast<VarDecl>(r->getDecl())) vars.insert(vd);
          return true;
        }
      } reads;
      const Stmt *whole = cp.owner;
      if (const auto *w = dyn_cast<WhileStmt>(whole)) whole = w->getCond();
      if (const auto *f = dyn_cast<ForStmt>(whole)) whole = cp.role == Role::ForCond ? f->getCond() : f->getInit();
      if (const auto *i = dyn_cast<IfStmt>(whole)) whole = i->getCond();
      if (const auto *sw = dyn_cast<SwitchStmt>(whole)) whole = sw->getCond();
      reads.TraverseStmt(const_cast<Stmt *>(whole));
      for (const VarDecl *vd : reads.vars)
        if (local_of.count(vd)) live.insert(vd);
      extra_fields = temps_of_owner[cp.owner];  // values of calls made earlier in this statement
      if (cp.hoist_args)
        for (unsigned a = 0; a < cp.call->getNumArgs(); ++a) {
          const std::string name = "snow_a" + std::to_string(index) + "_" + std::to_string(a);
          temps.push_back({name, cp.call->getArg(a)->getType()});
          extra_fields.push_back(name);
        }
      if (cp.role != Role::Statement) {
        pt.call->temp = "snow_t" + std::to_string(index);
        temps.push_back({pt.call->temp, cp.call->getType()});
        temps_of_owner[cp.owner].push_back(pt.call->temp);
      }
    }
    for (const Local &l : locals)
      if (l.address_taken && here >= l.scope_begin && here <= l.scope_end) live.insert(l.var);
    std::vector<CatalogField> fields;
    live_at.emplace_back();
    point_offset.push_back(here);
    for (const Local &l : locals) {
      if (!live.count(l.var)) continue;
      const int tid = type_id(l.var->getType(), l.var->getLocation());
      if (tid < 0) continue;
      live_at.back().insert(l.var);
      fields.push_back({l.field, tid, "offsetof(struct " + locals_struct + ", " + l.field + ")"});
      rp.live.push_back(l.var->getNameAsString());
    }
    for (const auto &[name, type] : temps)
      if (std::find(extra_fields.begin(), extra_fields.end(), name) != extra_fields.end()) {
        const int tid = type_id(type, anchor->getBeginLoc());
        if (tid >= 0) fields.push_back({name, tid, "offsetof(struct " + locals_struct + ", " + name + ")"});
      }
    views.push_back(catalog_.add_view(fname + "@" + std::to_string(index), locals_struct, fields));
    labels.push_back("snow_rp_" + std::to_string(index));
    const PresumedLoc pl = sm_.getPresumedLoc(sm_.getFileLoc(anchor->getBeginLoc()));
    if (pl.isValid()) {
      rp.file = in_.original_path;
      rp.line = pl.getLine();
      rp.column = pl.getColumn();
    }
    report_.resume_points.push_back(rp);
  }
  if (log_.has_errors()) return;

  // ---- 4b. which locals stay ordinary C locals (in registers) ---------------------------------
  // Only where every spill and reload can name the local as the program does:
  // its declaration stays where it is, so a resume jumps into its scope (legal
  // in C without VLAs) and the reload at the label must see this very local.
  const bool registers_ok = !scan.has_goto && !scan.has_other_decl;
  std::map<const VarDecl *, const DeclStmt *> decl_of;
  for (const DeclStmt *d : scan.decls)
    for (const Decl *decl : d->decls())
      if (const auto *vd = dyn_cast<VarDecl>(decl)) decl_of[vd] = d;
  for (Local &l : locals) {
    const QualType t = l.var->getType();
    l.loop_depth = scan.loop_depth.count(l.var) ? scan.loop_depth[l.var] : 0;
    // Scalars only: a struct or array is memory anyway, and is copied whole.
    // A const or volatile one cannot be reloaded by assignment, or must not be
    // cached at all.
    // Declared by a macro: its declaration cannot be edited where it is written.
    l.in_memory = !registers_ok || l.address_taken || !t->isScalarType() || t.isConstQualified() ||
                  t.isVolatileQualified() || l.var->getName().empty() || l.var->getLocation().isMacroID() ||
                  l.var->getBeginLoc().isMacroID() || l.var->getEndLoc().isMacroID();
  }
  for (const CallPlan &cp : calls) {
    // Assigned ahead of a later declarator's hoisted call: as a field assignment.
    for (const VarDecl *vd : cp.earlier_declarators)
      if (local_of.count(vd)) locals[local_of[vd]].in_memory = true;
    // A for-initialiser whose call is hoisted ahead of the loop leaves its scope.
    if (cp.role == Role::Hoisted)
      if (const auto *f = dyn_cast<ForStmt>(cp.owner))
        if (const auto *d = dyn_cast_or_null<DeclStmt>(f->getInit()))
          for (const Decl *decl : d->decls())
            if (const auto *vd = dyn_cast<VarDecl>(decl); vd && local_of.count(vd)) locals[local_of[vd]].in_memory = true;
  }
  for (std::size_t k = 0; k < points.size(); ++k) {
    const unsigned here = point_offset[k];
    for (const VarDecl *vd : live_at[k]) {
      Local &v = locals[local_of[vd]];
      if (v.in_memory) continue;
      // Out of its scope here (live through a jump), or hidden by an inner
      // local of the same name: the reload could not name it.
      bool hidden = here < v.scope_begin || here > v.scope_end;
      for (const Local &w : locals)
        if (w.var != v.var && w.var->getName() == v.var->getName() && w.scope_begin > v.scope_begin &&
            here >= w.scope_begin && here <= w.scope_end)
          hidden = true;
      if (hidden) v.in_memory = true;
    }
  }
  // A declaration stays a declaration only if all it declares stays in registers.
  for (const DeclStmt *d : scan.decls) {
    bool any_memory = false;
    for (const Decl *decl : d->decls())
      if (const auto *vd = dyn_cast<VarDecl>(decl); vd && local_of.count(vd)) any_memory |= locals[local_of[vd]].in_memory;
    if (any_memory)
      for (const Decl *decl : d->decls())
        if (const auto *vd = dyn_cast<VarDecl>(decl); vd && local_of.count(vd)) locals[local_of[vd]].in_memory = true;
  }
  std::set<const VarDecl *> ever_live;  // a local live at no resume point is never collected: no spill at all
  for (const auto &live : live_at) ever_live.insert(live.begin(), live.end());
  for (Local &l : locals) {
    if (l.in_memory) continue;
    const bool param = isa<ParmVarDecl>(l.var);
    l.spill_at_def = l.writes == 0 && (param || (l.var->hasInit() && l.loop_depth == 0));
  }
  // Per resume point: copy the live register locals into their fields before
  // a collection can happen there, and back at its label.
  auto spill_code = [&](std::size_t k) {
    std::string t;
    for (const Local &l : locals)
      if (!l.in_memory && !l.spill_at_def && live_at[k].count(l.var))
        t += "snow_L." + l.field + " = " + l.var->getNameAsString() + "; ";
    return t;
  };
  auto reload_code = [&](std::size_t k) {
    std::string t;
    for (const Local &l : locals)
      if (!l.in_memory && live_at[k].count(l.var)) t += l.var->getNameAsString() + " = snow_L." + l.field + "; ";
    return t;
  };

  // ---- 5. edits: leaves first, then calls, then statements, insertions last -----------------
  for (const DeclRefExpr *r : scan.refs) {
    const auto *vd = dyn_cast<VarDecl>(r->getDecl());
    if (!vd || !local_of.count(vd) || !locals[local_of[vd]].in_memory) continue;
    SourceLocation loc = r->getLocation();
    if (loc.isMacroID()) {
      if (!sm_.isMacroArgExpansion(loc)) {
        error(loc, "local-in-macro", "local '" + vd->getNameAsString() + "' of migratable function '" + fname +
                                         "' is used inside a macro's body; pass it to the macro as an argument");
        continue;
      }
      loc = sm_.getSpellingLoc(loc);
    }
    replace(CharSourceRange::getTokenRange(loc, loc), "snow_L." + locals[local_of[vd]].field);
  }
  std::map<const Stmt *, std::string> before;  // inserted before an owner statement (labels, hoisted calls)
  std::map<const Stmt *, std::string> loop_head;  // while/for: hoisted calls inside the rewritten loop
  // A local's declarator as an assignment to its field.
  auto declarator_assignment = [&](const VarDecl *vd) -> std::string {
    const std::string field = "snow_L." + locals[local_of[vd]].field;
    const Expr *init = vd->getInit();
    if (vd->getType()->isArrayType() || isa<InitListExpr>(init->IgnoreImplicit())) {
      // Arrays and braced initialisers: copy from a compound literal.
      std::string type;
      llvm::raw_string_ostream os(type);
      vd->getType().getUnqualifiedType().print(os, PrintingPolicy(ctx_.getLangOpts()));
      os.flush();
      const bool literal_init = isa<StringLiteral>(init->IgnoreImplicit());
      return "__builtin_memcpy(&" + field + ", " + (literal_init ? "" : "&(" + type + ")") + text(init) + ", sizeof " +
             field + ")";
    }
    return store(field, vd->getType(), text(init));
  };
  std::set<const BinaryOperator *> lowered_commas;
  std::set<const VarDecl *> declarators_done;  // assigned ahead of a later declarator's hoisted call
  for (std::size_t k = 0; k < points.size(); ++k) {
    const Point &pt = points[k];
    const std::string &label = labels[k];
    const std::string index = std::to_string(k + 1);
    if (pt.marker) {
      const std::string spill = spill_code(k), reload = reload_code(k);
      std::string poll = "SNOW_POLL(&snow_F, " + index + "); " + label + ":;";
      if (!spill.empty() || !reload.empty())  // SNOW_POLL, spilling only when it fires
        poll = "if (__builtin_expect(++snow_poll_count >= snow_poll_trigger, 0)) { " + spill +
               "snow_F.resume_point = " + index + "; snow_poll(); snow_F.resume_point = 0; } if (0) { " + label + ":; " +
               reload + "}";
      if (is_marker(pt.marker, kAutoPollMarker)) {
        const SourceLocation semi = Lexer::findLocationAfterToken(sm_.getFileLoc(pt.marker->getEndLoc()), tok::semi, sm_,
                                                                  ctx_.getLangOpts(), false);
        replace(CharSourceRange::getCharRange(sm_.getFileLoc(pt.marker->getBeginLoc()), semi), poll);
      } else {
        for (const PragmaPollPoint &pp : *in_.pragmas)
          if (sm_.getFileLoc(pp.hash) == sm_.getFileLoc(pt.marker->getBeginLoc()))
            replace(CharSourceRange::getCharRange(pp.hash, pp.end), poll);
      }
      continue;
    }
    CallPlan &cp = *pt.call;
    // What C evaluates before the call goes first, before the resume label so
    // that resuming does not repeat it: earlier declarators, then the left
    // operands of enclosing commas (the comma itself becomes its right operand).
    std::string pre;
    for (const VarDecl *vd : cp.earlier_declarators)
      if (local_of.count(vd) && declarators_done.insert(vd).second) pre += declarator_assignment(vd) + "; ";
    for (const BinaryOperator *comma : cp.commas) {
      if (!lowered_commas.insert(comma).second) continue;
      pre += "(void)(" + text(comma->getLHS()) + "); ";
      replace(CharSourceRange::getCharRange(sm_.getFileLoc(comma->getLHS()->getBeginLoc()),
                                            sm_.getFileLoc(comma->getRHS()->getBeginLoc())),
              "");
    }
    if (cp.hoist_args)
      for (unsigned a = 0; a < cp.call->getNumArgs(); ++a) {
        const std::string name = "snow_L.snow_a" + index + "_" + std::to_string(a);
        pre += store(name, cp.call->getArg(a)->getType(), "(" + text(cp.call->getArg(a)) + ")") + "; ";
        replace(cp.call->getArg(a), name);
      }
    const std::string reload = reload_code(k);
    const bool declaration_follows =
        cp.role == Role::Statement && isa<DeclStmt>(cp.owner) && [&] {
          for (const Decl *decl : cast<DeclStmt>(cp.owner)->decls())
            if (const auto *vd = dyn_cast<VarDecl>(decl); vd && local_of.count(vd) && locals[local_of[vd]].in_memory)
              return false;
          return true;
        }();
    std::string resume = spill_code(k) + "snow_F.resume_point = " + index + "; " +
                         (!reload.empty() ? "if (0) { " + label + ":; " + reload + "} "
                          : declaration_follows ? label + ":; "  // a label cannot precede a declaration in C11
                                                : label + ": ");
    if (cp.role == Role::Statement) {
      before[cp.owner] += pre + resume;
    } else {
      const std::string value = text(cp.call);
      replace(cp.call, "snow_L." + cp.temp);
      const std::string hoisted = pre + resume + store("snow_L." + cp.temp, cp.call->getType(), value) + "; ";
      if (cp.role == Role::WhileCond || cp.role == Role::ForCond) loop_head[cp.owner] += hoisted;
      else before[cp.owner] += hoisted;
    }
  }
  // Loops whose condition calls a migratable function: the call moves into the body.
  for (const auto &[loop, hoisted] : loop_head) {
    if (const auto *w = dyn_cast<WhileStmt>(loop)) {
      const std::string cond = text(w->getCond());
      replace(CharSourceRange::getCharRange(sm_.getFileLoc(w->getBeginLoc()), sm_.getFileLoc(w->getBody()->getBeginLoc())),
              "while (1) { " + hoisted + "if (!(" + cond + ")) break; ");
      insert_after(statement_range(w->getBody()).getEnd(), " }");
    } else if (const auto *f = dyn_cast<ForStmt>(loop)) {
      const std::string cond = text(f->getCond());
      replace(f->getCond(), "");
      insert_before(f->getBody()->getBeginLoc(), "{ " + hoisted + "if (!(" + cond + ")) break; ");
      insert_after(statement_range(f->getBody()).getEnd(), " }");
    }
  }
  // A statement that is itself replaced carries its label in the replacement
  // (an insertion at the start of a replaced range would land inside it); a
  // lone body of an if, loop or label gets braces around both.
  auto lone = [&](const Stmt *owner) {
    const Stmt *p = parent_stmt(owner);
    return p && !isa<CompoundStmt>(p);
  };
  auto take_prefix = [&](const Stmt *owner) -> std::string {
    auto it = before.find(owner);
    if (it == before.end()) return "";
    std::string t = (lone(owner) ? "{ " : "") + it->second;
    return t;
  };
  auto take_suffix = [&](const Stmt *owner) -> std::string {
    auto it = before.find(owner);
    if (it == before.end()) return "";
    before.erase(it);
    return lone(owner) ? " }" : "";
  };
  // Declarations of locals become assignments to the locals struct.
  for (const DeclStmt *d : scan.decls) {
    // Register locals keep their declaration (4b made a declaration all
    // register or all memory). A pointer gets an initialiser so that a spill
    // never hands the collector an indeterminate address.
    bool registers = false;
    std::string spills;
    for (const Decl *decl : d->decls()) {
      const auto *vd = dyn_cast<VarDecl>(decl);
      if (!vd || !local_of.count(vd) || locals[local_of[vd]].in_memory) continue;
      registers = true;
      if (vd->getType()->isPointerType() && !vd->hasInit()) insert_after(after_token(vd->getEndLoc()), " = 0");
      if (locals[local_of[vd]].spill_at_def && ever_live.count(vd))
        spills += " snow_L." + locals[local_of[vd]].field + " = " + vd->getNameAsString() + ";";
    }
    if (registers) {
      if (!spills.empty()) insert_after(statement_range(d).getEnd(), spills);
      continue;
    }
    std::vector<std::string> assignments;
    bool ours = false;
    for (const Decl *decl : d->decls()) {
      const auto *vd = dyn_cast<VarDecl>(decl);
      if (!vd || !local_of.count(vd)) continue;
      ours = true;
      if (!vd->hasInit() || declarators_done.count(vd)) continue;
      assignments.push_back(declarator_assignment(vd));
    }
    if (!ours) continue;
    // In a for-init the declarations become one comma expression before the for's ';'.
    const bool in_for_init = parent_stmt(d) && isa<ForStmt>(parent_stmt(d));
    std::string replacement;
    for (std::size_t i = 0; i < assignments.size(); ++i)
      replacement += (i ? (in_for_init ? ", " : "; ") : "") + assignments[i];
    const std::string prefix = take_prefix(d);  // before take_suffix, which forgets it
    const std::string suffix = take_suffix(d);
    replace(statement_range(d), prefix + replacement + ";" + suffix);
  }
  // Guard clauses: leading `if (…) …` statements with no resume point in them
  // (`if (t == NULL) return;` of a recursion) run before the frame is
  // pushed, so that a call that returns at once costs what it did in the
  // original program - the compiler then saves no registers on that path. A
  // resuming call skips them: its frame is in the checkpoint, so the original
  // call passed them, though its arguments, re-evaluated now, may differ.
  //
  // A cutoff (plan_cutoffs) is a guard whose statement is the plain call;
  // what it spans in the file is its pragma line.
  const IfStmt *cutoff = cutoff_of_.count(fd) ? cutoff_of_.at(fd) : nullptr;
  auto guard_span = [&](const IfStmt *g) -> std::pair<unsigned, unsigned> {
    if (g == cutoff) {
      const PragmaPollPoint *pp = pragma_at(g->getBeginLoc());
      return {offset(pp->hash), offset(pp->end)};
    }
    return {offset(g->getBeginLoc()), offset(g->getEndLoc())};
  };
  auto guard_end = [&](const IfStmt *g) {
    return g == cutoff ? pragma_at(g->getBeginLoc())->end : statement_range(g->getThen()).getEnd();
  };
  std::string plain_call;
  if (cutoff) {
    const std::string args = forwarded_arguments(fd);
    plain_call = plain_name_.at(key) + "(" + args + ")";
    plain_call = fd->getReturnType()->isVoidType() ? "{ " + plain_call + "; return; }" : "return " + plain_call + ";";
  }
  std::vector<const IfStmt *> guards;
  if (!points.empty() && fname != "main") {
    for (const Stmt *st : body->body()) {
      const auto *ifs = dyn_cast<IfStmt>(st);
      if (!ifs || ifs->getElse() || ifs->getInit() || ifs->getConditionVariable() || !movable_to_wrapper(ifs) ||
          ifs->getBeginLoc().isMacroID() || ifs->getLParenLoc().isMacroID() || ifs->getRParenLoc().isMacroID())
        break;
      const auto [b, e] = guard_span(ifs);
      bool has_point = false;
      for (const unsigned at : point_offset) has_point |= at >= b && at <= e;
      for (const CallPlan &cp : calls) has_point |= offset(cp.call->getBeginLoc()) >= b && offset(cp.call->getBeginLoc()) <= e;
      if (has_point) break;
      guards.push_back(ifs);
    }
  }
  if (cutoff && std::find(guards.begin(), guards.end(), cutoff) == guards.end()) {
    error(pragma_at(cutoff->getBeginLoc())->hash, "cutoff-position",
          "'#pragma snow cutoff' must come first in the body of '" + fname +
              "', after nothing but guard clauses that can run before the frame exists ('if (…) return …;' with "
              "no resume point, label, goto or declaration in it)");
    return;
  }
  auto in_guard = [&](const Stmt *st) {
    const unsigned at = offset(st->getBeginLoc());
    for (const IfStmt *g : guards)
      if (at >= guard_span(g).first && at <= guard_span(g).second) return true;
    return false;
  };
  // Better still, the guards move into a wrapper with the function's own
  // name, `static void f(…) { if (!snow_resuming && (t == NULL)) return;
  // snow_body_f(…); }`, and the body into a separate function: the compiler
  // inlines the wrapper into every caller, as it splits the original
  // function, so a call that returns at once is no call at all. Only where
  // the header can be repeated as written (one line, no comments) and the
  // guards read no local kept in memory.
  std::string split_header, split_guards;
  if (!guards.empty() && (fd->getStorageClass() == SC_Static || fd->getStorageClass() == SC_None) &&
      !fd->isInlineSpecified() && fd->hasWrittenPrototype() && !fd->getLocation().isMacroID() &&
      !fd->getBeginLoc().isMacroID()) {
    bool ok = true;
    for (const ParmVarDecl *p : fd->parameters()) ok &= !p->getName().empty();
    for (const DeclRefExpr *r : scan.refs)
      if (const auto *vd = dyn_cast<VarDecl>(r->getDecl()); vd && local_of.count(vd) && in_guard(r))
        ok &= !locals[local_of[vd]].in_memory;
    const std::string header = Lexer::getSourceText(CharSourceRange::getCharRange(sm_.getFileLoc(fd->getBeginLoc()),
                                                                                  sm_.getFileLoc(body->getLBracLoc())),
                                                    sm_, ctx_.getLangOpts())
                                   .str();
    ok &= repeatable_header(header);
    if (ok) {
      split_header = header;
      std::replace(split_header.begin(), split_header.end(), '\n', ' ');
      std::replace(split_header.begin(), split_header.end(), '\r', ' ');
      for (const IfStmt *g : guards) {
        if (g == cutoff) {
          split_guards += "if (__builtin_expect(!snow_resuming, 1) && (" + text(g->getCond()) + ")) " + plain_call + " ";
          const PragmaPollPoint *pp = pragma_at(g->getBeginLoc());
          replace(CharSourceRange::getCharRange(pp->hash, pp->end), "");
          continue;
        }
        const CharSourceRange whole = CharSourceRange::getCharRange(sm_.getFileLoc(g->getBeginLoc()),
                                                                    statement_range(g->getThen()).getEnd());
        split_guards += "if (__builtin_expect(!snow_resuming, 1) && (" + text(g->getCond()) + ")) " +
                        text(statement_range(g->getThen())) + " ";
        const std::string was = Lexer::getSourceText(whole, sm_, ctx_.getLangOpts()).str();
        replace(whole, std::string(static_cast<std::size_t>(std::count(was.begin(), was.end(), '\n')), '\n'));  // lines kept
      }
    }
  }
  if (split_header.empty())
    for (const IfStmt *g : guards) {
      if (g == cutoff) {
        const PragmaPollPoint *pp = pragma_at(g->getBeginLoc());
        replace(CharSourceRange::getCharRange(pp->hash, pp->end),
                "if (__builtin_expect(!snow_resuming, 1) && (" + text(g->getCond()) + ")) " + plain_call);
        continue;
      }
      insert_after(after_token(g->getLParenLoc()), "__builtin_expect(!snow_resuming, 1) && (");
      insert_before(g->getRParenLoc(), ")");
    }
  // Returns pop the frame (not those of guards: it is not pushed yet).
  const std::string ret_type = fd->getReturnType().getUnqualifiedType().getAsString(PrintingPolicy(ctx_.getLangOpts()));
  for (const ReturnStmt *r : scan.returns) {
    if (in_guard(r)) continue;
    std::string replacement;
    if (const Expr *v = r->getRetValue())
      replacement = "{ " + ret_type + " snow_return = " + text(v) + "; snow_leave(&snow_F); return snow_return; }";
    else
      replacement = "{ snow_leave(&snow_F); return; }";
    const std::string prefix = take_prefix(r);
    const std::string suffix = take_suffix(r);
    replace(statement_range(r), prefix + replacement + suffix);
  }
  // Labels and hoisted calls go before their statements; a statement that is
  // the lone body of an if, loop or label gets braces so they stay inside.
  for (const auto &[owner, t] : before) {
    const CharSourceRange r = statement_range(owner);
    insert_before(r.getBegin(), (lone(owner) ? "{ " : "") + t);
    if (lone(owner)) insert_after(r.getEnd(), " }");
  }

  // ---- 6. the locals struct, the prologue and the epilogue ---------------------------------
  std::string fields_text;
  for (const Local &l : locals) {
    std::string decl;
    llvm::raw_string_ostream os(decl);
    QualType t = l.var->getType().getUnqualifiedType();
    Qualifiers dropped;
    if (t->isArrayType()) t = ctx_.getUnqualifiedArrayType(t, dropped);
    t.print(os, PrintingPolicy(ctx_.getLangOpts()), l.field);
    os.flush();
    fields_text += decl + "; ";
  }
  for (const auto &[name, type] : temps) {
    std::string decl;
    llvm::raw_string_ostream os(decl);
    type.getUnqualifiedType().print(os, PrintingPolicy(ctx_.getLangOpts()), name);
    os.flush();
    fields_text += decl + "; ";
  }
  if (fields_text.empty()) fields_text = "char snow_unused; ";
  insert_before(fd->getBeginLoc(), "struct " + locals_struct + " { " + fields_text + "}; ");

  const int fid = function_entry(key, "(snow_function_address)" + fname, views);
  std::string prologue = " struct " + locals_struct + " snow_L; snow_frame snow_F; ";
  if (fname == "main") {
    if (fd->getNumParams() >= 2)
      prologue += "snow_start(&" + fd->getParamDecl(0)->getNameAsString() + ", &" +
                  fd->getParamDecl(1)->getNameAsString() + "); ";
    else
      prologue += "snow_start(0, 0); ";
  }
  for (const Local &l : locals) {
    if (!l.in_memory || isa<ParmVarDecl>(l.var)) continue;  // registers: initialised where declared
    const QualType t = l.var->getType();
    if (t->isPointerType()) prologue += "snow_L." + l.field + " = 0; ";
    else if (t->isRecordType() || t->isArrayType()) prologue += "__builtin_memset(&snow_L." + l.field + ", 0, sizeof snow_L." + l.field + "); ";
  }
  for (const ParmVarDecl *p : fd->parameters()) {
    const Local &l = locals[local_of[p]];
    if (!p->getName().empty() && l.in_memory)  // before the guards, which may read them
      prologue += store("snow_L." + l.field, p->getType(), p->getNameAsString()) + "; ";
  }
  std::string entry;  // after the guards
  for (const ParmVarDecl *p : fd->parameters()) {
    const Local &l = locals[local_of[p]];
    if (!p->getName().empty() && !l.in_memory && l.spill_at_def && ever_live.count(p))
      entry += "snow_L." + l.field + " = " + p->getNameAsString() + "; ";
  }
  if (!guards.empty()) {
    insert_after(after_token(body->getLBracLoc()), prologue);
    prologue = " " + entry;
  } else {
    prologue += entry;
  }
  prologue += "snow_enter(&snow_F, snow_unit_functions[" + std::to_string(fid) + "], &snow_L); ";
  if (!points.empty()) {
    prologue += "if (snow_resuming) switch (snow_resume(&snow_F)) { ";
    for (std::size_t k = 0; k < points.size(); ++k) prologue += "case " + std::to_string(k + 1) + ": goto " + labels[k] + "; ";
    prologue += "default: break; } ";
  }
  if (!guards.empty()) insert_after(guard_end(guards.back()), prologue);
  else insert_after(after_token(body->getLBracLoc()), prologue);
  insert_before(body->getRBracLoc(), " snow_leave(&snow_F); ");
  if (!split_header.empty()) {
    const std::string body_name = "snow_body_" + sanitize(key);
    const std::string args = forwarded_arguments(fd);
    const bool is_void = fd->getReturnType()->isVoidType();
    // Declared first: the body calls the wrapper (recursion) before its definition.
    insert_before(fd->getBeginLoc(), split_header + "; ");
    // The body is renamed, but its `__func__` is still the user's name.
    const auto [define_name, undefine_name] = own_name_macros(fd);
    rw_.InsertTextBefore(sm_.getFileLoc(fd->getBeginLoc()),
                         define_name + "__attribute__((noinline)) " + (fd->getStorageClass() == SC_Static ? "" : "static "));
    replace(CharSourceRange::getTokenRange(fd->getLocation(), fd->getLocation()), body_name);
    insert_after(after_token(body->getRBracLoc()), undefine_name + " " + split_header + "{ " + split_guards +
                                                        (is_void ? "" : "return ") + body_name + "(" + args + "); }");
  }
}

bool Impl::run(std::string &out) {
  // The rewriting every function gets comes first, so that the plain
  // copies cutoffs need (plan_cutoffs) can be taken before any function is
  // made migratable.
  std::vector<const FunctionDecl *> defs;
  for (const Decl *d : ctx_.getTranslationUnitDecl()->decls()) {
    const auto *fd = dyn_cast<FunctionDecl>(d);
    if (!fd || !fd->doesThisDeclarationHaveABody() || !in_main(fd->getLocation())) continue;
    defs.push_back(fd);
    hoist_static_locals(fd);
    rewrite_allocations(fd);
    rewrite_library_state(fd);
    hoist_literals(fd->getBody());
  }
  plan_cutoffs(defs);
  for (const FunctionDecl *fd : defs) {
    if (in_.plan->migratable.count(function_key(fd, sm_))) transform(fd);
    note_function_addresses(fd->getBody());
  }
  register_globals();
  if (log_.has_errors()) return false;

  for (const Insert &i : pending_inserts_) {
    if (i.after) rw_.InsertTextAfter(i.at, i.text);
    else rw_.InsertTextBefore(i.at, i.text);
  }

  const FileID main = sm_.getMainFileID();
  const RewriteBuffer *buffer = rw_.getRewriteBufferFor(main);
  const std::string body = buffer ? std::string(buffer->begin(), buffer->end()) : sm_.getBufferData(main).str();

  const auto quote = c_string_literal;
  const std::size_t n_types = catalog_.size(), n_functions = functions_.size();
  std::ostringstream o;
  o << "/* Generated by snow-precompile from " << in_.original_path << ": do not edit. */\n"
    << "#include <snow/snow.h>\n#include <stddef.h>\n"
    << "static snow_type_id snow_unit_types[" << n_types + 1 << "];\n"
    << "static uint32_t snow_unit_functions[" << n_functions + 1 << "];\n"
    << prelude_ << "#line 1 " << quote(in_.original_path) << "\n"
    << body << "\n\n/* ---- SnowMigrate unit description ---- */\n"
    << catalog_.emit();
  for (std::size_t i = 0; i < functions_.size(); ++i) {
    if (functions_[i].views.empty()) continue;
    o << "static const snow_type_id snow_unit_views_" << i << "[] = {";
    for (int v : functions_[i].views) o << v << ", ";
    o << "};\n";
  }
  if (n_functions) {
    o << "static const snow_function_desc snow_unit_function_descs[] = {\n";
    for (std::size_t i = 0; i < functions_.size(); ++i) {
      const FunctionEntry &f = functions_[i];
      o << "  {" << quote(f.key) << ", " << f.address << ", "
        << (f.views.empty() ? "NULL, 0" : "snow_unit_views_" + std::to_string(i) + ", " + std::to_string(f.views.size()))
        << "},\n";
    }
    o << "};\n";
  }
  if (!globals_.empty()) {
    o << "static const snow_global_desc snow_unit_globals[] = {\n";
    for (const GlobalEntry &g : globals_)
      o << "  {" << quote(g.name) << ", (void *)" << g.address << ", " << g.type << ", " << g.count << "u, "
        << (g.constant ? "SNOW_GLOBAL_CONSTANT" : "0u") << "},\n";
    o << "};\n";
  }
  o << "static const snow_unit_desc snow_unit = {{" << quote(in_.unit_name) << ", snow_unit_type_descs, " << n_types
    << ", " << (n_functions ? "snow_unit_function_descs" : "NULL") << ", " << n_functions << ", "
    << (globals_.empty() ? "NULL" : "snow_unit_globals") << ", " << globals_.size()
    << ", NULL, 0}, snow_unit_types, snow_unit_functions};\n"
    << "__attribute__((constructor)) static void snow_register_this_unit(void) { snow_register_unit(&snow_unit);"
    << (hands_heap_to_libc() ? " snow_keep_heap_plain();" : "") << " }\n";
  out = o.str();
  return true;
}

} // namespace

bool rewrite_unit(ASTContext &ctx, const UnitInput &input, DiagnosticLog &log, std::string &out, UnitReport &report) {
  Impl impl(ctx, input, log, report);
  return impl.run(out);
}

} // namespace snow::precompile
