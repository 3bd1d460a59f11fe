// The space-time diagram as a file: PNG (QImage) or SVG (QSvgGenerator,
// when Qt's Svg module was found at build time).
#pragma once

#include "execution_trace.hpp"
#include "row_layout.hpp"
#include "spacetime_renderer.hpp"
#include "time_axis.hpp"

#include <QSize>
#include <QString>

namespace snow::monitor {

bool svgExportAvailable();

// Draws the diagram at `size` with `axis` (whose left is the label column's
// width) and `options`; the format follows the file name (.svg or else PNG).
bool exportDiagram(const QString &path, const QSize &size, const ExecutionTrace &trace,
                   const TimeAxis &axis, const RenderOptions &options, QString *error);

// The whole trace fitted into `size`.
bool exportWholeDiagram(const QString &path, const QSize &size, const ExecutionTrace &trace,
                        QString *error);

} // namespace snow::monitor
