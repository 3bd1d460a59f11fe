#include "type_table.hpp"

#include "state_error.hpp"

#include <algorithm>
#include <sstream>

namespace snow::msr {

bool is_scalar(Kind kind) {
  switch (kind) {
  case Kind::Signed:
  case Kind::Unsigned:
  case Kind::Bool:
  case Kind::Float:
  case Kind::Pointer:
  case Kind::Function:
    return true;
  default:
    return false;
  }
}

const char *to_string(Kind kind) {
  switch (kind) {
  case Kind::Signed: return "signed";
  case Kind::Unsigned: return "unsigned";
  case Kind::Bool: return "bool";
  case Kind::Float: return "float";
  case Kind::Pointer: return "pointer";
  case Kind::Function: return "function";
  case Kind::Array: return "array";
  case Kind::Struct: return "struct";
  case Kind::Union: return "union";
  case Kind::Unsupported: return "unsupported";
  }
  return "?";
}

namespace {

[[noreturn]] void invalid(const TypeInfo &t, TypeId id, const std::string &what) {
  std::ostringstream msg;
  msg << "type #" << id << " '" << t.name << "': " << what;
  throw StateError(StateErrorCode::InvalidProgram, msg.str());
}

bool valid_width(std::uint64_t w) { return w == 1 || w == 2 || w == 4 || w == 8; }

// The shape of a union member: one entry per leaf. Members of a supported
// union must agree on it, since the stream cannot say which one is active.
struct LeafShape {
  std::uint64_t offset;
  std::uint64_t size;
  std::uint32_t wire;
  bool operator==(const LeafShape &o) const {
    return offset == o.offset && size == o.size && wire == o.wire;
  }
};

// Stops (returning false) past kMaxShapeLeaves: a union that large is refused.
constexpr std::size_t kMaxShapeLeaves = 4096;

bool collect_shape(const std::vector<TypeInfo> &types, TypeId id, std::uint64_t base,
                   std::vector<LeafShape> &out, std::string &pointer_member) {
  if (out.size() > kMaxShapeLeaves) return false;
  const TypeInfo &t = types[id];
  switch (t.kind) {
  case Kind::Pointer:
  case Kind::Function:
    pointer_member = t.name;
    out.push_back({base, t.size, 0});
    return true;
  case Kind::Array:
    if (types[t.element].leaf_count == 0) return true;  // nothing to compare, however many
    for (std::uint64_t i = 0; i < t.count; ++i)
      if (!collect_shape(types, t.element, base + i * types[t.element].size, out, pointer_member)) return false;
    return true;
  case Kind::Struct:
    for (const FieldInfo &f : t.fields)
      if (!collect_shape(types, f.type, base + f.offset, out, pointer_member)) return false;
    return true;
  case Kind::Union:
    return t.fields.empty() || collect_shape(types, t.fields[0].type, base, out, pointer_member);
  default:
    out.push_back({base, t.size, t.wire_size});
    return true;
  }
}

} // namespace

TypeTable TypeTable::from_native(const snow_type_desc *descs, std::size_t count) {
  TypeTable table;
  table.types_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const snow_type_desc &d = descs[i];
    TypeInfo t;
    t.name = d.name ? d.name : "";
    t.kind = static_cast<Kind>(d.kind);
    t.wire_size = d.wire_size;
    t.size = d.size;
    t.element = d.element;
    t.count = d.count;
    if (d.field_count > 0 && d.fields == nullptr)
      invalid(t, static_cast<TypeId>(i), "has fields but no field table");
    for (std::size_t f = 0; f < d.field_count; ++f)
      t.fields.push_back({d.fields[f].name ? d.fields[f].name : "", d.fields[f].type,
                          d.fields[f].offset, 0});
    table.types_.push_back(std::move(t));
  }
  table.finish_all();
  return table;
}

void TypeTable::finish_all() {
  // Scalars first: a struct may hold a pointer type defined after it (a
  // pointer to itself); composites may only contain lower-numbered composites.
  for (std::size_t i = 0; i < types_.size(); ++i)
    if (types_[i].kind != Kind::Array && types_[i].kind != Kind::Struct && types_[i].kind != Kind::Union)
      finish_type(static_cast<TypeId>(i));
  for (std::size_t i = 0; i < types_.size(); ++i)
    if (types_[i].kind == Kind::Array || types_[i].kind == Kind::Struct || types_[i].kind == Kind::Union)
      finish_type(static_cast<TypeId>(i));
}

TypeTable TypeTable::synthesize(std::vector<TypeInfo> types) {
  TypeTable table;
  table.types_ = std::move(types);
  std::vector<TypeInfo> &all = table.types_;
  for (std::size_t i = 0; i < all.size(); ++i) {
    TypeInfo &t = all[i];
    switch (t.kind) {
    case Kind::Signed:
    case Kind::Unsigned:
    case Kind::Bool:
    case Kind::Float:
      if (!valid_width(t.wire_size)) invalid(t, static_cast<TypeId>(i), "has wire size " + std::to_string(t.wire_size));
      t.size = t.align = t.wire_size;
      break;
    case Kind::Pointer:
      t.size = t.align = sizeof(void *);
      break;
    case Kind::Function:
      t.size = t.align = sizeof(snow_function_address);
      break;
    case Kind::Unsupported:
      t.size = t.align = 16;  // never decoded: the encoder refuses such blocks
      break;
    case Kind::Array:
    case Kind::Struct:
    case Kind::Union:
      break;
    default:
      invalid(t, static_cast<TypeId>(i), "has unknown kind " + std::to_string(static_cast<int>(t.kind)));
    }
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    TypeInfo &t = all[i];
    const auto id = static_cast<TypeId>(i);
    auto sub = [&](TypeId e) -> const TypeInfo & {
      if (e >= all.size() || (e >= i && !is_scalar(all[e].kind) && all[e].kind != Kind::Unsupported))
        invalid(t, id, "contains type #" + std::to_string(e) + ", which is not a scalar defined anywhere or a composite defined before it");
      return all[e];
    };
    if (t.kind == Kind::Array) {
      const TypeInfo &e = sub(t.element);
      if (e.size != 0 && t.count > (std::uint64_t{1} << 40) / e.size) invalid(t, id, "is too large");
      t.size = t.count * e.size;
      t.align = e.align;
    } else if (t.kind == Kind::Struct || t.kind == Kind::Union) {
      std::uint64_t offset = 0, size = 0, align = 1;
      for (FieldInfo &f : t.fields) {
        const TypeInfo &ft = sub(f.type);
        align = std::max(align, ft.align);
        if (t.kind == Kind::Struct) {
          offset = (offset + ft.align - 1) / ft.align * ft.align;
          f.offset = offset;
          offset += ft.size;
          size = offset;
        } else {
          f.offset = 0;
          size = std::max(size, ft.size);
        }
        if (size > (std::uint64_t{1} << 40)) invalid(t, id, "is too large");
      }
      t.align = align;
      t.size = (size + align - 1) / align * align;
    }
  }
  table.finish_all();
  return table;
}

void TypeTable::finish_type(TypeId id) {
  TypeInfo &t = types_[id];
  auto sub = [&](TypeId e) -> const TypeInfo & {
    if (e >= types_.size() || (e >= id && !is_scalar(types_[e].kind) && types_[e].kind != Kind::Unsupported))
      invalid(t, id, "contains type #" + std::to_string(e) +
                         ", which is not a scalar defined anywhere or a composite defined before it");
    return types_[e];
  };
  switch (t.kind) {
  case Kind::Signed:
  case Kind::Unsigned:
    if (!valid_width(t.wire_size)) invalid(t, id, "has wire size " + std::to_string(t.wire_size));
    if (!valid_width(t.size) || t.size > t.wire_size)
      invalid(t, id, "is " + std::to_string(t.size) + " bytes here, wider than its wire size " +
                         std::to_string(t.wire_size));
    t.leaf_count = 1;
    break;
  case Kind::Bool:
    if (t.wire_size != 1 || t.size != 1) invalid(t, id, "a _Bool must be 1 byte");
    t.leaf_count = 1;
    break;
  case Kind::Float:
    if ((t.wire_size != 4 && t.wire_size != 8) || t.size != t.wire_size)
      invalid(t, id, "floating types must be IEEE binary32 or binary64");
    t.leaf_count = 1;
    break;
  case Kind::Pointer:
    if (t.size != sizeof(void *)) invalid(t, id, "pointer size does not match this platform");
    t.leaf_count = 1;
    break;
  case Kind::Function:
    if (t.size != sizeof(snow_function_address))
      invalid(t, id, "function pointer size does not match this platform");
    t.leaf_count = 1;
    break;
  case Kind::Unsupported:
    t.leaf_count = 1;
    t.unmovable_reason = "'" + t.name + "' cannot be migrated";
    break;
  case Kind::Array: {
    const TypeInfo &e = sub(t.element);
    if (e.size == 0 && t.count > 0) invalid(t, id, "has elements of size 0");
    if (e.size != 0 && t.count > UINT64_MAX / e.size) invalid(t, id, "is too large");
    if (t.size != t.count * e.size) invalid(t, id, "size is not count × element size");
    if (e.leaf_count != 0 && t.count > UINT64_MAX / 4 / e.leaf_count) invalid(t, id, "is too large");
    t.leaf_count = t.count * e.leaf_count;
    t.depth = e.depth + 1;
    t.unmovable_reason = e.unmovable_reason;
    break;
  }
  case Kind::Struct: {
    std::uint64_t end = 0, leaves = 0;
    for (FieldInfo &f : t.fields) {
      const TypeInfo &ft = sub(f.type);
      if (f.offset < end) invalid(t, id, "field '" + f.name + "' overlaps the previous field or is out of order");
      if (f.offset > t.size || ft.size > t.size - f.offset)
        invalid(t, id, "field '" + f.name + "' lies outside the struct");
      end = f.offset + ft.size;
      f.first_leaf = leaves;
      leaves += ft.leaf_count;
      if (leaves > UINT64_MAX / 4) invalid(t, id, "is too large");
      t.depth = std::max(t.depth, ft.depth + 1);
      if (t.unmovable_reason.empty() && !ft.unmovable_reason.empty())
        t.unmovable_reason = "field '" + f.name + "': " + ft.unmovable_reason;
    }
    t.leaf_count = leaves;
    break;
  }
  case Kind::Union: {
    if (t.fields.empty()) invalid(t, id, "a union needs at least one member");
    std::vector<LeafShape> first;
    std::string pointer_member;
    for (std::size_t i = 0; i < t.fields.size(); ++i) {
      const FieldInfo &f = t.fields[i];
      const TypeInfo &ft = sub(f.type);
      if (f.offset != 0) invalid(t, id, "union member '" + f.name + "' is not at offset 0");
      if (ft.size > t.size) invalid(t, id, "union member '" + f.name + "' is larger than the union");
      t.depth = std::max(t.depth, ft.depth + 1);
      std::vector<LeafShape> shape;
      if (!collect_shape(types_, f.type, 0, shape, pointer_member) && t.unmovable_reason.empty())
        t.unmovable_reason = "union '" + t.name + "' member '" + f.name + "' has more than " +
                             std::to_string(kMaxShapeLeaves) + " scalars: too large to check its members agree";
      if (i == 0) first = shape;
      if (!pointer_member.empty()) {
        t.unmovable_reason = "union '" + t.name + "' has a pointer member ('" + f.name +
                             "'): which member is active cannot be known";
      } else if (shape != first && t.unmovable_reason.empty()) {
        t.unmovable_reason = "union '" + t.name + "' members '" + t.fields[0].name + "' and '" +
                             f.name + "' have different layouts: which member is active cannot be known";
      }
      if (t.unmovable_reason.empty() && !ft.unmovable_reason.empty()) t.unmovable_reason = ft.unmovable_reason;
    }
    // Supported unions travel as their first member; all members share its shape.
    for (const LeafShape &s : first)
      if (s.wire != 0 && s.size != s.wire && t.unmovable_reason.empty())
        t.unmovable_reason = "union '" + t.name + "' holds a scalar whose size differs between platforms";
    t.leaf_count = types_[t.fields[0].type].leaf_count;
    break;
  }
  default:
    invalid(t, id, "has unknown kind " + std::to_string(static_cast<int>(t.kind)));
  }
  if (t.depth > kMaxDepth) invalid(t, id, "is nested more than " + std::to_string(kMaxDepth) + " levels deep");
}

bool TypeTable::compatible(TypeId a, TypeId b) const {
  if (a == b) return true;
  const TypeInfo &x = types_[a], &y = types_[b];
  const auto integer = [](Kind k) { return k == Kind::Signed || k == Kind::Unsigned; };
  if (integer(x.kind) && integer(y.kind)) return x.size == y.size && x.wire_size == y.wire_size;
  if (x.kind != y.kind) return false;
  switch (x.kind) {
  case Kind::Bool:
  case Kind::Float:
    return x.size == y.size && x.wire_size == y.wire_size;
  case Kind::Pointer:
  case Kind::Function:
    return true;
  default:
    return false;  // aggregates: only the same id (the precompiler merges a struct's typedefs into it)
  }
}

std::uint32_t TypeTable::edge_fit(TypeId type, TypeId pointee, bool at_end) const {
  if (!contains(type) || !contains(pointee)) return kNoFit;
  // An array pointee stands for its innermost element (depth is bounded).
  while (types_[pointee].kind == Kind::Array && contains(types_[pointee].element)) pointee = types_[pointee].element;
  std::uint32_t best = kNoFit;
  // Recursion is bounded by the type's depth (at most kMaxDepth).
  const auto walk = [&](auto &&self, TypeId t, std::uint32_t members) -> void {
    if (members >= best) return;
    if (compatible(t, pointee)) {
      best = members;
      return;
    }
    const TypeInfo &info = types_[t];
    switch (info.kind) {
    case Kind::Array:
      if (info.count > 0 && contains(info.element)) self(self, info.element, members);
      return;
    case Kind::Struct:
    case Kind::Union:
      for (const FieldInfo &f : info.fields) {
        if (!contains(f.type)) continue;
        if (at_end ? f.offset + types_[f.type].size == info.size : f.offset == 0) self(self, f.type, members + 1);
      }
      return;
    default:
      return;
    }
  };
  walk(walk, type, 0);
  return best;
}

std::string TypeTable::describe_offset(TypeId type, std::uint64_t offset) const {
  std::string path;
  for (std::uint32_t guard = 0; guard <= kMaxDepth; ++guard) {
    const TypeInfo &t = types_[type];
    if (t.kind == Kind::Array && t.count > 0) {
      const std::uint64_t esize = types_[t.element].size;
      const std::uint64_t index = esize ? std::min(offset / esize, t.count - 1) : 0;
      path += "[" + std::to_string(index) + "]";
      offset -= index * esize;
      type = t.element;
    } else if ((t.kind == Kind::Struct || t.kind == Kind::Union) && !t.fields.empty()) {
      const FieldInfo *field = &t.fields[0];
      for (const FieldInfo &f : t.fields)
        if (f.offset <= offset) field = &f;
      if (t.kind == Kind::Union) field = &t.fields[0];
      path += "." + field->name;
      offset -= field->offset;
      type = field->type;
    } else {
      break;
    }
  }
  return path;
}

} // namespace snow::msr
