#include "manifest.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>

namespace snow::system {

Manifest Manifest::load(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("cannot open the manifest '" + path + "'");
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("targets") ||
      !doc["targets"].is_array())
    throw std::runtime_error("the manifest '" + path +
                             "' is not a JSON object with a 'targets' array");
  Manifest manifest;
  manifest.path_ = path;
  for (const nlohmann::json &target : doc["targets"]) {
    if (!target.is_object() || !target.contains("name") || !target["name"].is_string() ||
        !target.contains("executables") || !target["executables"].is_object())
      throw std::runtime_error("the manifest '" + path +
                               "' has a target without 'name' and 'executables'");
    MigratableProgram program;
    program.name = target["name"].get<std::string>();
    for (const auto &[platform, exe] : target["executables"].items())
      if (exe.is_string())
        program.executables[platform] = exe.get<std::string>();
    manifest.programs_.push_back(std::move(program));
  }
  return manifest;
}

const MigratableProgram *Manifest::find(const std::string &program) const {
  for (const MigratableProgram &p : programs_) {
    if (p.name == program || p.name == "snow-migratable-" + program)
      return &p;
    for (const auto &[platform, exe] : p.executables)
      if (exe == program)
        return &p;
  }
  return nullptr;
}

} // namespace snow::system
