/**
 * "add poll-point" above loops of functions on main's migration paths (per the report; every
 * function body when the file is in no report yet, since the report only exists after a build).
 * The poll-point goes at the top of the loop's body, where the precompiler's automatic ones go.
 */
import * as vscode from 'vscode';
import { scanC } from '../pollPoints/cScanner';
import { pollPointNear } from '../pollPoints/pollPointEditor';
import { ReportStore } from './reportStore';
import { PathMapper } from './pathMapper';

export const ADD_IN_LOOP_COMMAND = 'snowmigrate.addPollPointInLoop';

/** The first line of a loop's braced body, or undefined when the body has no braces. */
export function loopBodyLine(text: string, loopLine: number): number | undefined {
  const scan = scanC(text);
  const depth = scan.lines[loopLine].braces.length;
  for (let l = loopLine + 1; l < scan.lines.length && l <= loopLine + 20; l++) {
    if (scan.lines[l].braces.length > depth) return l;
    if (scan.lines[l].braces.length < depth) return undefined;
    if (scan.lines[l].lastToken === ';' && scan.lines[l].parenDepth === 0) return undefined;
  }
  return undefined;
}

export class LoopCodeLens implements vscode.CodeLensProvider {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;

  constructor(private readonly store: ReportStore, private readonly mapper: PathMapper) {
    store.onChange(() => this.changeEmitter.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    const scan = scanC(text);
    const lines = text.split(/\r?\n/);
    const onPaths = this.store.migrationFunctionsFor(this.mapper.toDisk(document.uri));
    return scan.loops
      .filter((loop) => !onPaths || onPaths.has(loop.functionName))
      .filter((loop) => {
        const body = loopBodyLine(text, loop.line);
        return body !== undefined && pollPointNear(lines, body) === undefined && !/pragma\s+snow\s+poll/.test(lines[body] ?? '');
      })
      .map((loop) => new vscode.CodeLens(new vscode.Range(loop.line, loop.column, loop.line, loop.column + loop.keyword.length), {
        title: 'add poll-point',
        tooltip: `Insert #pragma snow poll at the top of this ${loop.keyword} loop in ${loop.functionName}`,
        command: ADD_IN_LOOP_COMMAND,
        arguments: [document.uri, loop.line],
      }));
  }
}
