// A type flattened into runs the codecs execute without walking the type tree.
//
// `double a[1000]` becomes one Bytes run when no byte swapping is needed, and
// one Scalars run when it is; a struct of three doubles and a pointer becomes
// a Bytes run of 24 bytes and a Pointers run. Arrays of structs become a
// Repeat over the struct's runs, or a single Bytes run when the struct has no
// padding, pointers or conversions. The wire is dense: leaves in order, each
// at its wire width, pointers as variable-length logical addresses.
#pragma once

#include "type_table.hpp"

#include <cstdint>
#include <vector>

namespace snow::msr {

struct PlanOp {
  enum class Code : std::uint8_t {
    Bytes,      // `count` bytes copied verbatim (native == wire, no swap)
    Scalars,    // `count` scalars `stride` apart, converted one by one
    Pointers,   // `count` data pointers `stride` apart
    Functions,  // `count` function pointers `stride` apart
    Repeat,     // the next `body` ops, `count` times, `stride` apart
  };
  Code code = Code::Bytes;
  Kind kind = Kind::Unsigned;     // Scalars: Signed, Unsigned, Bool or Float
  std::uint8_t native_size = 0;   // Scalars
  std::uint8_t wire_size = 0;     // Scalars
  std::uint32_t body = 0;         // Repeat
  std::uint64_t offset = 0;       // from the start of the enclosing element
  std::uint64_t count = 0;
  std::uint64_t stride = 0;
  TypeId pointee = SNOW_NO_TYPE;  // Pointers: static pointee type
};

using CodecPlan = std::vector<PlanOp>;

// The runs for one element of `type`. `swap`: the wire byte order differs from
// this platform's. The type must be movable (no unmovable_reason).
CodecPlan build_plan(const TypeTable &types, TypeId type, bool swap);

// Caches one plan per type for one codec direction.
class PlanCache {
public:
  PlanCache(const TypeTable &types, bool swap) : types_(&types), swap_(swap) {}
  // Inline: the codecs ask once per block, a million times for a large heap.
  const CodecPlan &get(TypeId type) {
    if (entries_.size() == types_->size() && type < entries_.size() && entries_[type].built) return entries_[type].plan;
    return build(type);
  }

private:
  const CodecPlan &build(TypeId type);
  struct Entry {
    CodecPlan plan;
    bool built = false;
  };
  const TypeTable *types_;
  bool swap_;
  std::vector<Entry> entries_;
};

} // namespace snow::msr
