#include "test_programs.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/process_state.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <stdexcept>
#include <vector>

namespace snow::test {

using namespace snow::msr;


void init_state_graph() {
  static const bool ok = state_graph_init() == 0;
  if (!ok) throw std::runtime_error(std::string("state_graph_init failed: ") + snow_last_error());
}

std::vector<unsigned char> collect_state_graph(int seed, EncoderOptions options) {
  init_state_graph();
  const GraphHeap heap;
  graph_frame frame{};
  state_graph_register_frame(&frame);
  state_graph_build(&frame, seed);
  MemorySink sink;
  {
    StateEncoder encoder(*process_state().program, process_state().registry, sink, options);
    void *roots[16];
    const std::size_t n = state_graph_roots(&frame, roots, 16);
    for (std::size_t i = 0; i < n; ++i) encoder.add_root(roots[i]);
    encoder.finish();
  }
  snow_unregister_stack_block(&frame);
  return sink.bytes;
}

GraphHeap::GraphHeap() {
  process_state().registry.for_each([&](const MemoryBlock &b) {
    if (b.origin == wire::Origin::Heap) before_.insert(b.base);
  });
}

GraphHeap::~GraphHeap() {
  std::vector<void *> made;
  process_state().registry.for_each([&](const MemoryBlock &b) {
    if (b.origin == wire::Origin::Heap && before_.count(b.base) == 0) made.push_back(reinterpret_cast<void *>(b.base));
  });
  for (void *block : made) snow_free(block);
}

RestoreResult restore_state_graph(const std::vector<unsigned char> &stream, int seed, DecoderOptions options) {
  init_state_graph();
  const GraphHeap heap;
  graph_frame frame{};
  state_graph_register_frame(&frame);
  RestoreResult result;
  try {
    MemorySource source(stream);
    StateDecoder decoder(process_state().program.get(), process_state().registry, source, options);
    decoder.restore_all();
    result.failed_checks = state_graph_verify(&frame, seed, stderr);
  } catch (const StateError &e) {
    result.error = e.code();
    result.message = e.what();
  }
  snow_unregister_stack_block(&frame);
  return result;
}

snow_type_id ProgramBuilder::scalar(const char *name, snow_type_kind kind, std::uint32_t wire, std::size_t size) {
  types_.push_back({name, static_cast<std::uint32_t>(kind), wire, size, SNOW_NO_TYPE, 0, nullptr, 0});
  return static_cast<snow_type_id>(types_.size() - 1);
}

snow_type_id ProgramBuilder::pointer(const char *name, snow_type_id to, std::size_t size) {
  types_.push_back({name, SNOW_KIND_POINTER, 0, size, to, 0, nullptr, 0});
  return static_cast<snow_type_id>(types_.size() - 1);
}

snow_type_id ProgramBuilder::function(const char *name) {
  types_.push_back({name, SNOW_KIND_FUNCTION, 0, sizeof(snow_function_address), SNOW_NO_TYPE, 0, nullptr, 0});
  return static_cast<snow_type_id>(types_.size() - 1);
}

snow_type_id ProgramBuilder::array(const char *name, snow_type_id element, std::size_t count, std::size_t size) {
  types_.push_back({name, SNOW_KIND_ARRAY, 0, size, element, count, nullptr, 0});
  return static_cast<snow_type_id>(types_.size() - 1);
}

snow_type_id ProgramBuilder::record(const char *name, snow_type_kind kind, std::size_t size,
                                    std::vector<snow_field_desc> fields) {
  fields_.push_back(std::move(fields));
  const auto &f = fields_.back();
  types_.push_back({name, static_cast<std::uint32_t>(kind), 0, size, SNOW_NO_TYPE, 0, f.data(), f.size()});
  return static_cast<snow_type_id>(types_.size() - 1);
}

snow_type_id ProgramBuilder::unsupported(const char *name, std::size_t size) {
  types_.push_back({name, SNOW_KIND_UNSUPPORTED, 0, size, SNOW_NO_TYPE, 0, nullptr, 0});
  return static_cast<snow_type_id>(types_.size() - 1);
}

void ProgramBuilder::global(const char *name, void *address, snow_type_id type, std::size_t count) {
  globals_.push_back({name, address, type, count, 0});
}

void ProgramBuilder::function_entry(const char *name, snow_function_address address) {
  functions_.push_back({name, address, nullptr, 0});
}

snow_program_desc ProgramBuilder::desc(const char *name) const {
  return {name, types_.data(), types_.size(), functions_.data(), functions_.size(),
          globals_.data(), globals_.size(), nullptr, 0};
}

} // namespace snow::test
