/**
 * snow-report.json, as written by snow-precompile (docs/precompiler.md, "The report").
 * Parsing validates what the extension relies on and ignores fields it does not know, so a
 * report from a newer precompiler of the same version still loads.
 */

export interface ReportPollPoint {
  file: string;
  line: number;    // 1-based
  column: number;  // 1-based
  function: string;
  source: 'directive' | 'automatic';
  resume_point: number;
  live: string[];
}

export interface ReportFunction {
  name: string;
  key: string;
  file: string;
  line: number;
  calls: string[];
}

export interface ReportDiagnostic {
  severity: 'error' | 'warning' | 'note';
  code: string;
  file: string;    // '' when the diagnostic is about the whole program
  line: number;    // 0 when file is ''
  column: number;
  message: string;
}

export interface PrecompilerReport {
  version: number;
  program: string;
  poll_point_mode: string;
  units: { source: string; output: string }[];
  migratable_functions: ReportFunction[];
  poll_points: ReportPollPoint[];
  diagnostics: ReportDiagnostic[];
}

export class ReportError extends Error {}

export function parseReport(text: string, origin = 'snow-report.json'): PrecompilerReport {
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${origin} is not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ReportError(`${origin}: not a JSON object`);
  if (raw.version !== 1) {
    throw new ReportError(`${origin}: report version ${raw.version} is not supported (this extension reads version 1)`);
  }
  const list = (name: string): any[] => {
    const value = raw[name] ?? [];
    if (!Array.isArray(value)) throw new ReportError(`${origin}: "${name}" is not an array`);
    return value;
  };
  return {
    version: 1,
    program: String(raw.program ?? ''),
    poll_point_mode: String(raw.poll_point_mode ?? ''),
    units: list('units').map((u) => ({ source: String(u.source), output: String(u.output) })),
    migratable_functions: list('migratable_functions').map((f) => ({
      name: String(f.name), key: String(f.key ?? f.name), file: String(f.file ?? ''), line: Number(f.line ?? 0),
      calls: Array.isArray(f.calls) ? f.calls.map(String) : [],
    })),
    poll_points: list('poll_points').map((p) => ({
      file: String(p.file), line: Number(p.line), column: Number(p.column ?? 1), function: String(p.function ?? ''),
      source: p.source === 'automatic' ? 'automatic' : 'directive',
      resume_point: Number(p.resume_point ?? 0), live: Array.isArray(p.live) ? p.live.map(String) : [],
    })),
    diagnostics: list('diagnostics').map((d) => ({
      severity: d.severity === 'error' || d.severity === 'note' ? d.severity : 'warning',
      code: String(d.code ?? ''), file: String(d.file ?? ''), line: Number(d.line ?? 0),
      column: Number(d.column ?? 0), message: String(d.message ?? ''),
    })),
  };
}

/**
 * The call path from `main` to `fn` through migratable functions (shortest, by breadth-first
 * search), e.g. ['main', 'solve_system', 'dgefa']. Undefined when `fn` is not reachable from main
 * (the precompiler then warns `unreachable-poll-point`).
 */
export function migrationCallPath(report: PrecompilerReport, fn: string): string[] | undefined {
  const calls = new Map(report.migratable_functions.map((f) => [f.name, f.calls]));
  if (!calls.has('main')) return undefined;
  const previous = new Map<string, string>();
  const queue = ['main'];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const current = queue.shift() as string;
    if (current === fn) {
      const path = [current];
      while (previous.has(path[0])) path.unshift(previous.get(path[0]) as string);
      return path;
    }
    for (const callee of calls.get(current) ?? []) {
      if (!seen.has(callee)) {
        seen.add(callee);
        previous.set(callee, current);
        queue.push(callee);
      }
    }
  }
  return undefined;
}

/** Names of the functions reachable from main in the migratable call graph. */
export function functionsOnMigrationPaths(report: PrecompilerReport): Set<string> {
  return new Set(report.migratable_functions.map((f) => f.name).filter((n) => migrationCallPath(report, n)));
}

/**
 * The precompiler's console output (`file:line:col: error: … [code]`), which is all there is when
 * it fails: on an error it writes no report.
 */
export function parsePrecompilerOutput(text: string): ReportDiagnostic[] {
  const result: ReportDiagnostic[] = [];
  for (const line of text.split(/\r?\n/)) {
    const located = /^(.+?):(\d+):(\d+): (error|warning|note): (.*?)(?: \[([\w-]+)\])?$/.exec(line);
    if (located) {
      result.push({ file: located[1], line: Number(located[2]), column: Number(located[3]),
        severity: located[4] as ReportDiagnostic['severity'], message: located[5], code: located[6] ?? '' });
      continue;
    }
    const global = /^snow-precompile: (error|warning): (.*?)(?: \[([\w-]+)\])?$/.exec(line);
    if (global) {
      result.push({ file: '', line: 0, column: 0, severity: global[1] as 'error' | 'warning',
        message: global[2], code: global[3] ?? '' });
    }
  }
  return result;
}
