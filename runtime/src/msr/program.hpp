// A migratable program as the memory-state engine sees it: its validated type
// table, its function table (function pointers travel as indices into it), its
// globals, and its fingerprint.
//
// The fingerprint hashes the *canonical description* — kinds, wire widths,
// names, counts, field lists, function and global names, the caller's extra
// bytes — and none of the native sizes or offsets. The same source built for
// any platform therefore has the same fingerprint, and a stream is only ever
// restored into the program that wrote it. The description itself travels in
// the stream header, so a mismatch can be explained and a stream can be
// printed without the program.
#pragma once

#include "type_table.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace snow::msr {

class ChunkWriter;
class ChunkReader;

struct GlobalInfo {
  std::string name;
  void *address = nullptr;  // null in a synthesized program
  TypeId type = 0;
  std::uint64_t count = 1;
  bool constant = false;    // SNOW_GLOBAL_CONSTANT: never written by a restore
};

class Program {
public:
  // Validates `desc`; throws StateError(InvalidProgram) naming the culprit.
  static Program from_desc(const snow_program_desc &desc);
  // Reads a canonical description (as written by write_description) and lays
  // it out for this host; used to read a stream without its program.
  static Program read_description(ChunkReader &in);

  void write_description(ChunkWriter &out) const;

  const std::string &name() const { return name_; }
  const TypeTable &types() const { return types_; }
  const std::vector<GlobalInfo> &globals() const { return globals_; }
  std::uint64_t fingerprint() const { return fingerprint_; }

  std::size_t function_count() const { return function_names_.size(); }
  // Types of a migratable function's locals at each resume point (index r-1).
  const std::vector<TypeId> &resume_views(std::uint32_t id) const { return resume_views_[id]; }
  const std::string &function_name(std::uint32_t id) const { return function_names_[id]; }
  snow_function_address function_address(std::uint32_t id) const { return function_addresses_[id]; }
  // Index of the function at `address`, or -1.
  std::int64_t function_id(snow_function_address address) const;

  // Why two descriptions differ, in words (first difference found).
  static std::string explain_difference(const Program &mine, const Program &theirs);

private:
  std::vector<unsigned char> canonical_bytes() const;

  std::string name_;
  TypeTable types_;
  std::vector<std::string> function_names_;
  std::vector<snow_function_address> function_addresses_;
  std::vector<std::vector<TypeId>> resume_views_;
  std::unordered_map<std::uintptr_t, std::uint32_t> function_ids_;
  std::vector<GlobalInfo> globals_;
  std::vector<unsigned char> extra_;
  std::uint64_t fingerprint_ = 0;
};

} // namespace snow::msr
