#include "diagram_export.hpp"

#include <QImage>
#include <QPainter>
#ifdef SNOW_MONITOR_HAS_SVG
#include <QSvgGenerator>
#endif

#include <algorithm>

namespace snow::monitor {

bool svgExportAvailable() {
#ifdef SNOW_MONITOR_HAS_SVG
  return true;
#else
  return false;
#endif
}

bool exportDiagram(const QString &path, const QSize &size, const ExecutionTrace &trace,
                   const TimeAxis &axis, const RenderOptions &options, QString *error) {
  RowLayout layout;
  layout.build(trace);
  const QRectF viewport(0, 0, size.width(), size.height());
  if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
#ifdef SNOW_MONITOR_HAS_SVG
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(viewport);
    svg.setTitle(QStringLiteral("snow-monitor space-time diagram"));
    QPainter painter;
    if (!painter.begin(&svg)) {
      *error = QStringLiteral("cannot write %1").arg(path);
      return false;
    }
    SpaceTimeRenderer::paint(painter, viewport, trace, layout, axis, options);
    painter.end();
    return true;
#else
    *error = QStringLiteral("this snow-monitor was built without Qt Svg (qt6-svg-dev)");
    return false;
#endif
  }
  QImage image(size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  QPainter painter(&image);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setRenderHint(QPainter::TextAntialiasing);
  SpaceTimeRenderer::paint(painter, viewport, trace, layout, axis, options);
  painter.end();
  if (!image.save(path)) {
    *error = QStringLiteral("cannot write %1").arg(path);
    return false;
  }
  return true;
}

bool exportWholeDiagram(const QString &path, const QSize &size, const ExecutionTrace &trace,
                        QString *error) {
  RenderOptions options;
  options.now = trace.endTime();
  TimeAxis axis;
  axis.setLeft(options.labelWidth);
  const double span = std::max(trace.endTime() - trace.beginTime(), 1e-3);
  axis.fit(trace.beginTime() - span * 0.01, trace.endTime() + span * 0.02,
           size.width() - options.labelWidth);
  return exportDiagram(path, size, trace, axis, options, error);
}

} // namespace snow::monitor
