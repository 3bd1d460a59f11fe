// One event of the scheduler's stream (docs/protocol.md, "Events"), as it
// arrives over the WebSocket or is read back from a trace file.
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace snow::monitor {

struct SchedulerEvent {
  double time = 0;  // seconds since the scheduler started
  QString name;     // "process-started", "migration-phase", "message-sent", …
  QJsonObject data; // the event's "data" object
};

using SchedulerEvents = QVector<SchedulerEvent>;

} // namespace snow::monitor

Q_DECLARE_METATYPE(snow::monitor::SchedulerEvent)
Q_DECLARE_METATYPE(snow::monitor::SchedulerEvents)
