// The programs the benchmarks migrate, described from C++ the way the
// precompiler would describe them from C: a type table with sizes and offsets
// from this compiler, and one global per program.
//
// Each benchmark keeps a source and a destination Program built from the same
// description but with different global addresses. They share a fingerprint
// (addresses are not part of it), so the destination restores into its own
// global while the source's stays untouched and can be collected again.
#pragma once

#include "msr/block_registry.hpp"
#include "msr/program.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace snow::bench {

// struct node { node *left, *right, *parent; double payload; };
struct TreeNode {
  TreeNode *left;
  TreeNode *right;
  TreeNode *parent;
  double payload;
};

// The type table every benchmark program shares.
enum : snow_type_id { kDouble = 0, kNodePointer = 1, kNode = 2 };

// A program whose only global is `name` (`count` elements of `type`) at `address`.
msr::Program describe_program(const char *name, void *address, snow_type_id type,
                              std::size_t count);

// Registers the program's globals, as snow_program_init does for the process.
void register_globals(const msr::Program &program, msr::BlockRegistry &registry);

// A complete binary tree of `count` heap nodes (node i has children 2i+1 and
// 2i+2, so its depth is log2(count) and no recursive serializer overflows),
// registered in `registry` as snow_malloc would. Returns the nodes, root first.
std::vector<TreeNode *> build_tree(std::size_t count, msr::BlockRegistry *registry);

// Frees what build_tree allocated (and unregisters it).
void free_tree(std::vector<TreeNode *> &nodes, msr::BlockRegistry *registry);

// The payload build_tree gives node i.
inline double tree_payload(std::size_t i) { return static_cast<double>(i) * 0.5 + 1.0; }

} // namespace snow::bench
