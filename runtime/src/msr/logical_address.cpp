#include "logical_address.hpp"

#include "state_error.hpp"

#include <algorithm>

namespace snow::msr {

namespace {

// Thrown inside the recursion; logical_from_native turns it into a message
// that names the whole path from the block's element type.
struct NotALeafBoundary {
  const char *where;
};

[[noreturn]] void into_scalar(const TypeTable &, TypeId, std::uint64_t, const char *where) {
  throw NotALeafBoundary{where};
}

// Native offset of the first byte of leaf `leaf` (leaf_count: one past the end).
std::uint64_t leaf_start(const TypeTable &types, TypeId type, std::uint64_t leaf) {
  for (;;) {
    const TypeInfo &t = types.at(type);
    if (leaf >= t.leaf_count) return t.size;
    switch (t.kind) {
    case Kind::Array: {
      const TypeInfo &e = types.at(t.element);
      const std::uint64_t index = leaf / e.leaf_count;
      return index * e.size + leaf_start(types, t.element, leaf % e.leaf_count);
    }
    case Kind::Struct: {
      auto it = std::upper_bound(t.fields.begin(), t.fields.end(), leaf,
                                 [](std::uint64_t l, const FieldInfo &f) { return l < f.first_leaf; });
      // Zero-leaf fields share first_leaf with their successor; step back to one with leaves.
      const FieldInfo &f = *std::prev(it);
      return f.offset + leaf_start(types, f.type, leaf - f.first_leaf);
    }
    case Kind::Union:
      type = t.fields[0].type;
      continue;
    default:
      return 0;
    }
  }
}

// Size of leaf `leaf` (a scalar) in native bytes.
std::uint64_t leaf_size(const TypeTable &types, TypeId type, std::uint64_t leaf) {
  for (;;) {
    const TypeInfo &t = types.at(type);
    switch (t.kind) {
    case Kind::Array: {
      const TypeInfo &e = types.at(t.element);
      leaf %= e.leaf_count;
      type = t.element;
      continue;
    }
    case Kind::Struct: {
      auto it = std::upper_bound(t.fields.begin(), t.fields.end(), leaf,
                                 [](std::uint64_t l, const FieldInfo &f) { return l < f.first_leaf; });
      const FieldInfo &f = *std::prev(it);
      leaf -= f.first_leaf;
      type = f.type;
      continue;
    }
    case Kind::Union:
      type = t.fields[0].type;
      continue;
    default:
      return t.size;
    }
  }
}

// Encoded logical offset (2L or 2L+1) of native offset `off` within one `type`,
// 0 <= off <= size. Prefers the start of a leaf over the end of the previous one.
std::uint64_t within(const TypeTable &types, TypeId type, std::uint64_t off) {
  const TypeInfo &t = types.at(type);
  if (off == t.size) return 2 * t.leaf_count;
  if (off == 0) return 0;
  switch (t.kind) {
  case Kind::Array: {
    const TypeInfo &e = types.at(t.element);
    const std::uint64_t index = off / e.size;
    return 2 * index * e.leaf_count + within(types, t.element, off % e.size);
  }
  case Kind::Struct: {
    auto it = std::upper_bound(t.fields.begin(), t.fields.end(), off,
                               [](std::uint64_t o, const FieldInfo &f) { return o < f.offset; });
    if (it == t.fields.begin()) into_scalar(types, type, off, "into padding");
    const FieldInfo &f = *std::prev(it);
    const std::uint64_t fsize = types.at(f.type).size;
    if (off - f.offset < fsize) return 2 * f.first_leaf + within(types, f.type, off - f.offset);
    if (off - f.offset == fsize && types.at(f.type).leaf_count > 0)
      return 2 * (f.first_leaf + types.at(f.type).leaf_count - 1) + 1;  // just past f
    into_scalar(types, type, off, "into padding");
  }
  case Kind::Union:
    return within(types, t.fields[0].type, off);
  default:
    into_scalar(types, type, off, "into the middle of a scalar");
  }
}

} // namespace

std::uint64_t native_from_logical(const TypeTable &types, TypeId type, std::uint64_t count,
                                  std::uint64_t logical) {
  // Logical 0 is always the block's first byte: the encoder writes it for
  // every pointer to a block's start, even when the first member has no leaves.
  if (logical == 0) return 0;
  const TypeInfo &t = types.at(type);
  const std::uint64_t leaves = t.leaf_count;
  const std::uint64_t leaf = logical / 2;
  const bool past = (logical & 1) != 0;
  const std::uint64_t total = count * leaves;  // bounded: blocks are size-checked first
  if (leaves == 0) {
    if (logical == 0) return 0;
    throw StateError(StateErrorCode::BadOffset, "logical offset " + std::to_string(logical) +
                                                    " in a block of '" + t.name + "', which has no leaves");
  }
  if (leaf > total || (past && leaf >= total))
    throw StateError(StateErrorCode::BadOffset,
                     "logical offset " + std::to_string(logical) + " lies outside a block of " +
                         std::to_string(count) + " × '" + t.name + "'");
  if (leaf == total) return count * t.size;
  const std::uint64_t index = leaf / leaves, inner = leaf % leaves;
  std::uint64_t offset = index * t.size + leaf_start(types, type, inner);
  if (past) offset += leaf_size(types, type, inner);
  return offset;
}

std::uint64_t logical_from_native(const TypeTable &types, TypeId type, std::uint64_t count,
                                  std::uint64_t offset) {
  const TypeInfo &t = types.at(type);
  if (offset == 0) return 0;
  const char *where = "past an empty block";
  if (t.size != 0) {
    if (offset == count * t.size) return 2 * count * t.leaf_count;
    const std::uint64_t index = offset / t.size;
    try {
      const std::uint64_t logical = 2 * index * t.leaf_count + within(types, type, offset % t.size);
      // A pointer just past a member whose own last leaf ends early (trailing
      // padding inside the member) would not come back to the same byte: refuse.
      if (native_from_logical(types, type, count, logical) == offset) return logical;
      where = "into padding";
    } catch (const NotALeafBoundary &e) {
      where = e.where;
    }
  }
  const std::uint64_t element = t.size ? offset / t.size : 0;
  throw StateError(StateErrorCode::PointerIntoScalar,
                   "it points to byte " + std::to_string(offset) + " of a block of '" + t.name + "', at [" +
                       std::to_string(element) + "]" + types.describe_offset(type, t.size ? offset % t.size : 0) +
                       " " + where + ", which has no meaning on another platform");
}

} // namespace snow::msr
