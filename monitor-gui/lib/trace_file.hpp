// The scheduler's trace formats (runtime/system/src/scheduler/trace_recorder.*):
//   lines  — "<seconds> <event> <data as JSON>" per line;
//   chrome — Chrome trace-event JSON: instants carry the event's data in
//            "args", finished migration phases are "X" slices, host load is a
//            "C" counter, "M" entries name the tracks.
// Reading turns either back into scheduler events; writing the Chrome format
// adds flow arrows ("s"/"f") for matched messages, so Perfetto draws them.
#pragma once

#include "scheduler_event.hpp"

#include <QIODevice>
#include <QString>

#include <functional>

namespace snow::monitor {

class ExecutionTrace;

enum class TraceFileFormat { Lines, Chrome };

struct TraceReadResult {
  SchedulerEvents events;
  QString error;        // empty when the file was read
  int skippedLines = 0; // lines format: lines that are not events
};

// Guesses from the first non-blank character: '[' or '{' is Chrome JSON.
TraceFileFormat detectTraceFormat(QIODevice &device);

// `progress` (optional) gets the fraction read so far, now and then.
TraceReadResult readTrace(QIODevice &device, const std::function<void(double)> &progress = {});
TraceReadResult readTraceFile(const QString &path,
                              const std::function<void(double)> &progress = {});

// The events a trace was built from, in time order: its control events and
// each matched message as its message-sent and message-received.
SchedulerEvents traceEvents(const ExecutionTrace &trace);

// Reads straight into `trace` (a lines trace without holding its events);
// returns an error message, or empty.
QString readTraceInto(QIODevice &device, ExecutionTrace &trace, int *skippedLines,
                      const std::function<void(double)> &progress = {});

// One event as a line of the lines format (no newline).
QByteArray traceLine(const SchedulerEvent &event);
bool writeLinesTrace(QIODevice &device, const SchedulerEvents &events);

// The whole trace as Chrome trace-event JSON: the control events as the
// scheduler records them, plus each message as a flow from sender to receiver.
bool writeChromeTrace(QIODevice &device, const ExecutionTrace &trace);

} // namespace snow::monitor
