// Merging the translation units of a program into one program description.
//
// Each precompiled .c file describes only what it sees, with unit-local ids.
// At start-up the units are merged in a fixed order (the runtime's own unit
// first, then the program's sorted by name) so that every platform's build
// of the program ends up with the same type, function and global tables —
// and the same fingerprint. Types are shared between units when their
// canonical descriptions agree; functions by name; globals by address (a
// tentative definition seen by several units is one global).
#pragma once

#include "snow/exec.h"

#include <deque>
#include <string>
#include <vector>

namespace snow::exec {

class ProgramUnits {
public:
  void add(const snow_unit_desc *unit) { units_.push_back(unit); }
  std::size_t size() const { return units_.size(); }

  // Merges the units (filling their id maps) and returns the program
  // description; it points into this object, which must outlive its use.
  // Throws std::runtime_error naming the unit if its tables are out of order.
  const snow_program_desc &merge(const char *program_name);

private:
  std::vector<const snow_unit_desc *> units_;
  // Storage for the merged description.
  std::vector<snow_type_desc> types_;
  std::vector<const snow_unit_desc *> pointer_source_;  // per merged pointer type: the unit it came from
  std::deque<std::vector<snow_field_desc>> fields_;
  std::deque<std::vector<snow_type_id>> views_;
  std::vector<snow_function_desc> functions_;
  std::vector<snow_global_desc> globals_;
  std::vector<unsigned char> extra_;
  std::string name_;
  snow_program_desc merged_{};
};

// The units registered by constructors before main.
ProgramUnits &registered_units();

} // namespace snow::exec
