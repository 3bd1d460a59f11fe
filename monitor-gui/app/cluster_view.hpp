// The cluster as cards: one card per host (name, platform, byte order, word
// size, load) holding one chip per process (program, rank, state, the
// progress of a migration, a refusal's reason). A chip dragged onto another
// card is dropped through the model (mimeData → dropMimeData), which asks
// the scheduler to migrate. Context menus run, checkpoint, restart and kill.
#pragma once

#include <QPersistentModelIndex>
#include <QWidget>

#include <vector>

namespace snow::monitor {

class ClusterModel;

class ClusterView : public QWidget {
  Q_OBJECT
public:
  explicit ClusterView(QWidget *parent = nullptr);

  void setModel(ClusterModel *model);
  ClusterModel *model() const { return model_; }
  void setShowExited(bool show);
  // Test hook: writes the cards' and chips' screen rectangles to this file
  // (JSON) whenever they change, so that a test can drag with xdotool.
  void setGeometryFile(const QString &path) { geometryFile_ = path; }

  QSize sizeHint() const override;

signals:
  void runRequested(const QString &host);
  void restartRequested(const QString &host);
  void checkpointRequested(long process);
  void killRequested(long process, int signal);

protected:
  void paintEvent(QPaintEvent *event) override;
  void resizeEvent(QResizeEvent *event) override;
  void mousePressEvent(QMouseEvent *event) override;
  void mouseMoveEvent(QMouseEvent *event) override;
  void mouseReleaseEvent(QMouseEvent *event) override;
  void contextMenuEvent(QContextMenuEvent *event) override;
  void moveEvent(QMoveEvent *event) override;

private:
  struct Chip {
    QPersistentModelIndex index;
    QRect rect;
  };
  struct Card {
    QPersistentModelIndex index;
    QRect rect;
    std::vector<Chip> chips;
  };

  void relayout();
  void paintCard(QPainter &painter, const Card &card) const;
  void paintChip(QPainter &painter, const QModelIndex &index, const QRect &rect, bool ghost) const;
  const Card *cardAt(QPoint pos) const;
  const Chip *chipAt(QPoint pos) const;
  void drop(const QModelIndex &process, const QModelIndex &host);
  void writeGeometry();

  ClusterModel *model_ = nullptr;
  std::vector<Card> cards_;
  bool showExited_ = true;
  int contentHeight_ = 200;
  QPersistentModelIndex pressed_;
  QPoint pressPos_, dragPos_;
  bool dragging_ = false;
  QString geometryFile_;
  QByteArray writtenGeometry_;
};

} // namespace snow::monitor
