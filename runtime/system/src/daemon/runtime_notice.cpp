#include "runtime_notice.hpp"

#include <regex>

namespace snow::system {

RuntimeNotice parse_runtime_notice(const std::string &text) {
  RuntimeNotice notice;
  if (text.compare(0, 6, "snow: ") != 0)
    return notice;
  std::string line = text;
  if (!line.empty() && line.back() == '\n')
    line.pop_back();
  static const std::regex written(R"(snow: checkpoint written to '(.*)' at poll-point \d+)");
  static const std::regex failed(
      R"(snow: checkpoint at poll-point \d+ failed, the program continues: (.*))");
  static const std::regex restarting(R"(snow: restarting from '(.*)' \(written on .*\))");
  static const std::regex restarted(R"(snow: restarted from '(.*)' at depth \d+)");
  static const std::regex polls(R"(snow: exiting after (\d+) poll-points)");
  static const std::regex live(
      R"(snow: (restarting from the migration from \S+ \(written on .*\)|restarted from the migration from \S+ at depth \d+|migrated to \S+ \(\d+ bytes\) at poll-point \d+|migration at poll-point \d+ failed, the program continues here: (.*)))");
  std::smatch m;
  if (std::regex_match(line, m, written))
    notice = {RuntimeNotice::CheckpointWritten, m[1], 0};
  else if (std::regex_match(line, m, failed))
    notice = {RuntimeNotice::CheckpointFailed, m[1], 0};
  else if (std::regex_match(line, m, live))
    notice = {RuntimeNotice::LiveMigration, m[2], 0};
  else if (std::regex_match(line, m, restarting))
    notice = {RuntimeNotice::Restarting, m[1], 0};
  else if (std::regex_match(line, m, restarted))
    notice = {RuntimeNotice::Restarted, m[1], 0};
  else if (std::regex_match(line, m, polls))
    notice = {RuntimeNotice::PollCount, "", std::stoull(m[1])};
  return notice;
}

} // namespace snow::system
