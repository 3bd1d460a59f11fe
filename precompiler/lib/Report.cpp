#include "Report.h"

#include <sstream>

namespace snow::precompile {

namespace {
std::string q(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (c < 0x20) {
        char b[8];
        std::snprintf(b, sizeof b, "\\u%04x", c);
        out += b;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "\"";
}
const char *mode_name(PollMode m) {
  return m == PollMode::Directives ? "directives" : m == PollMode::Automatic ? "auto" : "both";
}
} // namespace

std::string report_json(const std::string &program, PollMode mode, const std::vector<UnitReport> &units,
                        const std::vector<std::pair<std::string, std::string>> &outputs, const ProgramFacts &facts,
                        const MigrationPlan &plan, const DiagnosticLog &log) {
  std::ostringstream o;
  o << "{\n  \"version\": 1,\n  \"program\": " << q(program) << ",\n  \"poll_point_mode\": \"" << mode_name(mode) << "\",\n";
  o << "  \"units\": [";
  for (std::size_t i = 0; i < outputs.size(); ++i)
    o << (i ? ", " : "") << "{\"source\": " << q(outputs[i].first) << ", \"output\": " << q(outputs[i].second) << "}";
  o << "],\n  \"migratable_functions\": [";
  bool first = true;
  for (const std::string &k : plan.migratable) {
    const FunctionFacts &f = facts.functions.at(k);
    o << (first ? "" : ", ") << "\n    {\"name\": " << q(f.name) << ", \"key\": " << q(k) << ", \"file\": " << q(f.file)
      << ", \"line\": " << f.line << ", \"calls\": [";
    bool fc = true;
    for (const std::string &c : f.callees)
      if (plan.migratable.count(c)) {
        o << (fc ? "" : ", ") << q(facts.functions.at(c).name);
        fc = false;
      }
    o << "]}";
    first = false;
  }
  o << "\n  ],\n  \"poll_points\": [";
  first = true;
  for (const UnitReport &u : units)
    for (const ResumePointReport &r : u.resume_points) {
      if (r.kind == "call") continue;
      o << (first ? "" : ",") << "\n    {\"file\": " << q(r.file) << ", \"line\": " << r.line << ", \"column\": " << r.column
        << ", \"function\": " << q(r.function) << ", \"source\": \"" << (r.kind == "poll (automatic)" ? "automatic" : "directive")
        << "\", \"resume_point\": " << r.index << ", \"live\": [";
      for (std::size_t i = 0; i < r.live.size(); ++i) o << (i ? ", " : "") << q(r.live[i]);
      o << "]}";
      first = false;
    }
  o << "\n  ],\n  \"cutoffs\": [";
  first = true;
  for (const UnitReport &u : units)
    for (const CutoffReport &c : u.cutoffs) {
      o << (first ? "" : ",") << "\n    {\"function\": " << q(c.function) << ", \"file\": " << q(c.file)
        << ", \"line\": " << c.line << ", \"column\": " << c.column << ", \"condition\": " << q(c.condition)
        << ", \"plain\": [";
      for (std::size_t i = 0; i < c.plain.size(); ++i) o << (i ? ", " : "") << q(c.plain[i]);
      o << "]}";
      first = false;
    }
  o << "\n  ],\n  \"resume_points\": [";
  first = true;
  for (const UnitReport &u : units)
    for (const ResumePointReport &r : u.resume_points) {
      o << (first ? "" : ",") << "\n    {\"function\": " << q(r.function) << ", \"index\": " << r.index
        << ", \"kind\": " << q(r.kind) << ", \"file\": " << q(r.file) << ", \"line\": " << r.line
        << ", \"column\": " << r.column;
      if (!r.callee.empty()) o << ", \"callee\": " << q(r.callee);
      o << ", \"live\": [";
      for (std::size_t i = 0; i < r.live.size(); ++i) o << (i ? ", " : "") << q(r.live[i]);
      o << "]}";
      first = false;
    }
  o << "\n  ],\n  \"diagnostics\": [";
  first = true;
  for (const Diagnostic &d : log.all()) {
    const char *sev = d.severity == Diagnostic::Severity::Error ? "error"
                      : d.severity == Diagnostic::Severity::Warning ? "warning" : "note";
    o << (first ? "" : ",") << "\n    {\"severity\": \"" << sev << "\", \"code\": " << q(d.code) << ", \"file\": " << q(d.file)
      << ", \"line\": " << d.line << ", \"column\": " << d.column << ", \"message\": " << q(d.message) << "}";
    first = false;
  }
  o << "\n  ]\n}\n";
  return o.str();
}

} // namespace snow::precompile
