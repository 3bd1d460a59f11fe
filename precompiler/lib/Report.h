// The JSON report of a precompilation: what the IDE and the scheduler read.
#pragma once

#include "Diagnostics.h"
#include "MigrationPlan.h"
#include "UnitRewriter.h"

#include <string>
#include <vector>

namespace snow::precompile {

std::string report_json(const std::string &program, PollMode mode, const std::vector<UnitReport> &units,
                        const std::vector<std::pair<std::string, std::string>> &outputs, const ProgramFacts &facts,
                        const MigrationPlan &plan, const DiagnosticLog &log);

} // namespace snow::precompile
