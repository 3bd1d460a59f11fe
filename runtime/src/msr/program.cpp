#include "program.hpp"

#include "chunk_stream.hpp"
#include "state_error.hpp"
#include "stream_format.hpp"

#include <algorithm>
#include <cstring>

namespace snow::msr {

namespace {

// Appends canonical fields to a byte vector (the fingerprint's input).
struct CanonicalWriter {
  std::vector<unsigned char> bytes;
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<unsigned char>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<unsigned char>(v));
  }
  void string(const std::string &s) {
    varint(s.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
  }
};

// FNV-1a over the bytes, then a final avalanche; 64 bits are plenty to tell
// programs apart (this is an identity check, not a security boundary).
std::uint64_t hash64(const std::vector<unsigned char> &bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char b : bytes) h = (h ^ b) * 0x100000001b3ull;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

[[noreturn]] void invalid(const std::string &what) { throw StateError(StateErrorCode::InvalidProgram, what); }

} // namespace

Program Program::from_desc(const snow_program_desc &desc) {
  Program p;
  p.name_ = desc.name ? desc.name : "";
  if (desc.type_count > 0 && desc.types == nullptr) invalid("the program has types but no type table");
  p.types_ = TypeTable::from_native(desc.types, desc.type_count);
  for (std::size_t i = 0; i < desc.function_count; ++i) {
    const snow_function_desc &f = desc.functions[i];
    if (f.name == nullptr || f.address == nullptr) invalid("function #" + std::to_string(i) + " has no name or address");
    p.function_names_.emplace_back(f.name);
    p.function_addresses_.push_back(f.address);
    std::vector<TypeId> views;
    for (std::size_t r = 0; r < f.resume_count; ++r) {
      if (f.resume_views == nullptr || !p.types_.contains(f.resume_views[r]) ||
          p.types_.at(f.resume_views[r]).kind != Kind::Struct)
        invalid("function '" + std::string(f.name) + "' resume point " + std::to_string(r + 1) +
                " has no struct type for its locals");
      views.push_back(f.resume_views[r]);
    }
    p.resume_views_.push_back(std::move(views));
    p.function_ids_.emplace(reinterpret_cast<std::uintptr_t>(f.address), static_cast<std::uint32_t>(i));
  }
  for (std::size_t i = 0; i < desc.global_count; ++i) {
    const snow_global_desc &g = desc.globals[i];
    const std::string name = g.name ? g.name : "";
    if (g.address == nullptr) invalid("global '" + name + "' has no address");
    if (!p.types_.contains(g.type)) invalid("global '" + name + "' has type id " + std::to_string(g.type) + ", outside the type table");
    p.globals_.push_back({name, g.address, g.type, g.count, (g.flags & SNOW_GLOBAL_CONSTANT) != 0});
  }
  if (desc.extra_size > 0) {
    const auto *e = static_cast<const unsigned char *>(desc.extra);
    p.extra_.assign(e, e + desc.extra_size);
  }
  p.fingerprint_ = hash64(p.canonical_bytes());
  return p;
}

std::vector<unsigned char> Program::canonical_bytes() const {
  CanonicalWriter w;
  w.varint(types_.size());
  for (std::size_t i = 0; i < types_.size(); ++i) {
    const TypeInfo &t = types_.at(static_cast<TypeId>(i));
    w.varint(static_cast<std::uint8_t>(t.kind));
    w.varint(t.wire_size);
    w.string(t.name);
    w.varint(t.element == SNOW_NO_TYPE ? 0 : std::uint64_t{t.element} + 1);
    w.varint(t.count);
    w.varint(t.fields.size());
    for (const FieldInfo &f : t.fields) {
      w.string(f.name);
      w.varint(f.type);
    }
  }
  w.varint(function_names_.size());
  for (std::size_t i = 0; i < function_names_.size(); ++i) {
    w.string(function_names_[i]);
    w.varint(resume_views_[i].size());
    for (TypeId v : resume_views_[i]) w.varint(v);
  }
  w.varint(globals_.size());
  for (const GlobalInfo &g : globals_) {
    w.string(g.name);
    w.varint(g.type);
    w.varint(g.count);
  }
  w.varint(extra_.size());
  w.bytes.insert(w.bytes.end(), extra_.begin(), extra_.end());
  return w.bytes;
}

void Program::write_description(ChunkWriter &out) const {
  out.put_string(name_);
  const std::vector<unsigned char> bytes = canonical_bytes();
  out.put_varint(bytes.size());
  out.put_bytes(bytes.data(), bytes.size());
}

namespace {

// Reads canonical fields back, with every count and id checked.
class CanonicalReader {
public:
  explicit CanonicalReader(const std::vector<unsigned char> &b) : b_(b) {}
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
      if (pos_ >= b_.size()) bad("ends early");
      const unsigned char c = b_[pos_++];
      v |= static_cast<std::uint64_t>(c & 0x7f) << shift;
      if ((c & 0x80) == 0) return v;
    }
    bad("has an over-long varint");
  }
  std::uint64_t bounded(std::uint64_t max, const char *what) {
    const std::uint64_t v = varint();
    if (v > max) bad(std::string("has ") + what + " " + std::to_string(v) + " above " + std::to_string(max));
    return v;
  }
  std::string string() {
    const std::uint64_t n = bounded(wire::kMaxStringLength, "a name length");
    if (b_.size() - pos_ < n) bad("ends early");
    std::string s(reinterpret_cast<const char *>(b_.data() + pos_), static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }
  std::size_t remaining() const { return b_.size() - pos_; }
  const unsigned char *here() const { return b_.data() + pos_; }
  void skip(std::size_t n) { pos_ += n; }
  [[noreturn]] static void bad(const std::string &what) {
    throw StateError(StateErrorCode::MalformedRecord, "the stream's program description " + what);
  }

private:
  const std::vector<unsigned char> &b_;
  std::size_t pos_ = 0;
};

} // namespace

Program Program::read_description(ChunkReader &in) {
  Program p;
  p.name_ = in.get_string(wire::kMaxStringLength);
  const std::uint64_t size = in.get_varint();
  if (size > 64 * 1024 * 1024)
    throw StateError(StateErrorCode::LimitExceeded, "the stream's program description is " + std::to_string(size) + " bytes");
  // Read in pieces: a declared size is only believed as far as bytes arrive.
  std::vector<unsigned char> bytes;
  for (std::uint64_t done = 0; done < size;) {
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, 64 * 1024));
    bytes.resize(bytes.size() + piece);
    in.get_bytes(bytes.data() + done, piece);
    done += piece;
  }

  CanonicalReader r(bytes);
  const std::uint64_t type_count = r.bounded(wire::kMaxNameCount, "a type count");
  std::vector<TypeInfo> types;
  for (std::uint64_t i = 0; i < type_count; ++i) {
    TypeInfo t;
    t.kind = static_cast<Kind>(r.bounded(255, "a kind"));
    t.wire_size = static_cast<std::uint32_t>(r.bounded(8, "a wire size"));
    t.name = r.string();
    const std::uint64_t element = r.bounded(type_count, "an element type");
    t.element = element == 0 ? SNOW_NO_TYPE : static_cast<TypeId>(element - 1);
    t.count = r.bounded(std::uint64_t{1} << 40, "an array count");
    const std::uint64_t fields = r.bounded(65536, "a field count");
    for (std::uint64_t f = 0; f < fields; ++f) {
      FieldInfo fi;
      fi.name = r.string();
      fi.type = static_cast<TypeId>(r.bounded(type_count, "a field type"));
      t.fields.push_back(std::move(fi));
    }
    types.push_back(std::move(t));
  }
  try {
    p.types_ = TypeTable::synthesize(std::move(types));
  } catch (const StateError &e) {
    throw StateError(StateErrorCode::MalformedRecord, std::string("the stream's program description is invalid: ") + e.what());
  }
  const std::uint64_t functions = r.bounded(wire::kMaxNameCount, "a function count");
  for (std::uint64_t i = 0; i < functions; ++i) {
    p.function_names_.push_back(r.string());
    p.function_addresses_.push_back(nullptr);
    const std::uint64_t views = r.bounded(1u << 20, "a resume point count");
    std::vector<TypeId> ids;
    for (std::uint64_t v = 0; v < views; ++v) {
      const auto view = static_cast<TypeId>(r.bounded(type_count ? type_count - 1 : 0, "a resume view type"));
      if (type_count == 0 || p.types_.at(view).kind != Kind::Struct)
        CanonicalReader::bad("has a resume point whose locals are not a struct");
      ids.push_back(view);
    }
    p.resume_views_.push_back(std::move(ids));
  }
  const std::uint64_t globals = r.bounded(wire::kMaxNameCount, "a global count");
  for (std::uint64_t i = 0; i < globals; ++i) {
    GlobalInfo g;
    g.name = r.string();
    g.type = static_cast<TypeId>(r.bounded(type_count ? type_count - 1 : 0, "a global's type"));
    if (type_count == 0) CanonicalReader::bad("has a global but no types");
    g.count = r.bounded(std::uint64_t{1} << 40, "a global's count");
    p.globals_.push_back(std::move(g));
  }
  const std::uint64_t extra = r.varint();
  if (extra > r.remaining()) CanonicalReader::bad("has an extra size of " + std::to_string(extra) + " bytes but only " +
                                                  std::to_string(r.remaining()) + " remain");
  p.extra_.assign(r.here(), r.here() + extra);
  r.skip(static_cast<std::size_t>(extra));
  if (r.remaining() != 0) CanonicalReader::bad("has trailing bytes");
  p.fingerprint_ = hash64(bytes);
  return p;
}

std::int64_t Program::function_id(snow_function_address address) const {
  auto it = function_ids_.find(reinterpret_cast<std::uintptr_t>(address));
  return it == function_ids_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

std::string Program::explain_difference(const Program &mine, const Program &theirs) {
  if (mine.types_.size() != theirs.types_.size())
    return "this program has " + std::to_string(mine.types_.size()) + " types, the stream's has " +
           std::to_string(theirs.types_.size());
  for (std::size_t i = 0; i < mine.types_.size(); ++i) {
    const TypeInfo &a = mine.types_.at(static_cast<TypeId>(i));
    const TypeInfo &b = theirs.types_.at(static_cast<TypeId>(i));
    if (a.name != b.name) return "type #" + std::to_string(i) + " is '" + a.name + "' here but '" + b.name + "' in the stream";
    if (a.kind != b.kind || a.wire_size != b.wire_size || a.count != b.count || a.element != b.element)
      return "type '" + a.name + "' is defined differently in the stream";
    if (a.fields.size() != b.fields.size())
      return "'" + a.name + "' has " + std::to_string(a.fields.size()) + " fields here, " +
             std::to_string(b.fields.size()) + " in the stream";
    for (std::size_t f = 0; f < a.fields.size(); ++f)
      if (a.fields[f].name != b.fields[f].name || a.fields[f].type != b.fields[f].type)
        return "field " + std::to_string(f) + " of '" + a.name + "' is '" + a.fields[f].name + "' here but '" +
               b.fields[f].name + "' in the stream";
  }
  if (mine.function_names_ != theirs.function_names_) return "the function tables differ";
  if (mine.resume_views_ != theirs.resume_views_) return "the resume points of the migratable functions differ";
  if (mine.globals_.size() != theirs.globals_.size()) return "the global tables differ in length";
  for (std::size_t i = 0; i < mine.globals_.size(); ++i)
    if (mine.globals_[i].name != theirs.globals_[i].name || mine.globals_[i].type != theirs.globals_[i].type ||
        mine.globals_[i].count != theirs.globals_[i].count)
      return "global #" + std::to_string(i) + " is '" + mine.globals_[i].name + "' here but '" +
             theirs.globals_[i].name + "' in the stream";
  if (mine.extra_ != theirs.extra_) return "the poll-point tables (extra bytes) differ";
  return "the descriptions differ";
}

} // namespace snow::msr
