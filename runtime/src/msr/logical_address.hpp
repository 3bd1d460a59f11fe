// Logical addresses: where a pointer points, in terms no layout can change.
//
// A pointer travels as (block id, logical offset). The logical offset counts
// leaves (scalars of the flattened element type) from the start of the block:
//   2·L     — the first byte of leaf L (L = total leaves: one past the end)
//   2·L + 1 — just past the last byte of leaf L (a pointer into padding that
//             directly follows a member, e.g. `&s.name[3]` for `char name[3]`)
// `&a[3]`, `&s.field` and `&a[i].f[j]` all have exact leaf indices, so they
// map to the same element and member on every platform, whatever the sizes,
// padding and alignment there.
#pragma once

#include "type_table.hpp"

#include <cstdint>

namespace snow::msr {

// The logical offset of native byte `offset` in a block of `count` elements of
// `type`. Throws StateError(PointerIntoScalar) for an address inside a scalar
// or inside padding, which has no meaning on another platform.
std::uint64_t logical_from_native(const TypeTable &types, TypeId type, std::uint64_t count,
                                  std::uint64_t offset);

// The native byte offset of a logical offset. Throws StateError(BadOffset) if
// it lies outside the block.
std::uint64_t native_from_logical(const TypeTable &types, TypeId type, std::uint64_t count,
                                  std::uint64_t logical);

} // namespace snow::msr
