// Pass 1: facts about the whole program, gathered from every translation
// unit before anything is decided — functions, who calls whom (directly or
// through pointers), which functions have their address taken, where the
// user placed poll-points, which loops could take automatic ones, and every
// construct that cannot be made safe. Nothing is rewritten in this pass.
#pragma once

#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace snow::precompile {

// A construct that cannot be migrated: an error in a function on a migration
// path, a warning elsewhere (or always an error when `always_error`).
struct UnsafeConstruct {
  std::string code;
  std::string message;
  std::string file;
  unsigned line = 0, column = 0;
  bool always_error = false;
};

struct LoopSite {
  std::string file;
  unsigned offset = 0;       // where the marker goes: just after the body's '{', or the body's start
  unsigned end_offset = 0;   // the body's end (for bodies without braces)
  bool braced = false;
  unsigned line = 0, column = 0;
};

struct FunctionFacts {
  std::string key;           // name, or "file:name" for static functions
  std::string name;
  std::string file;
  unsigned line = 0, column = 0;
  bool is_static = false;
  bool is_variadic = false;
  bool has_user_poll = false;
  bool has_indirect_call = false;
  bool returns_void_pointer = false;   // `void *f(…)`: may be an allocation wrapper
  bool calls_allocator = false;        // calls malloc/calloc/realloc/aligned_alloc/memalign directly
  std::set<std::string> callees;       // keys of directly called functions with a body somewhere
  std::set<std::string> called_names;  // every directly called name (resolved after all units)
  std::vector<LoopSite> auto_candidates;
  std::vector<UnsafeConstruct> unsafe;
};

// A function named as an argument of a direct call (`qsort(v, n, size, cmp)`):
// a callee that is not part of the program calls it where no frame shows.
struct CallbackPass {
  std::string function;  // key of the function passed
  std::string callee;    // the called name (a key for a static callee)
  std::string file;
  unsigned line = 0, column = 0;
};

struct ProgramFacts {
  std::map<std::string, FunctionFacts> functions;  // by key
  std::set<std::string> address_taken;             // keys or names
  std::vector<CallbackPass> callback_passes;
  std::vector<UnsafeConstruct> file_scope_unsafe;
  // Allocation wrappers (`void *xmalloc(size_t)` and the like): functions
  // returning `void *` that call the C allocator or another wrapper. What they
  // allocate is typed at their call sites instead (docs/precompiler.md).
  std::set<std::string> allocation_wrappers;  // keys

  // Gathers the facts of one parsed translation unit.
  void add_unit(clang::ASTContext &ctx);
  // Resolves called names to function keys once every unit has been added,
  // and finds the allocation wrappers.
  void link();
};

// The key of a function: static functions are qualified by their file's
// path relative to the unit root, so keys do not depend on the build machine.
std::string function_key(const clang::FunctionDecl *fd, const clang::SourceManager &sm);
void set_unit_root(const std::string &root);
std::string unit_relative(const std::string &path);

} // namespace snow::precompile
