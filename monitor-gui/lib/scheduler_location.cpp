#include "scheduler_location.hpp"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <unistd.h>

namespace snow::monitor {

QString SchedulerLocation::defaultStateDir() {
  const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
  if (!runtime.isEmpty())
    return QString::fromLocal8Bit(runtime) + QStringLiteral("/snow");
  return QStringLiteral("/tmp/snow-%1").arg(getuid());
}

QString SchedulerLocation::effectiveStateDir() const {
  return stateDir.isEmpty() ? defaultStateDir() : stateDir;
}

QString SchedulerLocation::effectiveTokenFile() const {
  return tokenFile.isEmpty() ? effectiveStateDir() + QStringLiteral("/token") : tokenFile;
}

bool SchedulerLocation::resolve(QString *address, int *resolvedPort, QString *error) const {
  *address = host;
  if (port > 0) {
    *resolvedPort = port;
    return true;
  }
  QFile file(effectiveStateDir() + QStringLiteral("/scheduler.json"));
  if (!file.open(QIODevice::ReadOnly)) {
    *error = QStringLiteral("no scheduler: cannot read %1 (%2)")
                 .arg(file.fileName(), file.errorString());
    return false;
  }
  const QJsonObject info = QJsonDocument::fromJson(file.readAll()).object();
  *resolvedPort = info.value("port").toInt();
  const QString listen = info.value("listen").toString();
  // A scheduler listening on every address is reached on loopback.
  if (!listen.isEmpty() && listen != QLatin1String("0.0.0.0") && listen != QLatin1String("::"))
    *address = listen;
  if (*resolvedPort <= 0) {
    *error = QStringLiteral("%1 names no port").arg(file.fileName());
    return false;
  }
  return true;
}

QString SchedulerLocation::readToken(QString *error) const {
  QFile file(effectiveTokenFile());
  if (!file.open(QIODevice::ReadOnly)) {
    if (error)
      *error =
          QStringLiteral("cannot read the token %1: %2").arg(file.fileName(), file.errorString());
    return {};
  }
  return QString::fromLatin1(file.readLine()).trimmed();
}

} // namespace snow::monitor
