// snow-state — prints a SnowMigrate state stream or checkpoint file.
//
//   snow-state [--json] [--types] [--all] <file>     (- reads standard input)
//
// The stream describes its own program, so no program is needed to read it.
// Exit status: 0 printed, 1 the stream is invalid (the reason is printed), 2 usage.
#include "state_printer.hpp"

#include "msr/block_registry.hpp"
#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_error.hpp"

#include <cstdio>
#include <cstring>
#include <iostream>

using namespace snow;

int main(int argc, char **argv) {
  tools::PrintOptions options;
  const char *path = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) options.json = true;
    else if (std::strcmp(argv[i], "--types") == 0) options.show_types = true;
    else if (std::strcmp(argv[i], "--all") == 0) options.max_elements = 0;
    else if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) path = nullptr, i = argc;
    else if (path == nullptr) path = argv[i];
    else path = nullptr, i = argc;
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: snow-state [--json] [--types] [--all] <state-file | ->\n");
    return 2;
  }
  std::FILE *file = std::strcmp(path, "-") == 0 ? stdin : std::fopen(path, "rb");
  if (file == nullptr) {
    std::fprintf(stderr, "snow-state: cannot open '%s': %s\n", path, std::strerror(errno));
    return 1;
  }
  // A checkpoint file starts with its open-files section
  // (runtime/src/exec/open_streams.hpp); the state stream follows it.
  if (const int c = std::fgetc(file); c == 's') {
    char line[8192];
    while (std::fgets(line, sizeof line, file) != nullptr && std::strcmp(line, "end\n") != 0) {
    }
  } else if (c != EOF) {
    std::ungetc(c, file);
  }
  // Then, in a program that uses the message library, its channels section:
  // "snow-channels 1 <bytes>\n" and the bytes (runtime/src/exec/channel_participant.hpp).
  if (const int c = std::fgetc(file); c == 's') {
    char line[64];
    unsigned long long bytes = 0;
    if (std::fgets(line, sizeof line, file) == nullptr || std::sscanf(line, "now-channels 1 %llu", &bytes) != 1) {
      std::fprintf(stderr, "snow-state: %s: the message-channels section has a malformed header\n", path);
      return 1;
    }
    for (; bytes > 0 && std::fgetc(file) != EOF; --bytes) {
    }
  } else if (c != EOF) {
    std::ungetc(c, file);
  }
  msr::BlockRegistry registry;
  int status = 0;
  try {
    msr::FileSource source(file);
    msr::StateDecoder decoder(nullptr, registry, source);
    decoder.restore_all();
    tools::print_state(decoder, std::cout, options);
  } catch (const msr::StateError &e) {
    std::fprintf(stderr, "snow-state: %s: invalid state stream (%s): %s\n", path, msr::to_string(e.code()), e.what());
    status = 1;
  }
  msr::free_heap_blocks(registry);
  if (file != stdin) std::fclose(file);
  return status;
}
