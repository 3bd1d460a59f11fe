#include "TypeCatalog.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Type.h"

namespace snow::precompile {

namespace {

clang::PrintingPolicy c_policy(const clang::ASTContext &ctx) {
  clang::PrintingPolicy p(ctx.getLangOpts());
  p.SuppressTagKeyword = false;
  p.Bool = false;  // _Bool, as C spells it
  return p;
}

// A typedef declared inside a function is not visible where the tables go.
bool has_local_typedef(clang::QualType t) {
  while (const auto *td = t->getAs<clang::TypedefType>()) {
    if (td->getDecl()->getDeclContext()->isFunctionOrMethod()) return true;
    t = td->getDecl()->getUnderlyingType();
  }
  return false;
}

} // namespace

std::string TypeCatalog::spell(clang::QualType type) const {
  type = type.getUnqualifiedType();
  if (has_local_typedef(type)) type = type.getCanonicalType();
  return type.getAsString(c_policy(ctx_));
}

std::string TypeCatalog::key_of(clang::QualType type) const {
  type = type.getUnqualifiedType();
  // A typedef of a struct is the struct; of anything else it stays itself,
  // because its size may differ by platform in a way its target's does not.
  if (const auto *rec = type->getAs<clang::RecordType>()) {
    const clang::RecordDecl *rd = rec->getDecl();
    if (!rd->getName().empty()) return (rd->isUnion() ? "union " : "struct ") + rd->getNameAsString();
    if (const clang::TypedefNameDecl *td = rd->getTypedefNameForAnonDecl()) return td->getNameAsString();
  }
  return spell(type);
}

int TypeCatalog::add(const std::string &key, CatalogType t) {
  const int id = static_cast<int>(types_.size());
  types_.push_back(std::move(t));
  by_key_[key] = id;
  return id;
}

int TypeCatalog::id_of(clang::QualType type, clang::SourceLocation use) {
  type = type.getUnqualifiedType();
  const std::string key = key_of(type);
  if (auto it = by_key_.find(key); it != by_key_.end()) return it->second;
  const clang::SourceManager &sm = ctx_.getSourceManager();
  const clang::QualType canon = type.getCanonicalType();
  CatalogType t;
  t.name = key;
  t.size_expr = "sizeof(" + spell(type) + ")";

  if (const auto *bt = canon->getAs<clang::BuiltinType>()) {
    using K = clang::BuiltinType::Kind;
    const unsigned bytes = static_cast<unsigned>(ctx_.getTypeSize(canon) / 8);
    switch (bt->getKind()) {
    case K::Bool: t.kind = "SNOW_KIND_BOOL"; t.wire = 1; break;
    case K::Char_U: case K::Char_S: case K::UChar: case K::UShort: case K::UInt: case K::ULong: case K::ULongLong:
    case K::WChar_U: case K::Char16: case K::Char32:
      t.kind = "SNOW_KIND_UNSIGNED"; t.wire = bytes; break;
    case K::SChar: case K::Short: case K::Int: case K::Long: case K::LongLong: case K::WChar_S:
      t.kind = "SNOW_KIND_SIGNED"; t.wire = bytes; break;
    case K::Float: case K::Double: t.kind = "SNOW_KIND_FLOAT"; t.wire = bytes; break;
    default:
      t.kind = "SNOW_KIND_UNSUPPORTED";  // long double, __int128, _Float16…: refused if ever collected
      break;
    }
    return add(key, std::move(t));
  }
  if (const auto *et = canon->getAs<clang::EnumType>()) {
    const clang::QualType under = et->getDecl()->getIntegerType().getCanonicalType();
    t.kind = under->isSignedIntegerType() ? "SNOW_KIND_SIGNED" : "SNOW_KIND_UNSIGNED";
    t.wire = static_cast<unsigned>(ctx_.getTypeSize(under) / 8);
    return add(key, std::move(t));
  }
  if (canon->isPointerType()) {
    const clang::QualType pointee = canon->getPointeeType();
    if (pointee->isFunctionType()) {
      t.kind = "SNOW_KIND_FUNCTION";
      t.size_expr = "sizeof(void (*)(void))";
      return add(key, std::move(t));
    }
    t.kind = "SNOW_KIND_POINTER";
    t.size_expr = "sizeof(void *)";
    const clang::QualType sugared_pointee = type->getPointeeType();
    if (!sugared_pointee.isNull() && !sugared_pointee->isVoidType() && !sugared_pointee->isIncompleteType())
      t.pointee_key = key_of(sugared_pointee);
    return add(key, std::move(t));
  }
  if (const auto *at = ctx_.getAsConstantArrayType(type)) {
    const int element = id_of(at->getElementType(), use);
    if (element < 0) return -1;
    t.kind = "SNOW_KIND_ARRAY";
    t.element = element;
    t.count = at->getSize().getZExtValue();
    return add(key, std::move(t));
  }
  if (canon->isArrayType()) {
    report(Diagnostic::Severity::Error, "variable-length-array", sm, use,
                "'" + spell(type) + "' has no fixed size and cannot be part of the migrated state");
    return -1;
  }
  if (const auto *rt = canon->getAs<clang::RecordType>(); rt && rt->getDecl()->getName() == "_IO_FILE") {
    // glibc's FILE: opaque, an open stream the runtime reopens (open_streams.hpp).
    t.name = "FILE";
    t.kind = "SNOW_KIND_STRUCT";
    t.size_expr = "sizeof(FILE)";
    return add(key, std::move(t));
  }
  if (const auto *rt = canon->getAs<clang::RecordType>()) {
    const clang::RecordDecl *rd = rt->getDecl()->getDefinition();
    if (rd == nullptr) {
      report(Diagnostic::Severity::Error, "incomplete-type", sm, use,
                  "'" + key + "' is incomplete here, so its values cannot be described");
      return -1;
    }
    if (rd->getName().empty() && !rd->getTypedefNameForAnonDecl()) {
      report(Diagnostic::Severity::Error, "anonymous-struct", sm, use,
                  "an untagged struct or union cannot be described for migration; give it a tag or a typedef");
      return -1;
    }
    if (rd->getDeclContext()->isFunctionOrMethod()) {
      report(Diagnostic::Severity::Error, "local-type", sm, rd->getLocation(),
                  "'" + key + "' is declared inside a function; declare it at file scope to migrate its values");
      return -1;
    }
    if (in_progress_.count(key)) return -1;  // only through a pointer, which does not recurse
    in_progress_[key] = 1;
    t.kind = rd->isUnion() ? "SNOW_KIND_UNION" : "SNOW_KIND_STRUCT";
    const std::string spelled = key;
    for (const clang::FieldDecl *f : rd->fields()) {
      if (f->isBitField()) {
        report(Diagnostic::Severity::Error, "bit-field", sm, f->getLocation(),
                    "bit-field '" + f->getNameAsString() + "' of '" + key + "' cannot be migrated (it has no address or offset)");
        in_progress_.erase(key);
        return -1;
      }
      if (f->getName().empty()) {
        report(Diagnostic::Severity::Error, "anonymous-member", sm, f->getLocation(),
                    "an anonymous struct or union member of '" + key + "' is not supported yet; name the member");
        in_progress_.erase(key);
        return -1;
      }
      if (f->getType()->isIncompleteArrayType()) {
        report(Diagnostic::Severity::Warning, "flexible-array-member", sm, f->getLocation(),
                    "flexible array member '" + f->getNameAsString() + "' of '" + key +
                        "' is not migrated: blocks larger than the struct will be refused when collected");
        continue;
      }
      const int ft = id_of(f->getType(), f->getLocation());
      if (ft < 0) {
        in_progress_.erase(key);
        return -1;
      }
      t.fields.push_back({f->getNameAsString(), ft, "offsetof(" + spelled + ", " + f->getNameAsString() + ")"});
    }
    in_progress_.erase(key);
    t.size_expr = "sizeof(" + spelled + ")";
    return add(key, std::move(t));
  }
  t.kind = "SNOW_KIND_UNSUPPORTED";  // _Complex, vectors, _Atomic…
  return add(key, std::move(t));
}

int TypeCatalog::add_view(const std::string &name, const std::string &locals, const std::vector<CatalogField> &fields) {
  CatalogType t;
  t.name = name;
  t.kind = "SNOW_KIND_STRUCT";
  t.size_expr = "sizeof(struct " + locals + ")";
  t.fields = fields;
  return add("view:" + name, std::move(t));
}

std::string c_string_literal(const std::string &s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string TypeCatalog::emit() const {
  std::string out;
  const auto quote = c_string_literal;
  for (std::size_t i = 0; i < types_.size(); ++i) {
    const CatalogType &t = types_[i];
    if (t.fields.empty()) continue;
    out += "static const snow_field_desc snow_unit_fields_" + std::to_string(i) + "[] = {";
    for (const CatalogField &f : t.fields)
      out += "{" + quote(f.name) + ", " + std::to_string(f.type) + ", " + f.offset_expr + "}, ";
    out += "};\n";
  }
  if (types_.empty()) return out + "#define snow_unit_type_descs NULL\n";
  out += "static const snow_type_desc snow_unit_type_descs[] = {\n";
  for (std::size_t i = 0; i < types_.size(); ++i) {
    const CatalogType &t = types_[i];
    std::string element = "SNOW_NO_TYPE";
    if (t.element >= 0) element = std::to_string(t.element);
    if (!t.pointee_key.empty())
      if (auto it = by_key_.find(t.pointee_key); it != by_key_.end()) element = std::to_string(it->second);
    const bool is_unsupported = t.kind == "SNOW_KIND_UNSUPPORTED";
    out += "  {" + quote(t.name) + ", " + t.kind + ", " + std::to_string(t.wire) + ", " +
           (is_unsupported && t.size_expr.empty() ? "0" : t.size_expr) + ", " + element + ", " +
           std::to_string(t.count) + "u, " +
           (t.fields.empty() ? "NULL, 0" : "snow_unit_fields_" + std::to_string(i) + ", " + std::to_string(t.fields.size())) +
           "},\n";
  }
  out += "};\n";
  return out;
}

} // namespace snow::precompile
