// A binary tree of 1,000,000 nodes, each with two child pointers, a parent
// pointer and a double, moved by the engine, by Boost.Serialization and by
// cereal's portable binary archive.
//
// All three serialize the same shape (a complete tree, depth 20) into a sink
// that counts and drops the bytes, and deserialize from one contiguous
// in-memory buffer into freshly allocated nodes. Only serialization or
// deserialization is timed; building the input and freeing the output are not.
// Time is the thread's CPU time (user and system, page faults included), as
// for the other suites: on a shared machine, time spent waiting for a core is
// not the code's.
//
// The graphs are as close as each library allows:
//  - the engine and Boost move the very same malloc'd `struct node`s with raw
//    pointers; Boost tracks them (every pointer is looked up so that shared
//    nodes and cycles — here the parent links — are written once);
//  - cereal does not serialize raw pointers: its nodes hold
//    std::shared_ptr children and a std::weak_ptr parent, its idiomatic
//    equivalent, and it tracks them through the shared pointers.
// The engine's stream is portable (fixed widths, declared byte order, logical
// addresses); so is cereal's PortableBinaryArchive; Boost's binary archive is
// not (native widths and byte order).
#include "bench_programs.hpp"
#include "bench_suites.hpp"

#include "msr/chunk_stream.hpp"
#include "msr/state_decoder.hpp"
#include "msr/state_encoder.hpp"

#include <benchmark/benchmark.h>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/tracking.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/memory.hpp>

#include <malloc.h>

#include <chrono>
#include <ctime>
#include <istream>
#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

namespace snow::bench {

// Boost.Serialization finds this by argument-dependent lookup.
template <class Archive> void serialize(Archive &ar, TreeNode &n, const unsigned /*version*/) {
  // Boost's `&` is an operator here, not a reference.
  // clang-format off
  ar & n.left & n.right & n.parent & n.payload;
  // clang-format on
}

// cereal's counterpart of TreeNode.
struct SharedNode {
  std::shared_ptr<SharedNode> left, right;
  std::weak_ptr<SharedNode> parent;
  double payload = 0;

  template <class Archive> void serialize(Archive &ar) { ar(left, right, parent, payload); }
};

} // namespace snow::bench

// Tracking is Boost's default for a class serialized through pointers; say so.
BOOST_CLASS_TRACKING(snow::bench::TreeNode, boost::serialization::track_always)

namespace snow::bench {

namespace {

constexpr std::size_t kTreeNodes = 1'000'000;

// The calling thread's CPU time.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
};

// Counts and drops what is written: the serializers' CountingSink.
class CountingStreambuf final : public std::streambuf {
public:
  std::uint64_t bytes = 0;

protected:
  std::streamsize xsputn(const char *, std::streamsize n) override {
    bytes += static_cast<std::uint64_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      ++bytes;
    return traits_type::not_eof(c);
  }
};

// Reads one contiguous buffer: the serializers' MemorySource.
class MemoryStreambuf final : public std::streambuf {
public:
  explicit MemoryStreambuf(std::vector<char> &bytes) {
    setg(bytes.data(), bytes.data(), bytes.data() + bytes.size());
  }
};

class CollectingStreambuf final : public std::streambuf {
public:
  std::vector<char> bytes;

protected:
  std::streamsize xsputn(const char *s, std::streamsize n) override {
    bytes.insert(bytes.end(), s, s + n);
    return n;
  }
  int_type overflow(int_type c) override {
    if (!traits_type::eq_int_type(c, traits_type::eof()))
      bytes.push_back(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
};

const TreeNode *raw(const TreeNode *p) { return p; }
const SharedNode *raw(const std::shared_ptr<SharedNode> &p) { return p.get(); }
const SharedNode *raw(const std::weak_ptr<SharedNode> &p) { return p.lock().get(); }

// What is wrong with the tree below `root` (count, shape, parents, payloads), or "".
template <class Node> std::string check_tree(const Node *root, std::size_t count) {
  if (root == nullptr)
    return "no tree";
  if (raw(root->parent) != nullptr)
    return "the root has a parent";
  std::size_t seen = 0;
  std::vector<std::pair<const Node *, std::size_t>> todo{{root, 0}}; // node, heap index
  while (!todo.empty()) {
    const auto [n, i] = todo.back();
    todo.pop_back();
    if (++seen > count)
      return "more than " + std::to_string(count) + " nodes";
    if (n->payload != tree_payload(i))
      return "node " + std::to_string(i) + " has the wrong payload";
    const std::pair<const Node *, std::size_t> children[] = {{raw(n->left), 2 * i + 1},
                                                             {raw(n->right), 2 * i + 2}};
    for (const auto &[c, j] : children) {
      if ((c != nullptr) != (j < count))
        return "node " + std::to_string(i) + " has the wrong children";
      if (c == nullptr)
        continue;
      if (raw(c->parent) != n)
        return "node " + std::to_string(j) + " has the wrong parent";
      todo.emplace_back(c, j);
    }
  }
  return seen == count ? "" : std::to_string(seen) + " nodes instead of " + std::to_string(count);
}

// Frees a tree Boost allocated (operator new, one node at a time).
void delete_tree(TreeNode *root) {
  std::vector<TreeNode *> todo;
  if (root != nullptr)
    todo.push_back(root);
  while (!todo.empty()) {
    TreeNode *n = todo.back();
    todo.pop_back();
    if (n->left)
      todo.push_back(n->left);
    if (n->right)
      todo.push_back(n->right);
    delete n;
  }
}

// The input graph in both representations, and each library's stream of it.
class TreeInputs {
public:
  TreeInputs()
      : nodes_(build_tree(kTreeNodes, &registry_)), root_(nodes_[0]),
        source_program_(describe_program("root", &root_, kNodePointer, 1)),
        destination_program_(describe_program("root", &restored_root_, kNodePointer, 1)) {
    register_globals(source_program_, registry_);
    std::vector<std::shared_ptr<SharedNode>> shared(kTreeNodes);
    for (auto &n : shared)
      n = std::make_shared<SharedNode>();
    for (std::size_t i = 0; i < kTreeNodes; ++i) {
      SharedNode &n = *shared[i];
      if (2 * i + 1 < kTreeNodes)
        n.left = shared[2 * i + 1];
      if (2 * i + 2 < kTreeNodes)
        n.right = shared[2 * i + 2];
      if (i > 0)
        n.parent = shared[(i - 1) / 2];
      n.payload = tree_payload(i);
    }
    shared_root_ = shared[0];
  }
  ~TreeInputs() { free_tree(nodes_, &registry_); }

  void snow_serialize(msr::ChunkSink &sink, msr::ByteOrder order) {
    msr::EncoderOptions options;
    options.byte_order = order;
    msr::StateEncoder encoder(source_program_, registry_, sink, options);
    encoder.add_root(&root_);
    encoder.finish();
  }
  // Restores into the destination program's `root`; the nodes go into `registry`.
  TreeNode *snow_deserialize(const std::vector<unsigned char> &stream,
                             msr::BlockRegistry &registry) {
    msr::MemorySource source(stream);
    msr::StateDecoder decoder(&destination_program_, registry, source);
    decoder.restore_all();
    return restored_root_;
  }

  void boost_serialize(std::streambuf &out) const {
    boost::archive::binary_oarchive archive(out);
    archive << root_;
  }
  static TreeNode *boost_deserialize(std::vector<char> &stream) {
    MemoryStreambuf in(stream);
    boost::archive::binary_iarchive archive(in);
    TreeNode *root = nullptr;
    archive >> root;
    return root;
  }

  void cereal_serialize(std::streambuf &out) const {
    std::ostream os(&out);
    cereal::PortableBinaryOutputArchive archive(os);
    archive(shared_root_);
  }
  static std::shared_ptr<SharedNode> cereal_deserialize(std::vector<char> &stream) {
    MemoryStreambuf in(stream);
    std::istream is(&in);
    cereal::PortableBinaryInputArchive archive(is);
    std::shared_ptr<SharedNode> root;
    archive(root);
    return root;
  }

  const std::vector<unsigned char> &snow_stream(msr::ByteOrder order) {
    std::vector<unsigned char> &s = snow_streams_[static_cast<int>(order)];
    if (s.empty()) {
      msr::MemorySink sink;
      snow_serialize(sink, order);
      s = std::move(sink.bytes);
    }
    return s;
  }
  std::vector<char> &boost_stream() {
    if (boost_stream_.empty()) {
      CollectingStreambuf out;
      boost_serialize(out);
      boost_stream_ = std::move(out.bytes);
    }
    return boost_stream_;
  }
  std::vector<char> &cereal_stream() {
    if (cereal_stream_.empty()) {
      CollectingStreambuf out;
      cereal_serialize(out);
      cereal_stream_ = std::move(out.bytes);
    }
    return cereal_stream_;
  }

private:
  msr::BlockRegistry registry_;
  std::vector<TreeNode *> nodes_;
  TreeNode *root_;                    // the source program's global
  TreeNode *restored_root_ = nullptr; // the destination program's global
  msr::Program source_program_, destination_program_;
  std::shared_ptr<SharedNode> shared_root_;
  std::vector<unsigned char> snow_streams_[2];
  std::vector<char> boost_stream_, cereal_stream_;
};

TreeInputs &tree_inputs() {
  static TreeInputs inputs;
  return inputs;
}

msr::ByteOrder foreign_byte_order() {
  return msr::native_byte_order() == msr::ByteOrder::Little ? msr::ByteOrder::Big
                                                            : msr::ByteOrder::Little;
}

// Runs `body` once per iteration and reports only the time it returns.
// Every iteration starts from a trimmed heap, as a fresh process would:
// otherwise whether the previous run's freed memory is still mapped (which
// depends on which benchmark ran before) decides how many page faults a
// deserialization takes.
template <class Body> void timed_loop(benchmark::State &state, Body &&body) {
  for (auto _ : state) {
    malloc_trim(0);
    state.SetIterationTime(std::chrono::duration<double>(body()).count());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTreeNodes));
}

void snow_serialize(benchmark::State &state, msr::ByteOrder order) {
  TreeInputs &t = tree_inputs();
  msr::CountingSink sink;
  timed_loop(state, [&] {
    sink.bytes = 0;
    const auto start = Clock::now();
    t.snow_serialize(sink, order);
    return Clock::now() - start;
  });
  state.counters["stream_bytes"] = static_cast<double>(sink.bytes);
}

void snow_deserialize(benchmark::State &state, msr::ByteOrder order) {
  TreeInputs &t = tree_inputs();
  const std::vector<unsigned char> &stream = t.snow_stream(order);
  std::string error;
  timed_loop(state, [&] {
    msr::BlockRegistry registry; // the destination process's, empty before the restore
    const auto start = Clock::now();
    TreeNode *root = t.snow_deserialize(stream, registry);
    const auto elapsed = Clock::now() - start;
    if (error.empty())
      error = check_tree(root, kTreeNodes);
    msr::free_heap_blocks(registry);
    return elapsed;
  });
  if (!error.empty())
    state.SkipWithError(error.c_str());
  state.counters["stream_bytes"] = static_cast<double>(stream.size());
}

void boost_serialize(benchmark::State &state) {
  TreeInputs &t = tree_inputs();
  CountingStreambuf sink;
  timed_loop(state, [&] {
    sink.bytes = 0;
    const auto start = Clock::now();
    t.boost_serialize(sink);
    return Clock::now() - start;
  });
  state.counters["stream_bytes"] = static_cast<double>(sink.bytes);
}

void boost_deserialize(benchmark::State &state) {
  TreeInputs &t = tree_inputs();
  std::vector<char> &stream = t.boost_stream();
  std::string error;
  timed_loop(state, [&] {
    const auto start = Clock::now();
    TreeNode *root = TreeInputs::boost_deserialize(stream);
    const auto elapsed = Clock::now() - start;
    if (error.empty())
      error = check_tree(root, kTreeNodes);
    delete_tree(root);
    return elapsed;
  });
  if (!error.empty())
    state.SkipWithError(error.c_str());
  state.counters["stream_bytes"] = static_cast<double>(stream.size());
}

void cereal_serialize(benchmark::State &state) {
  TreeInputs &t = tree_inputs();
  CountingStreambuf sink;
  timed_loop(state, [&] {
    sink.bytes = 0;
    const auto start = Clock::now();
    t.cereal_serialize(sink);
    return Clock::now() - start;
  });
  state.counters["stream_bytes"] = static_cast<double>(sink.bytes);
}

void cereal_deserialize(benchmark::State &state) {
  TreeInputs &t = tree_inputs();
  std::vector<char> &stream = t.cereal_stream();
  std::string error;
  timed_loop(state, [&] {
    const auto start = Clock::now();
    std::shared_ptr<SharedNode> root = TreeInputs::cereal_deserialize(stream);
    const auto elapsed = Clock::now() - start;
    if (error.empty())
      error = check_tree(root.get(), kTreeNodes);
    return elapsed; // the tree is freed here, untimed
  });
  if (!error.empty())
    state.SkipWithError(error.c_str());
  state.counters["stream_bytes"] = static_cast<double>(stream.size());
}

} // namespace

void register_tree_benchmarks() {
  benchmark::RegisterBenchmark("tree/snow/serialize", snow_serialize, msr::native_byte_order())
      ->UseManualTime();
  benchmark::RegisterBenchmark("tree/snow/deserialize", snow_deserialize, msr::native_byte_order())
      ->UseManualTime();
  benchmark::RegisterBenchmark("tree/snow-swapped/serialize", snow_serialize, foreign_byte_order())
      ->UseManualTime();
  benchmark::RegisterBenchmark("tree/snow-swapped/deserialize", snow_deserialize,
                               foreign_byte_order())
      ->UseManualTime();
  benchmark::RegisterBenchmark("tree/boost/serialize", boost_serialize)->UseManualTime();
  benchmark::RegisterBenchmark("tree/boost/deserialize", boost_deserialize)->UseManualTime();
  benchmark::RegisterBenchmark("tree/cereal/serialize", cereal_serialize)->UseManualTime();
  benchmark::RegisterBenchmark("tree/cereal/deserialize", cereal_deserialize)->UseManualTime();
}

} // namespace snow::bench
