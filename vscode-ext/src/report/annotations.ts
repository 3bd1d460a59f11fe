/**
 * From a report to what the editor shows, per file: poll-point markers (user vs automatic),
 * hover texts, and diagnostics. Plain data with 0-based positions; src/editor/ turns it into
 * VS Code decorations, hovers and a DiagnosticCollection.
 */
import { PrecompilerReport, ReportDiagnostic, ReportPollPoint, migrationCallPath } from './report';

export interface PollPointMarker {
  line: number;     // 0-based
  column: number;   // 0-based
  kind: 'user' | 'automatic';
  function: string;
  live: string[];
  callPath?: string[];
  hover: string;    // Markdown
}

export interface DiagnosticEntry {
  file: string;
  line: number;     // 0-based
  column: number;   // 0-based
  severity: ReportDiagnostic['severity'];
  code: string;
  message: string;
}

export function hoverText(p: ReportPollPoint, path: string[] | undefined): string {
  const kind = p.source === 'automatic' ? 'automatic poll-point' : 'poll-point (`#pragma snow poll`)';
  const live = p.live.length > 0 ? p.live.map((v) => '`' + v + '`').join(', ') : '(none)';
  const route = path ? path.map((f) => '`' + f + '`').join(' → ') : '*not reachable from `main`*';
  return `**SnowMigrate ${kind}** #${p.resume_point} in \`${p.function}\`\n\n` +
    `Live variables saved here: ${live}\n\nMigration call path: ${route}`;
}

/** Markers for one file, keyed by normalised path comparison (see samePath). */
export function pollPointMarkers(report: PrecompilerReport, file: string): PollPointMarker[] {
  return report.poll_points
    .filter((p) => samePath(p.file, file))
    .map((p) => {
      const path = migrationCallPath(report, p.function);
      return {
        line: Math.max(0, p.line - 1), column: Math.max(0, p.column - 1),
        kind: p.source === 'automatic' ? 'automatic' : 'user', function: p.function, live: p.live,
        callPath: path, hover: hoverText(p, path),
      } as PollPointMarker;
    });
}

/**
 * Every diagnostic with a file to show it in. Program-wide ones (file '') are placed where the
 * report locates what they name — the poll-point of an unreachable function — else at the top
 * of the first unit, so that none is silently dropped.
 */
export function diagnosticEntries(report: PrecompilerReport): DiagnosticEntry[] {
  return report.diagnostics.map((d) => {
    if (d.file) {
      return { file: d.file, line: Math.max(0, d.line - 1), column: Math.max(0, d.column - 1),
        severity: d.severity, code: d.code, message: d.message };
    }
    const named = /function '([^']+)'/.exec(d.message)?.[1];
    const anchor = named && (report.poll_points.find((p) => p.function === named) ??
      report.migratable_functions.find((f) => f.name === named));
    const file = anchor ? anchor.file : report.units[0]?.source ?? '';
    const line = anchor ? Math.max(0, anchor.line - 1) : 0;
    return { file, line, column: 0, severity: d.severity, code: d.code, message: d.message };
  }).filter((d) => d.file !== '');
}

/** Paths from the report are absolute; editors may hand us another spelling of the same file. */
export function samePath(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\\/g, '/').replace(/\/+/g, '/').replace(/\/$/, '');
  return norm(a) === norm(b);
}
