// One large double array — the linpack case of the SNOW paper — collected and
// restored, against memcpy of the same bytes between two buffers that are
// already resident.
//
// Collection encodes into a CountingSink: the source array is read once and
// the stream goes through one 64 KiB chunk buffer (framing and checksum
// included) and is dropped, as if handed to a socket. Restoration decodes a
// stream encoded beforehand from memory into the destination program's own
// global, in two ways: "restore" with the decoder's defaults (the global is
// decoded into a staging copy committed after End, so that a failed restore
// leaves it untouched: what snow_restore_state_file does), and
// "restore-in-place" with staging off (what a resuming program does). "swapped"
// writes (and so reads) the stream in the non-native byte order, which is what
// a migration between a little- and a big-endian machine costs each side.
#include "bench_programs.hpp"
#include "bench_suites.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"

#include <benchmark/benchmark.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace snow::bench {

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

msr::ByteOrder foreign_byte_order() {
  return msr::native_byte_order() == msr::ByteOrder::Little ? msr::ByteOrder::Big
                                                            : msr::ByteOrder::Little;
}

// A source and a destination array of the same size, each a program's only
// global, both resident before any benchmark touches them.
class ArrayPair {
public:
  explicit ArrayPair(std::size_t bytes)
      : source_(bytes / sizeof(double)), destination_(source_.size()),
        source_program_(describe_program("data", source_.data(), kDouble, source_.size())),
        destination_program_(
            describe_program("data", destination_.data(), kDouble, destination_.size())) {
    for (std::size_t i = 0; i < source_.size(); ++i)
      source_[i] = static_cast<double>(i) * 0.25 - 1e6;
    register_globals(source_program_, source_registry_);
    register_globals(destination_program_, destination_registry_);
  }

  std::size_t bytes() const { return source_.size() * sizeof(double); }
  const double *source() const { return source_.data(); }
  double *destination() { return destination_.data(); }

  // Collects the source array into `sink`.
  void collect(msr::ChunkSink &sink, msr::ByteOrder order) {
    msr::EncoderOptions options;
    options.byte_order = order;
    msr::StateEncoder encoder(source_program_, source_registry_, sink, options);
    encoder.add_root(source_.data());
    encoder.finish();
  }

  // Restores `stream` into the destination array.
  void restore(const std::vector<unsigned char> &stream, bool staged) {
    msr::MemorySource source(stream);
    msr::DecoderOptions options;
    options.stage_roots = staged;
    msr::StateDecoder decoder(&destination_program_, destination_registry_, source, options);
    decoder.restore_all();
  }

  // The source collected in `order`, encoded once.
  const std::vector<unsigned char> &stream(msr::ByteOrder order) {
    std::vector<unsigned char> &s = streams_[static_cast<int>(order)];
    if (s.empty()) {
      msr::MemorySink sink;
      collect(sink, order);
      s = std::move(sink.bytes);
    }
    return s;
  }

  bool restored_equals_source() const {
    return std::memcmp(source_.data(), destination_.data(), bytes()) == 0;
  }

private:
  std::vector<double> source_, destination_;
  msr::Program source_program_, destination_program_;
  msr::BlockRegistry source_registry_, destination_registry_;
  std::vector<unsigned char> streams_[2];
};

ArrayPair &array_pair(std::size_t mib) {
  static std::map<std::size_t, std::unique_ptr<ArrayPair>> pairs;
  auto &p = pairs[mib];
  if (!p)
    p = std::make_unique<ArrayPair>(mib * kMiB);
  return *p;
}

void memcpy_baseline(benchmark::State &state, std::size_t mib) {
  ArrayPair &a = array_pair(mib);
  for (auto _ : state) {
    std::memcpy(a.destination(), a.source(), a.bytes());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * a.bytes()));
}

void collect(benchmark::State &state, std::size_t mib, msr::ByteOrder order) {
  ArrayPair &a = array_pair(mib);
  msr::CountingSink sink;
  for (auto _ : state) {
    sink.bytes = 0;
    a.collect(sink, order);
    benchmark::DoNotOptimize(sink.bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * a.bytes()));
  state.counters["stream_bytes"] = static_cast<double>(sink.bytes);
}

void restore(benchmark::State &state, std::size_t mib, msr::ByteOrder order, bool staged) {
  ArrayPair &a = array_pair(mib);
  const std::vector<unsigned char> &stream = a.stream(order);
  std::memset(a.destination(), 0, a.bytes());
  for (auto _ : state) {
    a.restore(stream, staged);
    benchmark::ClobberMemory();
  }
  if (!a.restored_equals_source())
    state.SkipWithError("the restored array differs from the source");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * a.bytes()));
  state.counters["stream_bytes"] = static_cast<double>(stream.size());
}

} // namespace

void register_array_benchmarks() {
  const struct {
    const char *name;
    msr::ByteOrder order;
  } orders[] = {{"native", msr::native_byte_order()}, {"swapped", foreign_byte_order()}};
  for (const std::size_t mib : {8, 256}) {
    const std::string size = std::to_string(mib) + "MiB";
    benchmark::RegisterBenchmark(("array/memcpy/" + size).c_str(), memcpy_baseline, mib);
    for (const auto &o : orders) {
      benchmark::RegisterBenchmark(("array/collect/" + size + "/" + o.name).c_str(), collect, mib,
                                   o.order);
      benchmark::RegisterBenchmark(("array/restore/" + size + "/" + o.name).c_str(), restore, mib,
                                   o.order, true);
      benchmark::RegisterBenchmark(("array/restore-in-place/" + size + "/" + o.name).c_str(),
                                   restore, mib, o.order, false);
    }
  }
}

} // namespace snow::bench
