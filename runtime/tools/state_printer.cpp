#include "state_printer.hpp"

#include "msr/byte_order.hpp"
#include "msr/logical_address.hpp"

#include <algorithm>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <vector>

namespace snow::tools {

using namespace snow::msr;

namespace {

std::string json_string(const std::string &s) {
  std::ostringstream o;
  o << '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') o << '\\' << c;
    else if (c < 0x20 || c >= 0x7f) o << "\\u" << std::hex << std::setw(4) << std::setfill('0') << int(c) << std::dec;
    else o << c;
  }
  o << '"';
  return o.str();
}

const char *origin_name(wire::Origin o) {
  switch (o) {
  case wire::Origin::Heap: return "heap";
  case wire::Origin::Global: return "global";
  case wire::Origin::Stack: return "stack";
  case wire::Origin::External: return "external";
  }
  return "?";
}

class Printer {
public:
  Printer(const StateDecoder &d, std::ostream &out, const PrintOptions &o)
      : d_(d), types_(d.program().types()), out_(out), o_(o) {
    for (std::size_t i = 0; i < d.block_count(); ++i) by_address_.push_back({d.block(i).address, i});
    std::sort(by_address_.begin(), by_address_.end());
  }

  void print() {
    const StreamInfo &info = d_.info();
    const char *order = info.data_order == ByteOrder::Big ? "big" : "little";
    if (o_.json) {
      out_ << "{\n  \"program\": " << json_string(info.program_name) << ",\n  \"fingerprint\": \"" << std::hex
           << std::setw(16) << std::setfill('0') << info.fingerprint << std::dec << "\",\n  \"source\": {\"platform\": "
           << json_string(info.source.name) << ", \"byte_order\": \"" << order << "\", \"long_size\": "
           << int(info.source.long_size) << ", \"pointer_size\": " << int(info.source.pointer_size)
           << "},\n  \"stream_bytes\": " << d_.stream_bytes() << ",\n";
      if (o_.show_types) print_types_json();
      out_ << "  \"blocks\": [\n";
    } else {
      out_ << "program     " << info.program_name << "\nfingerprint " << std::hex << std::setw(16) << std::setfill('0')
           << info.fingerprint << std::dec << "\nsource      " << info.source.name << " (" << order << "-endian, long "
           << int(info.source.long_size) << ", pointer " << int(info.source.pointer_size) << ")\nstream      "
           << d_.stream_bytes() << " bytes, " << d_.block_count() << " blocks\n\n";
    }
    for (std::size_t i = 0; i < d_.block_count(); ++i) print_block(i, i + 1 == d_.block_count());
    if (o_.json) out_ << "  ]\n}\n";
  }

private:
  void print_types_json() {
    out_ << "  \"types\": [\n";
    for (std::size_t i = 0; i < types_.size(); ++i) {
      const TypeInfo &t = types_.at(static_cast<TypeId>(i));
      out_ << "    {\"id\": " << i << ", \"name\": " << json_string(t.name) << ", \"kind\": \"" << to_string(t.kind) << "\"";
      if (is_scalar(t.kind) && t.wire_size) out_ << ", \"wire_size\": " << t.wire_size;
      if (t.kind == Kind::Array) out_ << ", \"element\": " << t.element << ", \"count\": " << t.count;
      if (!t.fields.empty()) {
        out_ << ", \"fields\": [";
        for (std::size_t f = 0; f < t.fields.size(); ++f)
          out_ << (f ? ", " : "") << "{\"name\": " << json_string(t.fields[f].name) << ", \"type\": " << t.fields[f].type << "}";
        out_ << "]";
      }
      out_ << "}" << (i + 1 < types_.size() ? "," : "") << "\n";
    }
    out_ << "  ],\n";
  }

  std::string block_name(const DecodedBlock &b, std::size_t id) const {
    if (b.origin == wire::Origin::Global && b.key < d_.program().globals().size()) return d_.program().globals()[b.key].name;
    if (b.origin == wire::Origin::Stack) return "stack key " + std::to_string(b.key);
    return "heap #" + std::to_string(id);
  }

  void print_block(std::size_t id, bool last) {
    const DecodedBlock b = d_.block(id);
    const TypeInfo &t = types_.at(b.type);
    if (o_.json) {
      out_ << "    {\"id\": " << id << ", \"origin\": \"" << origin_name(b.origin) << "\", \"name\": "
           << json_string(block_name(b, id)) << ", \"type\": " << json_string(t.name) << ", \"count\": " << b.count
           << ", \"root\": " << (b.root ? "true" : "false") << ", \"values\": ";
    } else {
      out_ << "#" << id << " " << origin_name(b.origin) << " " << block_name(b, id) << ": " << t.name;
      if (b.count != 1) out_ << "[" << b.count << "]";
      out_ << (b.root ? " (root)" : "") << "\n  = ";
    }
    const auto *base = reinterpret_cast<const unsigned char *>(b.address);
    if (b.count == 1) {
      value(b.type, base);
    } else {
      out_ << "[";
      sequence(b.type, base, b.count);
      out_ << "]";
    }
    if (o_.json) out_ << "}" << (last ? "" : ",") << "\n";
    else out_ << "\n";
  }

  void sequence(TypeId elem, const unsigned char *base, std::uint64_t count) {
    const std::uint64_t shown = o_.max_elements ? std::min(count, o_.max_elements) : count;
    const TypeInfo &e = types_.at(elem);
    if (e.name == "char" && e.size == 1 && !o_.json) {  // text reads better as a string
      std::string s(reinterpret_cast<const char *>(base), static_cast<std::size_t>(count));
      out_ << json_string(s.substr(0, s.find('\0')));
      return;
    }
    for (std::uint64_t i = 0; i < shown; ++i) {
      if (i) out_ << ", ";
      value(elem, base + i * e.size);
    }
    if (shown < count) out_ << (o_.json ? ", \"… " : ", … ") << (count - shown) << " more" << (o_.json ? "\"" : "");
  }

  void value(TypeId type, const unsigned char *p) {
    const TypeInfo &t = types_.at(type);
    const ByteOrder native = native_byte_order();
    switch (t.kind) {
    case Kind::Signed: {
      const std::uint64_t v = load_unsigned(p, static_cast<unsigned>(t.size), native);
      const unsigned shift = 64 - 8 * static_cast<unsigned>(t.size);
      out_ << (static_cast<std::int64_t>(v << shift) >> shift);
      break;
    }
    case Kind::Unsigned: out_ << load_unsigned(p, static_cast<unsigned>(t.size), native); break;
    case Kind::Bool: out_ << (*p ? "true" : "false"); break;
    case Kind::Float:
      if (t.size == 4) {
        float f;
        std::memcpy(&f, p, 4);
        out_ << std::setprecision(9) << f;
      } else {
        double v;
        std::memcpy(&v, p, 8);
        out_ << std::setprecision(17) << v;
      }
      break;
    case Kind::Pointer: {
      std::uintptr_t v;
      std::memcpy(&v, p, sizeof v);
      out_ << (o_.json ? "\"" : "") << pointer_text(v) << (o_.json ? "\"" : "");
      break;
    }
    case Kind::Function: {
      std::uintptr_t v;
      std::memcpy(&v, p, sizeof v);
      std::string text = v == 0 ? "NULL" : v <= d_.program().function_count() ? "&" + d_.program().function_name(static_cast<std::uint32_t>(v - 1)) : "?";
      out_ << (o_.json ? json_string(text) : text);
      break;
    }
    case Kind::Array:
      out_ << "[";
      sequence(t.element, p, t.count);
      out_ << "]";
      break;
    case Kind::Struct:
    case Kind::Union:
      out_ << "{";
      for (std::size_t f = 0; f < t.fields.size(); ++f) {
        out_ << (f ? ", " : "") << (o_.json ? json_string(t.fields[f].name) + ": " : "." + t.fields[f].name + " = ");
        value(t.fields[f].type, p + t.fields[f].offset);
        if (t.kind == Kind::Union) break;
      }
      out_ << "}";
      break;
    case Kind::Unsupported: out_ << (o_.json ? "null" : "?"); break;
    }
  }

  std::string pointer_text(std::uintptr_t v) const {
    if (v == 0) return "NULL";
    auto it = std::upper_bound(by_address_.begin(), by_address_.end(), std::make_pair(v, ~std::size_t{0}));
    while (it != by_address_.begin()) {
      --it;
      const DecodedBlock b = d_.block(it->second);
      const std::uint64_t bytes = b.count * types_.at(b.type).size;
      if (v - b.address <= bytes) {
        const std::uint64_t logical = logical_from_native(types_, b.type, b.count, v - b.address);
        std::string s = "#" + std::to_string(it->second);
        if (logical) s += "+" + std::to_string(logical / 2) + (logical & 1 ? "'" : "");
        return s;
      }
      break;
    }
    return "?";
  }

  const StateDecoder &d_;
  const TypeTable &types_;
  std::ostream &out_;
  const PrintOptions &o_;
  std::vector<std::pair<std::uintptr_t, std::size_t>> by_address_;
};

} // namespace

void print_state(const StateDecoder &decoder, std::ostream &out, const PrintOptions &options) {
  Printer(decoder, out, options).print();
}

} // namespace snow::tools
