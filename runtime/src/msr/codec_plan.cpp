#include "codec_plan.hpp"

namespace snow::msr {

namespace {

class PlanBuilder {
public:
  PlanBuilder(const TypeTable &types, bool swap) : types_(types), swap_(swap) {}

  void add(TypeId type, std::uint64_t offset, CodecPlan &out, bool raw_scalars) {
    const TypeInfo &t = types_.at(type);
    switch (t.kind) {
    case Kind::Signed:
    case Kind::Unsigned:
    case Kind::Bool:
    case Kind::Float:
      add_scalars(t, raw_scalars, offset, 1, t.size, out);
      return;
    case Kind::Pointer:
      append(out, {PlanOp::Code::Pointers, t.kind, 0, 0, 0, offset, 1, t.size, t.element});
      return;
    case Kind::Function:
      append(out, {PlanOp::Code::Functions, t.kind, 0, 0, 0, offset, 1, t.size, SNOW_NO_TYPE});
      return;
    case Kind::Array: {
      if (t.count == 0) return;
      const TypeInfo &e = types_.at(t.element);
      if (is_scalar(e.kind) && e.kind != Kind::Pointer && e.kind != Kind::Function) {
        add_scalars(e, raw_scalars, offset, t.count, e.size, out);
        return;
      }
      if (e.kind == Kind::Pointer || e.kind == Kind::Function) {
        const auto code = e.kind == Kind::Pointer ? PlanOp::Code::Pointers : PlanOp::Code::Functions;
        append(out, {code, e.kind, 0, 0, 0, offset, t.count, e.size, e.element});
        return;
      }
      if (t.count == 1) {
        add(t.element, offset, out, raw_scalars);
        return;
      }
      CodecPlan body;
      add(t.element, 0, body, raw_scalars);
      if (body.empty()) return;
      if (body.size() == 1 && body[0].code == PlanOp::Code::Bytes && body[0].offset == 0 &&
          body[0].count == e.size) {
        append(out, {PlanOp::Code::Bytes, Kind::Unsigned, 0, 0, 0, offset, t.count * e.size, 0, SNOW_NO_TYPE});
        return;
      }
      if (body.size() == 1 && body[0].code == PlanOp::Code::Scalars && body[0].offset == 0 &&
          body[0].stride == body[0].native_size && body[0].count * body[0].stride == e.size) {
        PlanOp run = body[0];  // structs of same-width scalars, no padding: one run
        run.offset = offset;
        run.count *= t.count;
        append(out, run);
        return;
      }
      PlanOp repeat{PlanOp::Code::Repeat, Kind::Unsigned, 0, 0, static_cast<std::uint32_t>(body.size()),
                    offset, t.count, e.size, SNOW_NO_TYPE};
      out.push_back(repeat);
      out.insert(out.end(), body.begin(), body.end());
      return;
    }
    case Kind::Struct:
      for (const FieldInfo &f : t.fields) add(f.type, offset + f.offset, out, raw_scalars);
      return;
    case Kind::Union:
      // Members share one shape (validated); its scalars travel as raw bits.
      add(t.fields[0].type, offset, out, true);
      return;
    case Kind::Unsupported:
      return;  // unreachable: unmovable types are refused before planning
    }
  }

private:
  void add_scalars(const TypeInfo &e, bool raw, std::uint64_t offset, std::uint64_t count,
                   std::uint64_t stride, CodecPlan &out) {
    const bool verbatim = e.size == e.wire_size && (!swap_ || e.size == 1) && (raw || e.kind != Kind::Bool);
    if (verbatim) {
      append(out, {PlanOp::Code::Bytes, Kind::Unsigned, 0, 0, 0, offset, count * e.size, 0, SNOW_NO_TYPE});
    } else {
      const Kind kind = raw ? Kind::Unsigned : e.kind;
      append(out, {PlanOp::Code::Scalars, kind, static_cast<std::uint8_t>(e.size),
                   static_cast<std::uint8_t>(e.wire_size), 0, offset, count, stride, SNOW_NO_TYPE});
    }
  }

  // Appends `op`, merging it into the previous run when they are contiguous.
  static void append(CodecPlan &out, PlanOp op) {
    if (!out.empty()) {
      PlanOp &last = out.back();
      // A Repeat's body is not contiguous with what follows it in `out`.
      const bool last_is_body = out.size() >= 2 && ends_repeat_body(out);
      if (!last_is_body && last.code == op.code) {
        if (op.code == PlanOp::Code::Bytes && last.offset + last.count == op.offset) {
          last.count += op.count;
          return;
        }
        // Pointers merge only with pointers to the same type: the encoder
        // resolves an address that ends one block and starts the next by
        // the pointee type (state_encoder.cpp), so a run must not lend one
        // pointer's pointee to its neighbour.
        if (op.code != PlanOp::Code::Bytes && op.code != PlanOp::Code::Repeat && last.kind == op.kind &&
            last.native_size == op.native_size && last.wire_size == op.wire_size &&
            last.stride == op.stride && last.pointee == op.pointee &&
            last.offset + last.count * last.stride == op.offset) {
          last.count += op.count;
          return;
        }
      }
    }
    out.push_back(op);
  }

  // True when the last op of `out` is the final op of some Repeat body.
  static bool ends_repeat_body(const CodecPlan &out) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i].code == PlanOp::Code::Repeat && i + out[i].body == out.size() - 1) return true;
    }
    return false;
  }

  const TypeTable &types_;
  bool swap_;
};

} // namespace

CodecPlan build_plan(const TypeTable &types, TypeId type, bool swap) {
  CodecPlan plan;
  PlanBuilder(types, swap).add(type, 0, plan, false);
  return plan;
}

const CodecPlan &PlanCache::build(TypeId type) {
  if (entries_.size() != types_->size()) entries_.assign(types_->size(), {});
  Entry &e = entries_.at(type);
  if (!e.built) {
    e.plan = build_plan(*types_, type, swap_);
    e.built = true;
  }
  return e.plan;
}

} // namespace snow::msr
