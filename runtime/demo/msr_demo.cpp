// snow-msr-demo — moves the state graph (state_graph.c) through a file.
//
//   snow-msr-demo write <file> [seed]
//       builds the graph, checks it, and collects it (globals + one stack frame)
//   snow-msr-demo restore <file> [seed] [--recollect <file2>] [--forward <file3>]
//       restores the graph into this process, checks every field and pointer,
//       and optionally collects it again "as" the stream's source platform and
//       byte order, which must give the identical stream (--recollect), or
//       natively, to pass it on to the next platform (--forward)
//
// Prints one line of figures per step; exits 0 only if everything checked out.
#include "state_graph.h"

#include "msr/chunk_stream.hpp"
#include "msr/platform.hpp"
#include "msr/process_state.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace snow::msr;

namespace {

std::vector<unsigned char> read_file(const char *path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int usage() {
  std::fprintf(stderr, "usage: snow-msr-demo write <file> [seed]\n"
                       "       snow-msr-demo restore <file> [seed] [--recollect <file2>] [--forward <file3>]\n");
  return 2;
}

int write_state(const char *path, int seed) {
  graph_frame frame{};
  state_graph_register_frame(&frame);
  state_graph_build(&frame, seed);
  if (int bad = state_graph_verify(&frame, seed, stderr)) {
    std::fprintf(stderr, "snow-msr-demo: the freshly built graph fails %d checks\n", bad);
    return 1;
  }
  void *roots[16];
  const std::size_t n = state_graph_roots(&frame, roots, 16);
  const auto t0 = std::chrono::steady_clock::now();
  if (snow_save_state_file(path, roots, n) != 0) {
    std::fprintf(stderr, "snow-msr-demo: %s\n", snow_last_error());
    return 1;
  }
  std::printf("%-7s collected %zu bytes in %.2f ms\n", native_platform().name.c_str(), read_file(path).size(), ms_since(t0));
  return 0;
}

int restore_state(const char *path, int seed, const char *recollect, const char *forward) {
  graph_frame frame{};
  state_graph_register_frame(&frame);
  const std::vector<unsigned char> original = read_file(path);
  ProcessState &state = process_state();
  StreamInfo info;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    MemorySource source(original);
    StateDecoder decoder(state.program.get(), state.registry, source);
    info = decoder.open();
    decoder.restore_all();
  } catch (const StateError &e) {
    std::fprintf(stderr, "snow-msr-demo: restoring %s failed (%s): %s\n", path, to_string(e.code()), e.what());
    return 1;
  }
  const double restore_ms = ms_since(t0);
  const int bad = state_graph_verify(&frame, seed, stderr);
  std::printf("%-7s -> %-7s restored %zu bytes in %.2f ms, %d check(s) failed", info.source.name.c_str(),
              native_platform().name.c_str(), original.size(), restore_ms, bad);
  if (recollect != nullptr) {
    MemorySink again;
    EncoderOptions options;
    options.byte_order = info.data_order;
    options.platform = &info.source;
    try {
      StateEncoder encoder(*state.program, state.registry, again, options);
      void *roots[16];
      const std::size_t n = state_graph_roots(&frame, roots, 16);
      for (std::size_t i = 0; i < n; ++i) encoder.add_root(roots[i]);
      encoder.finish();
    } catch (const StateError &e) {
      std::printf("\nsnow-msr-demo: re-collecting failed: %s\n", e.what());
      return 1;
    }
    std::FILE *f = std::fopen(recollect, "wb");
    if (f) {
      std::fwrite(again.bytes.data(), 1, again.bytes.size(), f);
      std::fclose(f);
    }
    const bool same = again.bytes == original;
    std::printf(", re-collected stream %s", same ? "identical" : "DIFFERS");
    if (!same) {
      std::printf("\n");
      return 1;
    }
  }
  if (forward != nullptr && bad == 0) {
    void *roots[16];
    const std::size_t n = state_graph_roots(&frame, roots, 16);
    const auto t1 = std::chrono::steady_clock::now();
    if (snow_save_state_file(forward, roots, n) != 0) {
      std::printf("\nsnow-msr-demo: %s\n", snow_last_error());
      return 1;
    }
    std::printf(", collected again in %.2f ms", ms_since(t1));
  }
  std::printf("\n");
  return bad == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) return usage();
  if (state_graph_init() != 0) {
    std::fprintf(stderr, "snow-msr-demo: %s\n", snow_last_error());
    return 1;
  }
  const std::string command = argv[1];
  int seed = 7;
  const char *recollect = nullptr, *forward = nullptr;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--recollect") == 0 && i + 1 < argc) recollect = argv[++i];
    else if (std::strcmp(argv[i], "--forward") == 0 && i + 1 < argc) forward = argv[++i];
    else seed = std::atoi(argv[i]);
  }
  if (command == "write") return write_state(argv[2], seed);
  if (command == "restore") return restore_state(argv[2], seed, recollect, forward);
  return usage();
}
