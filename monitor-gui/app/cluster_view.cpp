#include "cluster_view.hpp"

#include "cluster_model.hpp"

#include <QApplication>
#include <QContextMenuEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <memory>

namespace snow::monitor {

namespace {
constexpr int kCardWidth = 250;
constexpr int kGap = 12;
constexpr int kHeader = 62;
constexpr int kChipHeight = 46;
constexpr int kChipGap = 6;
constexpr int kMinCardHeight = 140;

QColor stateColour(const QString &state) {
  if (state == QLatin1String("running"))
    return QColor(0xdc, 0xf0, 0xdc);
  if (state == QLatin1String("migrating"))
    return QColor(0xfb, 0xe3, 0xc8);
  if (state == QLatin1String("starting"))
    return QColor(0xfb, 0xf3, 0xc8);
  return QColor(0xe4, 0xe4, 0xe4);
}

QJsonArray rectJson(const QRect &r) { return {r.x(), r.y(), r.width(), r.height()}; }
} // namespace

ClusterView::ClusterView(QWidget *parent) : QWidget(parent) {
  setMouseTracking(false);
  setMinimumWidth(kCardWidth + 2 * kGap);
}

void ClusterView::setModel(ClusterModel *model) {
  if (model_)
    disconnect(model_, nullptr, this, nullptr);
  model_ = model;
  auto changed = [this] { relayout(); };
  connect(model_, &QAbstractItemModel::rowsInserted, this, changed);
  connect(model_, &QAbstractItemModel::rowsRemoved, this, changed);
  connect(model_, &QAbstractItemModel::rowsMoved, this, changed);
  connect(model_, &QAbstractItemModel::modelReset, this, changed);
  connect(model_, &QAbstractItemModel::layoutChanged, this, changed);
  connect(model_, &QAbstractItemModel::dataChanged, this, changed);
  relayout();
}

void ClusterView::setShowExited(bool show) {
  showExited_ = show;
  relayout();
}

QSize ClusterView::sizeHint() const { return {3 * (kCardWidth + kGap) + kGap, contentHeight_}; }

void ClusterView::relayout() {
  cards_.clear();
  if (!model_) {
    update();
    return;
  }
  const int columns = std::max(1, (width() - kGap) / (kCardWidth + kGap));
  int x = kGap, y = kGap, rowHeight = 0, column = 0;
  for (int h = 0; h < model_->rowCount(); ++h) {
    const QModelIndex host = model_->index(h, 0);
    Card card{host, {}, {}};
    int chipY = y + kHeader;
    for (int p = 0; p < model_->rowCount(host); ++p) {
      const QModelIndex process = model_->index(p, 0, host);
      if (!showExited_ &&
          process.data(ClusterModel::StateRole).toString() == QLatin1String("exited"))
        continue;
      card.chips.push_back({process, QRect(x + 10, chipY, kCardWidth - 20, kChipHeight)});
      chipY += kChipHeight + kChipGap;
    }
    const int height = std::max(kMinCardHeight, chipY - y + 8);
    card.rect = QRect(x, y, kCardWidth, height);
    rowHeight = std::max(rowHeight, height);
    cards_.push_back(std::move(card));
    if (++column == columns) {
      column = 0;
      x = kGap;
      y += rowHeight + kGap;
      rowHeight = 0;
    } else {
      x += kCardWidth + kGap;
    }
  }
  contentHeight_ = y + rowHeight + kGap;
  setMinimumHeight(contentHeight_);
  updateGeometry();
  update();
  writeGeometry();
}

void ClusterView::resizeEvent(QResizeEvent *) { relayout(); }
void ClusterView::moveEvent(QMoveEvent *) { writeGeometry(); }

void ClusterView::paintEvent(QPaintEvent *) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.fillRect(rect(), palette().window());
  if (cards_.empty()) {
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(rect(), Qt::AlignCenter,
                     tr("No hosts. Start a cluster with `snow cluster up`."));
  }
  const Card *target = dragging_ ? cardAt(dragPos_) : nullptr;
  for (const Card &card : cards_) {
    paintCard(painter, card);
    if (&card == target && pressed_.isValid()) {
      const bool ok =
          card.index.data(ClusterModel::NameRole) != pressed_.data(ClusterModel::HostRole) &&
          model_->flags(card.index) & Qt::ItemIsDropEnabled && model_->isInteractive();
      painter.setPen(
          QPen(ok ? QColor(0x2e, 0x7d, 0x32) : QColor(0x9e, 0x9e, 0x9e), 3, Qt::DashLine));
      painter.setBrush(Qt::NoBrush);
      painter.drawRoundedRect(card.rect.adjusted(1, 1, -1, -1), 8, 8);
    }
    for (const Chip &chip : card.chips)
      paintChip(painter, chip.index, chip.rect, dragging_ && chip.index == pressed_);
  }
  if (dragging_ && pressed_.isValid()) {
    const QRect ghost(dragPos_ - QPoint(40, kChipHeight / 2), QSize(kCardWidth - 20, kChipHeight));
    painter.setOpacity(0.85);
    paintChip(painter, pressed_, ghost, false);
  }
}

void ClusterView::paintCard(QPainter &painter, const Card &card) const {
  const QModelIndex &h = card.index;
  const bool online = h.data(ClusterModel::OnlineRole).toBool();
  painter.setPen(QPen(QColor(0xb0, 0xb0, 0xb0), 1));
  painter.setBrush(online ? QColor(0xfd, 0xfd, 0xfd) : QColor(0xee, 0xee, 0xee));
  painter.drawRoundedRect(card.rect, 8, 8);
  const QRect r = card.rect.adjusted(10, 6, -10, 0);
  QFont title = font();
  title.setBold(true);
  title.setPointSizeF(title.pointSizeF() * 1.15);
  painter.setFont(title);
  painter.setPen(online ? palette().color(QPalette::WindowText) : QColor(0x80, 0x80, 0x80));
  painter.drawText(QRect(r.x(), r.y(), r.width(), 20), Qt::AlignLeft | Qt::AlignVCenter,
                   h.data(ClusterModel::NameRole).toString() +
                       (online ? QString() : tr(" (offline)")));
  painter.setFont(font());
  const QString platform = QStringLiteral("%1 · %2-endian · %3-bit · %4 CPUs")
                               .arg(h.data(ClusterModel::PlatformRole).toString(),
                                    h.data(ClusterModel::ByteOrderRole).toString())
                               .arg(h.data(ClusterModel::WordSizeRole).toInt() * 8)
                               .arg(h.data(ClusterModel::CpusRole).toInt());
  painter.setPen(QColor(0x50, 0x50, 0x50));
  painter.drawText(QRect(r.x(), r.y() + 20, r.width(), 16), Qt::AlignLeft | Qt::AlignVCenter,
                   platform);
  // Load: a bar that fills at one load unit per CPU.
  const double load = h.data(ClusterModel::LoadRole).toDouble();
  const int cpus = std::max(1, h.data(ClusterModel::CpusRole).toInt());
  const QRect bar(r.x() + 70, r.y() + 40, r.width() - 70, 8);
  painter.drawText(QRect(r.x(), r.y() + 36, 70, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   QStringLiteral("load %1").arg(load, 0, 'f', 2));
  painter.setPen(Qt::NoPen);
  painter.setBrush(QColor(0xe0, 0xe0, 0xe0));
  painter.drawRect(bar);
  painter.setBrush(load / cpus > 0.9 ? QColor(0xd9, 0x53, 0x4f) : QColor(0x4c, 0xa8, 0x5a));
  painter.drawRect(
      QRect(bar.x(), bar.y(), int(bar.width() * std::min(1.0, load / cpus)), bar.height()));
}

void ClusterView::paintChip(QPainter &painter, const QModelIndex &index, const QRect &rect,
                            bool ghost) const {
  const QString state = index.data(ClusterModel::StateRole).toString();
  const QString failure = index.data(ClusterModel::FailureRole).toString();
  const double progress = index.data(ClusterModel::ProgressRole).toDouble();
  painter.save();
  if (ghost)
    painter.setOpacity(0.35);
  painter.setPen(QPen(failure.isEmpty() ? QColor(0x90, 0x90, 0x90) : QColor(0xc6, 0x28, 0x28), 1));
  painter.setBrush(stateColour(state));
  painter.drawRoundedRect(rect, 6, 6);
  if (progress >= 0) {
    const QRect bar(rect.x() + 4, rect.bottom() - 6, rect.width() - 8, 4);
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(0xff, 0xff, 0xff));
    painter.drawRect(bar);
    painter.setBrush(QColor(0xef, 0x6c, 0x00));
    painter.drawRect(
        QRect(bar.x(), bar.y(), int(bar.width() * std::clamp(progress, 0.0, 1.0)), bar.height()));
  }
  QFont bold = font();
  bold.setBold(true);
  painter.setFont(bold);
  painter.setPen(Qt::black);
  const QRect text = rect.adjusted(8, 3, -8, -6);
  painter.drawText(QRect(text.x(), text.y(), text.width(), 16), Qt::AlignLeft | Qt::AlignVCenter,
                   index.data(Qt::DisplayRole).toString());
  painter.setFont(font());
  painter.drawText(QRect(text.x(), text.y(), text.width(), 16), Qt::AlignRight | Qt::AlignVCenter,
                   state);
  const QString progressText = index.data(ClusterModel::ProgressTextRole).toString();
  painter.setPen(failure.isEmpty() ? QColor(0x40, 0x40, 0x40) : QColor(0xc6, 0x28, 0x28));
  const QString second = failure.isEmpty() ? progressText : failure;
  painter.drawText(QRect(text.x(), text.y() + 17, text.width(), 16),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fontMetrics().elidedText(second, Qt::ElideRight, text.width()));
  painter.restore();
}

const ClusterView::Card *ClusterView::cardAt(QPoint pos) const {
  for (const Card &card : cards_)
    if (card.rect.contains(pos))
      return &card;
  return nullptr;
}

const ClusterView::Chip *ClusterView::chipAt(QPoint pos) const {
  for (const Card &card : cards_)
    for (const Chip &chip : card.chips)
      if (chip.rect.contains(pos))
        return &chip;
  return nullptr;
}

void ClusterView::mousePressEvent(QMouseEvent *event) {
  if (event->button() != Qt::LeftButton)
    return;
  const Chip *chip = chipAt(event->position().toPoint());
  pressed_ = chip ? chip->index : QPersistentModelIndex();
  pressPos_ = event->position().toPoint();
}

void ClusterView::mouseMoveEvent(QMouseEvent *event) {
  if (!pressed_.isValid() || !(event->buttons() & Qt::LeftButton))
    return;
  dragPos_ = event->position().toPoint();
  if (!dragging_ && (dragPos_ - pressPos_).manhattanLength() >= QApplication::startDragDistance()) {
    dragging_ = true;
    setCursor(Qt::ClosedHandCursor);
  }
  if (dragging_)
    update();
}

void ClusterView::mouseReleaseEvent(QMouseEvent *event) {
  if (event->button() != Qt::LeftButton)
    return;
  if (dragging_ && pressed_.isValid())
    if (const Card *card = cardAt(event->position().toPoint()))
      drop(pressed_, card->index);
  dragging_ = false;
  pressed_ = QPersistentModelIndex();
  unsetCursor();
  update();
}

// Dragging within the view, not QDrag: the drop goes through the model's
// mime data all the same, and a synthetic pointer (xdotool) drives it.
void ClusterView::drop(const QModelIndex &process, const QModelIndex &host) {
  std::unique_ptr<QMimeData> mime(model_->mimeData({process}));
  if (mime && model_->canDropMimeData(mime.get(), Qt::MoveAction, -1, 0, host))
    model_->dropMimeData(mime.get(), Qt::MoveAction, -1, 0, host);
}

void ClusterView::contextMenuEvent(QContextMenuEvent *event) {
  if (!model_)
    return;
  QMenu menu(this);
  const bool live = model_->isInteractive();
  if (const Chip *chip = chipAt(event->pos())) {
    const QPersistentModelIndex process = chip->index;
    const long id = process.data(ClusterModel::ProcessIdRole).toLongLong();
    const bool running =
        process.data(ClusterModel::StateRole).toString() == QLatin1String("running");
    QMenu *migrate = menu.addMenu(tr("Migrate to"));
    for (const Card &card : cards_) {
      const QPersistentModelIndex host = card.index;
      QAction *action = migrate->addAction(host.data(ClusterModel::NameRole).toString(), this,
                                           [this, process, host] { drop(process, host); });
      action->setEnabled(live && running &&
                         host.data(ClusterModel::NameRole) != process.data(ClusterModel::HostRole));
    }
    menu.addAction(tr("Checkpoint…"), this, [this, id] { emit checkpointRequested(id); })
        ->setEnabled(live && running);
    menu.addSeparator();
    menu.addAction(tr("Kill (SIGTERM)"), this, [this, id] { emit killRequested(id, 15); })
        ->setEnabled(live && running);
    menu.addAction(tr("Kill (SIGKILL)"), this, [this, id] { emit killRequested(id, 9); })
        ->setEnabled(live && running);
  } else {
    const Card *card = cardAt(event->pos());
    const QString host = card ? card->index.data(ClusterModel::NameRole).toString() : QString();
    menu.addAction(card ? tr("Run a program on %1…").arg(host) : tr("Run a program…"), this,
                   [this, host] { emit runRequested(host); })
        ->setEnabled(live);
    menu.addAction(card ? tr("Restart a checkpoint on %1…").arg(host) : tr("Restart a checkpoint…"),
                   this, [this, host] { emit restartRequested(host); })
        ->setEnabled(live);
  }
  menu.exec(event->globalPos());
}

void ClusterView::writeGeometry() {
  if (geometryFile_.isEmpty() || !isVisible())
    return;
  QJsonObject hosts, processes;
  for (const Card &card : cards_) {
    hosts.insert(card.index.data(ClusterModel::NameRole).toString(),
                 rectJson(QRect(mapToGlobal(card.rect.topLeft()), card.rect.size())));
    for (const Chip &chip : card.chips)
      processes.insert(
          QString::number(chip.index.data(ClusterModel::ProcessIdRole).toLongLong()),
          QJsonObject{{"rect", rectJson(QRect(mapToGlobal(chip.rect.topLeft()), chip.rect.size()))},
                      {"host", chip.index.data(ClusterModel::HostRole).toString()},
                      {"state", chip.index.data(ClusterModel::StateRole).toString()},
                      {"progress", chip.index.data(ClusterModel::ProgressTextRole).toString()},
                      {"failure", chip.index.data(ClusterModel::FailureRole).toString()}});
  }
  const QByteArray json =
      QJsonDocument(QJsonObject{{"hosts", hosts}, {"processes", processes}}).toJson();
  if (json == writtenGeometry_)
    return;
  QFile file(geometryFile_ + QStringLiteral(".tmp"));
  if (file.open(QIODevice::WriteOnly) && file.write(json) == json.size()) {
    file.close();
    QFile::remove(geometryFile_);
    if (file.rename(geometryFile_))
      writtenGeometry_ = json;
  }
}

} // namespace snow::monitor
