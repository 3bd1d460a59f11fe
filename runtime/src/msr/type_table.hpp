// The program's type table, validated, with what the codecs need precomputed.
//
// Two ways to build one:
//  - from the program's own C descriptors (native sizes and offsets from this
//    platform's compiler), which is how a migratable program runs;
//  - from the canonical description carried in a stream, laid out with this
//    host's natural alignment, which is how `snow-state` and the fuzzer read a
//    stream without the program that wrote it.
//
// A *leaf* is one scalar (integer, float, bool, pointer or function pointer)
// in the flattened type. Leaf indices are the same on every platform, so they
// are what logical addresses are made of (see logical_address.hpp).
#pragma once

#include "snow/msr.h"

#include <cstdint>
#include <string>
#include <vector>

namespace snow::msr {

using TypeId = std::uint32_t;

enum class Kind : std::uint8_t {
  Signed = SNOW_KIND_SIGNED,
  Unsigned = SNOW_KIND_UNSIGNED,
  Bool = SNOW_KIND_BOOL,
  Float = SNOW_KIND_FLOAT,
  Pointer = SNOW_KIND_POINTER,
  Function = SNOW_KIND_FUNCTION,
  Array = SNOW_KIND_ARRAY,
  Struct = SNOW_KIND_STRUCT,
  Union = SNOW_KIND_UNION,
  Unsupported = SNOW_KIND_UNSUPPORTED,
};

bool is_scalar(Kind kind);
const char *to_string(Kind kind);

struct FieldInfo {
  std::string name;
  TypeId type = 0;
  std::uint64_t offset = 0;      // native byte offset
  std::uint64_t first_leaf = 0;  // index of this field's first leaf within the struct
};

struct TypeInfo {
  std::string name;
  Kind kind = Kind::Unsupported;
  std::uint32_t wire_size = 0;  // scalars only
  std::uint64_t size = 0;       // native sizeof
  std::uint64_t align = 1;      // native alignment (exact for synthesized layouts)
  TypeId element = SNOW_NO_TYPE;
  std::uint64_t count = 0;
  std::vector<FieldInfo> fields;
  std::uint64_t leaf_count = 0;
  std::uint32_t depth = 0;           // nesting depth, bounded so codecs need no deep recursion
  std::string unmovable_reason;      // non-empty: a block of this type cannot be migrated
};

class TypeTable {
public:
  static constexpr std::uint32_t kMaxDepth = 64;

  // Validates the descriptors; throws StateError(InvalidProgram) naming the type.
  static TypeTable from_native(const snow_type_desc *types, std::size_t count);

  // `types` carry kinds, wire sizes, names, elements, counts and field names
  // and types; sizes, alignments and offsets are computed for this host.
  static TypeTable synthesize(std::vector<TypeInfo> types);

  std::size_t size() const { return types_.size(); }
  bool contains(TypeId id) const { return id < types_.size(); }
  const TypeInfo &at(TypeId id) const { return types_[id]; }

  // Field/element path of the leaf at native byte offset `offset` inside one
  // element of `type`, e.g. ".next" or ".f[3]"; for error messages.
  std::string describe_offset(TypeId type, std::uint64_t offset) const;

  // How well a pointer whose static pointee type is `pointee` fits the start
  // (at_end false) or one past the end (at_end true) of an element of
  // `type`: 0 when `pointee` is `type` or, through arrays, its element; n
  // when it is an object that begins (ends) there n struct/union members
  // deep (a struct's first member; its last, when no padding follows it; any
  // union member); kNoFit when nothing of that type begins (ends) there.
  // Types are compared as compatible, not by id: an array pointee stands for
  // its innermost element, scalars of the same class and width match (a
  // typedef of `double` and `double`, `int` and `unsigned`, `char` and
  // `unsigned char`), and every data pointer matches every data pointer.
  // Unknown ids fit nothing.
  static constexpr std::uint32_t kNoFit = 0xffffffff;
  std::uint32_t edge_fit(TypeId type, TypeId pointee, bool at_end) const;

private:
  bool compatible(TypeId a, TypeId b) const;
  void finish_all();
  void finish_type(TypeId id);  // leaves, depth, movability; validates composition
  std::vector<TypeInfo> types_;
};

} // namespace snow::msr
