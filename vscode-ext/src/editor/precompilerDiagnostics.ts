/** The precompiler's diagnostics in the Problems panel, republished whenever a report changes. */
import * as vscode from 'vscode';
import { DiagnosticEntry } from '../report/annotations';
import { PathMapper } from './pathMapper';

const SEVERITY: Record<DiagnosticEntry['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  note: vscode.DiagnosticSeverity.Information,
};

export function toDiagnostic(d: DiagnosticEntry): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(new vscode.Range(d.line, d.column, d.line, d.column + 1), d.message, SEVERITY[d.severity]);
  diagnostic.source = 'snow-precompile';
  if (d.code) diagnostic.code = d.code;
  return diagnostic;
}

export function publish(collection: vscode.DiagnosticCollection, entries: DiagnosticEntry[], mapper: PathMapper): void {
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const d of entries) {
    const list = byFile.get(d.file) ?? [];
    list.push(toDiagnostic(d));
    byFile.set(d.file, list);
  }
  collection.clear();
  for (const [file, list] of byFile) collection.set(mapper.toUri(file), list);
}
