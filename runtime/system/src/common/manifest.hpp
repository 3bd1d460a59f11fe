// The build's manifest of migratable programs (<build>/snow-migratable-targets.json,
// written by snow_add_migratable_executable()): for each program, its
// executable on each platform.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snow::system {

struct MigratableProgram {
  std::string name;
  std::map<std::string, std::string> executables; // platform → path
};

class Manifest {
public:
  Manifest() = default;
  // Throws std::runtime_error naming the file and the problem.
  static Manifest load(const std::string &path);

  // By target name ("snow-migratable-linpack"), its short name ("linpack"),
  // or the path of one of its executables.
  const MigratableProgram *find(const std::string &program) const;
  const std::vector<MigratableProgram> &programs() const { return programs_; }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::vector<MigratableProgram> programs_;
};

} // namespace snow::system
