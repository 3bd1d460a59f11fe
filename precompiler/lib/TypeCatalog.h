// The unit's type table: every C type whose values can be part of the
// migrated state, as snow_type_desc initialisers.
//
// Kinds and wire sizes are decided here, once, from this host's view of the
// type (the widest of the supported platforms: LP64); sizes and offsets are
// written as sizeof/offsetof on the type *as spelled* (size_t, int64_t), so
// each platform's compiler fills in its own. Fields and elements get their
// ids before the type that contains them; a pointer's target may come later
// (a struct that points to itself), and is filled in when the table is written.
#pragma once

#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"

#include <map>
#include <string>
#include <vector>

namespace snow::precompile {

struct CatalogField {
  std::string name;
  int type = -1;
  std::string offset_expr;
};

struct CatalogType {
  std::string name;       // as it appears in messages and the fingerprint
  std::string kind;       // SNOW_KIND_…
  unsigned wire = 0;
  std::string size_expr;  // sizeof(…)
  int element = -1;       // arrays: element id
  std::string pointee_key;  // pointers: resolved when written
  unsigned long long count = 0;
  std::vector<CatalogField> fields;
};

// `s` as a C string literal.
std::string c_string_literal(const std::string &s);

class TypeCatalog {
public:
  TypeCatalog(clang::ASTContext &ctx, DiagnosticLog &log) : ctx_(ctx), log_(log) {}

  // The id of `type` (added with what it contains); -1 after a diagnostic.
  int id_of(clang::QualType type, clang::SourceLocation use);
  // The same without a diagnostic: -1 when `type` cannot be described.
  int try_id_of(clang::QualType type, clang::SourceLocation use) {
    quiet_ = true;
    const int id = id_of(type, use);
    quiet_ = false;
    return id;
  }
  // A resume view: a struct named `name` over the locals struct `locals`.
  int add_view(const std::string &name, const std::string &locals, const std::vector<CatalogField> &fields);
  const std::string &name_of(int id) const { return types_[static_cast<std::size_t>(id)].name; }
  std::size_t size() const { return types_.size(); }
  // The C text of the field arrays and `snow_unit_type_descs`.
  std::string emit() const;
  // The spelling of `type` for C code at file scope (typedefs kept).
  std::string spell(clang::QualType type) const;

private:
  std::string key_of(clang::QualType type) const;
  int add(const std::string &key, CatalogType t);
  template <typename... Args> void report(Args &&...args) {
    if (!quiet_) log_.report(std::forward<Args>(args)...);
  }

  clang::ASTContext &ctx_;
  DiagnosticLog &log_;
  std::vector<CatalogType> types_;
  std::map<std::string, int> by_key_;
  std::map<std::string, int> in_progress_;
  bool quiet_ = false;
};

} // namespace snow::precompile
