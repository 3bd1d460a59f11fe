#include "bench_programs.hpp"

#include <cstddef>
#include <cstdlib>
#include <iterator>

namespace snow::bench {

namespace {

// Members are set by name: the descriptor structs may grow.
snow_type_desc type_desc(const char *name, snow_type_kind kind, std::size_t size) {
  snow_type_desc d{};
  d.name = name;
  d.kind = kind;
  d.size = size;
  d.element = SNOW_NO_TYPE;
  return d;
}

const snow_field_desc kNodeFields[] = {
    {"left", kNodePointer, offsetof(TreeNode, left)},
    {"right", kNodePointer, offsetof(TreeNode, right)},
    {"parent", kNodePointer, offsetof(TreeNode, parent)},
    {"payload", kDouble, offsetof(TreeNode, payload)},
};

std::vector<snow_type_desc> types() {
  std::vector<snow_type_desc> t;
  t.push_back(type_desc("double", SNOW_KIND_FLOAT, sizeof(double)));
  t.back().wire_size = 8;
  // A pointer type may name a struct defined after it (the struct points to itself).
  t.push_back(type_desc("struct node *", SNOW_KIND_POINTER, sizeof(TreeNode *)));
  t.back().element = kNode;
  t.push_back(type_desc("struct node", SNOW_KIND_STRUCT, sizeof(TreeNode)));
  t.back().fields = kNodeFields;
  t.back().field_count = std::size(kNodeFields);
  return t;
}

} // namespace

msr::Program describe_program(const char *name, void *address, snow_type_id type,
                              std::size_t count) {
  const std::vector<snow_type_desc> t = types();
  snow_global_desc global{};
  global.name = name;
  global.address = address;
  global.type = type;
  global.count = count;
  snow_program_desc desc{};
  desc.name = "snow-bench";
  desc.types = t.data();
  desc.type_count = t.size();
  desc.globals = &global;
  desc.global_count = 1;
  return msr::Program::from_desc(desc);
}

void register_globals(const msr::Program &program, msr::BlockRegistry &registry) {
  for (std::size_t i = 0; i < program.globals().size(); ++i) {
    const msr::GlobalInfo &g = program.globals()[i];
    msr::MemoryBlock b;
    b.base = reinterpret_cast<std::uintptr_t>(g.address);
    b.bytes = g.count * program.types().at(g.type).size;
    b.type = g.type;
    b.origin = msr::wire::Origin::Global;
    b.key = i;
    b.name = g.name.c_str();
    registry.insert(b);
  }
}

std::vector<TreeNode *> build_tree(std::size_t count, msr::BlockRegistry *registry) {
  std::vector<TreeNode *> nodes(count);
  for (std::size_t i = 0; i < count; ++i) {
    nodes[i] = static_cast<TreeNode *>(std::malloc(sizeof(TreeNode)));
    if (registry != nullptr) {
      msr::MemoryBlock b;
      b.base = reinterpret_cast<std::uintptr_t>(nodes[i]);
      b.bytes = sizeof(TreeNode);
      b.type = kNode;
      registry->insert(b);
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    TreeNode &n = *nodes[i];
    n.left = 2 * i + 1 < count ? nodes[2 * i + 1] : nullptr;
    n.right = 2 * i + 2 < count ? nodes[2 * i + 2] : nullptr;
    n.parent = i > 0 ? nodes[(i - 1) / 2] : nullptr;
    n.payload = tree_payload(i);
  }
  return nodes;
}

void free_tree(std::vector<TreeNode *> &nodes, msr::BlockRegistry *registry) {
  for (TreeNode *n : nodes) {
    if (registry != nullptr)
      registry->erase(reinterpret_cast<std::uintptr_t>(n));
    std::free(n);
  }
  nodes.clear();
}

} // namespace snow::bench
