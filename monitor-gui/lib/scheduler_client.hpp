// A WebSocket client of snow-scheduler (docs/protocol.md) meant to live in a
// thread of its own: it connects, says hello with the token, parses every
// frame there and hands the GUI thread typed results — replies one by one,
// events in batches (at most every 25 ms), so that a busy cluster does not
// flood the GUI's event queue. When the connection drops (the scheduler
// restarted, say) it re-reads scheduler.json and the token every second and
// connects again.
#pragma once

#include "scheduler_event.hpp"
#include "scheduler_location.hpp"

#include <QJsonObject>
#include <QObject>

#include <atomic>

class QTimer;
class QWebSocket;

namespace snow::monitor {

class SchedulerClient : public QObject {
  Q_OBJECT
public:
  explicit SchedulerClient(SchedulerLocation location, QObject *parent = nullptr);
  ~SchedulerClient() override;

  // Thread-safe. Sends a command; returns its id, which replied() echoes.
  // Fails at once (replied with "not-connected") while not connected.
  qint64 request(const QString &command, const QJsonObject &args = {});
  // Thread-safe. The token to use from the next connection on, instead of
  // the token file (a person typed it).
  void setToken(const QString &token);

public slots:
  void start(); // call in the client's thread
  void stop();

signals:
  void connectedToScheduler(const QString &server);
  void disconnectedFromScheduler(const QString &why);
  void authenticationFailed(const QString &message);
  void replied(qint64 id, bool ok, const QJsonObject &body); // result, or error {code, message}
  void eventsReceived(const snow::monitor::SchedulerEvents &events);

private:
  void connectNow();
  void onConnected();
  void onDisconnected();
  void onText(const QString &text);
  void send(qint64 id, const QString &command, const QJsonObject &args);
  void flushEvents();
  void retryLater(const QString &why);

  SchedulerLocation location_;
  QWebSocket *socket_ = nullptr;
  QTimer *retry_ = nullptr;
  QTimer *flush_ = nullptr;
  SchedulerEvents batch_;
  std::atomic<qint64> nextId_{1};
  qint64 helloId_ = 0;
  bool authenticated_ = false;
  bool stopped_ = false;
  bool toldDisconnected_ = false;
  QString typedToken_;
  QString offeredToken_, rejectedToken_;
  QString lastError_;
};

} // namespace snow::monitor
