/**
 * The precompiler reports the editor knows, one per program (the most recently loaded wins:
 * a re-run of the precompiler replaces the build's report and vice versa).
 */
import { FileSystem } from '../platform/fileSystem';
import { PrecompilerReport, parseReport, functionsOnMigrationPaths } from '../report/report';
import { DiagnosticEntry, PollPointMarker, diagnosticEntries, pollPointMarkers } from '../report/annotations';

export class ReportStore {
  private byProgram = new Map<string, { path: string; report: PrecompilerReport }>();
  private listeners = new Set<() => void>();

  constructor(private readonly fs: FileSystem) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Loads (or reloads) a report; rejects with the cause when it cannot be read or parsed. */
  async load(path: string): Promise<PrecompilerReport> {
    const report = parseReport(await this.fs.readText(path), path);
    this.set(path, report);
    return report;
  }

  set(path: string, report: PrecompilerReport): void {
    for (const [program, entry] of this.byProgram) if (entry.path === path) this.byProgram.delete(program);
    this.byProgram.set(report.program || path, { path, report });
    this.changed();
  }

  get reports(): PrecompilerReport[] {
    return [...this.byProgram.values()].map((e) => e.report);
  }

  get paths(): string[] {
    return [...this.byProgram.values()].map((e) => e.path);
  }

  markersFor(file: string): PollPointMarker[] {
    return this.reports.flatMap((r) => pollPointMarkers(r, file));
  }

  diagnostics(): DiagnosticEntry[] {
    return this.reports.flatMap(diagnosticEntries);
  }

  /** Functions on main's migration paths in the program that has `file`; undefined if none does. */
  migrationFunctionsFor(file: string): Set<string> | undefined {
    const report = this.reports.find((r) => r.units.some((u) => u.source === file));
    return report ? functionsOnMigrationPaths(report) : undefined;
  }
}
