#include "scheduler_client.hpp"

#include <QJsonDocument>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

namespace snow::monitor {

namespace {
constexpr int kRetryMs = 1000;
constexpr int kEventBatchMs = 25;
constexpr int kApiVersion = 1;
} // namespace

SchedulerClient::SchedulerClient(SchedulerLocation location, QObject *parent)
    : QObject(parent), location_(std::move(location)) {
  qRegisterMetaType<SchedulerEvents>("snow::monitor::SchedulerEvents");
}

SchedulerClient::~SchedulerClient() = default;

void SchedulerClient::start() {
  stopped_ = false;
  if (!socket_) {
    socket_ = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    // Replies can be large (list-processes of a big cluster); the scheduler
    // refuses what it finds too large itself.
    socket_->setMaxAllowedIncomingMessageSize(64 << 20);
    connect(socket_, &QWebSocket::connected, this, &SchedulerClient::onConnected);
    connect(socket_, &QWebSocket::disconnected, this, &SchedulerClient::onDisconnected);
    connect(socket_, &QWebSocket::textMessageReceived, this, &SchedulerClient::onText);
    retry_ = new QTimer(this);
    retry_->setSingleShot(true);
    connect(retry_, &QTimer::timeout, this, &SchedulerClient::connectNow);
    flush_ = new QTimer(this);
    flush_->setSingleShot(true);
    connect(flush_, &QTimer::timeout, this, &SchedulerClient::flushEvents);
  }
  connectNow();
}

void SchedulerClient::stop() {
  stopped_ = true;
  if (retry_)
    retry_->stop();
  if (socket_)
    socket_->close();
}

void SchedulerClient::setToken(const QString &token) {
  QMetaObject::invokeMethod(
      this,
      [this, token] {
        typedToken_ = token;
        if (!authenticated_ && socket_)
          socket_->abort(); // and retry with it
      },
      Qt::QueuedConnection);
}

qint64 SchedulerClient::request(const QString &command, const QJsonObject &args) {
  const qint64 id = nextId_++;
  QMetaObject::invokeMethod(
      this, [this, id, command, args] { send(id, command, args); }, Qt::QueuedConnection);
  return id;
}

void SchedulerClient::send(qint64 id, const QString &command, const QJsonObject &args) {
  if (!socket_ || !authenticated_) {
    emit replied(id, false,
                 {{"code", "not-connected"}, {"message", "not connected to the scheduler"}});
    return;
  }
  const QJsonObject message{
      {"v", kApiVersion}, {"id", double(id)}, {"cmd", command}, {"args", args}};
  socket_->sendTextMessage(
      QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void SchedulerClient::connectNow() {
  if (stopped_)
    return;
  QString address, error;
  int port = 0;
  if (!location_.resolve(&address, &port, &error))
    return retryLater(error);
  authenticated_ = false;
  socket_->open(QUrl(QStringLiteral("ws://%1:%2/").arg(address).arg(port)));
}

void SchedulerClient::retryLater(const QString &why) {
  if (!toldDisconnected_ || why != lastError_) {
    toldDisconnected_ = true;
    lastError_ = why;
    emit disconnectedFromScheduler(why);
  }
  if (!stopped_)
    retry_->start(kRetryMs);
}

void SchedulerClient::onConnected() {
  QString error;
  const QString token = typedToken_.isEmpty() ? location_.readToken(&error) : typedToken_;
  if (token.isEmpty()) {
    if (error != lastError_)
      emit authenticationFailed(error);
    lastError_ = error;
    socket_->close();
    return;
  }
  offeredToken_ = token;
  helloId_ = nextId_++;
  const QJsonObject hello{{"v", kApiVersion},
                          {"id", double(helloId_)},
                          {"cmd", "hello"},
                          {"args", QJsonObject{{"token", token}, {"role", "client"}}}};
  socket_->sendTextMessage(QString::fromUtf8(QJsonDocument(hello).toJson(QJsonDocument::Compact)));
}

void SchedulerClient::onDisconnected() {
  const bool wasAuthenticated = authenticated_;
  authenticated_ = false;
  flushEvents();
  if (wasAuthenticated)
    toldDisconnected_ = false; // a new outage: say so
  retryLater(socket_->errorString().isEmpty() ||
                     socket_->error() == QAbstractSocket::UnknownSocketError
                 ? QStringLiteral("the scheduler closed the connection")
                 : socket_->errorString());
}

void SchedulerClient::onText(const QString &text) {
  const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
  if (message.contains("event")) {
    batch_.push_back({message.value("time").toDouble(), message.value("event").toString(),
                      message.value("data").toObject()});
    if (!flush_->isActive())
      flush_->start(kEventBatchMs);
    return;
  }
  if (!message.contains("ok"))
    return;
  const bool ok = message.value("ok").toBool();
  const qint64 id = static_cast<qint64>(message.value("id").toDouble(-1));
  const QJsonObject body = message.value(ok ? "result" : "error").toObject();
  flushEvents(); // keep events and replies in the order they came
  if (id == helloId_ || (!authenticated_ && !ok)) {
    if (!ok) {
      // Asked once per token: retries with the same one fail quietly until
      // the token file changes or a person types another.
      if (offeredToken_ != rejectedToken_)
        emit authenticationFailed(body.value("message").toString(body.value("code").toString()));
      rejectedToken_ = offeredToken_;
      return;
    }
    authenticated_ = true;
    toldDisconnected_ = false;
    lastError_.clear();
    emit connectedToScheduler(body.value("server").toString());
    return;
  }
  emit replied(id, ok, body);
}

void SchedulerClient::flushEvents() {
  if (batch_.isEmpty())
    return;
  SchedulerEvents events;
  events.swap(batch_);
  emit eventsReceived(events);
}

} // namespace snow::monitor
