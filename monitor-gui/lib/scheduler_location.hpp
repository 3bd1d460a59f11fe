// Where the scheduler listens and its token, as the CLI finds them
// (docs/protocol.md): <state-dir>/scheduler.json and <state-dir>/token,
// <state-dir> being $XDG_RUNTIME_DIR/snow or /tmp/snow-<uid>.
#pragma once

#include <QString>

namespace snow::monitor {

struct SchedulerLocation {
  QString stateDir;  // empty: the default
  QString tokenFile; // empty: <state-dir>/token
  QString host = QStringLiteral("127.0.0.1");
  int port = 0; // 0: from scheduler.json, re-read at every connection

  static QString defaultStateDir();
  QString effectiveStateDir() const;
  QString effectiveTokenFile() const;
  // The port and listen address from scheduler.json; false when it cannot be read.
  bool resolve(QString *address, int *resolvedPort, QString *error) const;
  // The token file's first line; empty when it cannot be read.
  QString readToken(QString *error = nullptr) const;
};

} // namespace snow::monitor
