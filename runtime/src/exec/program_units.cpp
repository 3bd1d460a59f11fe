#include "program_units.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace snow::exec {

namespace {

// The canonical identity of a type once its references are program-wide ids.
std::string type_key(const snow_type_desc &t, const std::vector<snow_field_desc> &fields) {
  std::string key = std::to_string(t.kind) + '|' + std::to_string(t.wire_size) + '|' + t.name + '|' +
                    std::to_string(t.count) + '|';
  if (t.kind == SNOW_KIND_ARRAY) key += std::to_string(t.element);
  for (const snow_field_desc &f : fields) key += '|' + std::string(f.name) + ':' + std::to_string(f.type);
  return key;
}

[[noreturn]] void throw_unit_error(const snow_program_desc &unit, const snow_type_desc &t, const char *what) {
  throw std::runtime_error(std::string("unit '") + unit.name + "': type '" + (t.name ? t.name : "?") + "' has " + what);
}

} // namespace

ProgramUnits &registered_units() {
  static ProgramUnits units;
  return units;
}

const snow_program_desc &ProgramUnits::merge(const char *program_name) {
  // The runtime's unit is named with a leading '\x01' so it sorts first.
  std::vector<const snow_unit_desc *> order = units_;
  std::stable_sort(order.begin(), order.end(), [](const snow_unit_desc *a, const snow_unit_desc *b) {
    return std::strcmp(a->program.name, b->program.name) < 0;
  });

  std::unordered_map<std::string, snow_type_id> by_key;
  std::map<std::string, std::uint32_t> function_by_name;
  std::unordered_map<const void *, std::size_t> global_by_address;

  // Field and element types precede their container in every unit (only a
  // pointer's target may come later), so one pass maps them; pointer targets
  // are mapped in a second pass, once every unit's ids are known.
  for (const snow_unit_desc *unit : order) {
    const snow_program_desc &u = unit->program;
    for (std::size_t i = 0; i < u.type_count; ++i) {
      snow_type_desc t = u.types[i];
      std::vector<snow_field_desc> fields(t.fields, t.fields + t.field_count);
      for (snow_field_desc &f : fields) {
        if (f.type >= i) throw_unit_error(u, t, "a field type that is not defined before it");
        f.type = unit->type_ids[f.type];
      }
      if (t.kind == SNOW_KIND_ARRAY) {
        if (t.element >= i) throw_unit_error(u, t, "an element type that is not defined before it");
        t.element = unit->type_ids[t.element];
      }
      const std::string key = type_key(t, fields);
      auto it = by_key.find(key);
      if (it != by_key.end()) {
        unit->type_ids[i] = it->second;
        continue;
      }
      const auto id = static_cast<snow_type_id>(types_.size());
      by_key.emplace(key, id);
      unit->type_ids[i] = id;
      fields_.push_back(std::move(fields));
      t.fields = fields_.back().data();
      types_.push_back(t);
      pointer_source_.push_back(t.kind == SNOW_KIND_POINTER ? unit : nullptr);
    }
  }
  for (std::size_t id = 0; id < types_.size(); ++id) {
    snow_type_desc &t = types_[id];
    const snow_unit_desc *unit = pointer_source_[id];
    if (unit != nullptr && t.element != SNOW_NO_TYPE) {
      if (t.element >= unit->program.type_count) throw_unit_error(unit->program, t, "a pointer to an unknown type");
      t.element = unit->type_ids[t.element];
    }
  }

  for (const snow_unit_desc *unit : order) {
    const snow_program_desc &u = unit->program;
    for (std::size_t i = 0; i < u.function_count; ++i) {
      const snow_function_desc &f = u.functions[i];
      auto it = function_by_name.find(f.name);
      if (it != function_by_name.end()) {
        unit->function_ids[i] = it->second;
        continue;
      }
      const auto id = static_cast<std::uint32_t>(functions_.size());
      function_by_name.emplace(f.name, id);
      unit->function_ids[i] = id;
      views_.emplace_back();
      for (std::size_t r = 0; r < f.resume_count; ++r) views_.back().push_back(unit->type_ids[f.resume_views[r]]);
      functions_.push_back({f.name, f.address, views_.back().data(), views_.back().size()});
    }
    for (std::size_t i = 0; i < u.global_count; ++i) {
      snow_global_desc g = u.globals[i];
      if (global_by_address.count(g.address)) continue;
      g.type = unit->type_ids[g.type];
      global_by_address.emplace(g.address, globals_.size());
      globals_.push_back(g);
    }
    const auto *extra = static_cast<const unsigned char *>(u.extra);
    extra_.insert(extra_.end(), extra, extra + u.extra_size);
  }

  name_ = program_name ? program_name : "";
  merged_ = {name_.c_str(), types_.data(), types_.size(), functions_.data(), functions_.size(),
             globals_.data(), globals_.size(), extra_.data(), extra_.size()};
  return merged_;
}

} // namespace snow::exec
