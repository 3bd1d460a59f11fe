// Live variables of one function, at any element of its CFG.
//
// A backward data-flow analysis over Clang's CFG (every sub-expression an
// element): a read of a tracked variable makes it live, a plain assignment to
// a scalar or pointer variable — or its declaration — kills it. Assignments
// to parts of arrays and structs never kill the whole. Variables whose
// address is taken are left to the caller, which keeps them live wherever
// they are in scope.
#pragma once

#include "clang/AST/Decl.h"
#include "clang/Analysis/CFG.h"

#include <map>
#include <memory>
#include <set>
#include <vector>

namespace snow::precompile {

class Liveness {
public:
  Liveness(const clang::FunctionDecl *fd, clang::ASTContext &ctx, std::vector<const clang::VarDecl *> tracked);

  bool valid() const { return cfg_ != nullptr; }
  // Variables live just before `element` is evaluated; empty if `element` is
  // not an element of the CFG (check with is_element).
  std::set<const clang::VarDecl *> live_before(const clang::Stmt *element) const;
  bool is_element(const clang::Stmt *s) const { return before_.count(s) > 0; }

private:
  using Bits = std::vector<bool>;
  void transfer(const clang::Stmt *s, Bits &live) const;
  int index_of(const clang::Decl *d) const;

  std::unique_ptr<clang::CFG> cfg_;
  std::vector<const clang::VarDecl *> tracked_;
  std::map<const clang::VarDecl *, int> index_;
  std::map<const clang::Stmt *, Bits> before_;
  std::map<const clang::Stmt *, const clang::Stmt *> parent_;
};

} // namespace snow::precompile
