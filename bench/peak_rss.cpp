// snow-peak-rss: what collecting (or restoring) a 256 MiB array adds to the
// process's peak resident memory. Collection streams the array through one
// chunk buffer, so the answer must be a bounded buffer, never a second copy.
//
//   snow-peak-rss baseline           allocate and touch the array, describe the program
//   snow-peak-rss collect            … and collect it into a CountingSink
//   snow-peak-rss collect-file PATH  … and collect it into a file (input for restore)
//   snow-peak-rss restore PATH       … and restore the file into the array
//                                    (decoder defaults: staged, committed after End)
//   snow-peak-rss restore-in-place PATH   … the same without staging, as a
//                                    resuming program restores
//
// Each prints one JSON object with getrusage's ru_maxrss (KiB on Linux);
// bench/run_benchmarks.sh subtracts the baseline.
#include "bench_programs.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"
#include "msr/state_error.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

constexpr std::size_t kArrayBytes = std::size_t{256} << 20;

long max_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

int usage() {
  std::fprintf(stderr, "usage: snow-peak-rss baseline | collect | collect-file PATH | restore PATH "
                       "| restore-in-place PATH\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  using namespace snow;
  if (argc < 2)
    return usage();
  const std::string mode = argv[1];
  const bool restoring = mode == "restore" || mode == "restore-in-place";
  const bool needs_path = mode == "collect-file" || restoring;
  if (needs_path != (argc == 3) || (!needs_path && mode != "baseline" && mode != "collect"))
    return usage();

  const std::size_t count = kArrayBytes / sizeof(double);
  auto *data = static_cast<double *>(std::malloc(kArrayBytes));
  if (data == nullptr)
    return 1;
  for (std::size_t i = 0; i < count; ++i)
    data[i] = static_cast<double>(i) * 0.25; // resident, not zero pages
  const msr::Program program = bench::describe_program("data", data, bench::kDouble, count);
  msr::BlockRegistry registry;
  bench::register_globals(program, registry);
  std::uint64_t stream_bytes = 0;

  try {
    if (mode == "collect") {
      msr::CountingSink sink;
      msr::StateEncoder encoder(program, registry, sink);
      encoder.add_root(data);
      encoder.finish();
      stream_bytes = sink.bytes;
    } else if (needs_path) {
      std::FILE *file = std::fopen(argv[2], restoring ? "rb" : "wb");
      if (file == nullptr) {
        std::fprintf(stderr, "snow-peak-rss: cannot open %s\n", argv[2]);
        return 1;
      }
      if (restoring) {
        std::memset(data, 0, kArrayBytes);
        msr::FileSource source(file);
        msr::DecoderOptions options;
        options.stage_roots = mode == "restore";
        msr::StateDecoder decoder(&program, registry, source, options);
        decoder.restore_all();
        stream_bytes = decoder.stream_bytes();
        if (data[count - 1] != static_cast<double>(count - 1) * 0.25) {
          std::fprintf(stderr, "snow-peak-rss: the restored array is wrong\n");
          return 1;
        }
      } else {
        msr::FileSink sink(file);
        msr::StateEncoder encoder(program, registry, sink);
        encoder.add_root(data);
        encoder.finish();
        stream_bytes = encoder.stream_bytes();
      }
      std::fclose(file);
    }
  } catch (const msr::StateError &e) {
    std::fprintf(stderr, "snow-peak-rss: %s\n", e.what());
    return 1;
  }

  std::printf(
      "{\"mode\": \"%s\", \"array_bytes\": %zu, \"stream_bytes\": %llu, \"max_rss_kib\": %ld}\n",
      mode.c_str(), kArrayBytes, static_cast<unsigned long long>(stream_bytes), max_rss_kib());
  std::free(data);
  return 0;
}
