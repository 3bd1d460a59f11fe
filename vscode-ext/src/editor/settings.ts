import * as vscode from 'vscode';
import { SchedulerSettings, defaultStateDir } from '../cluster/connectionSettings';
import { IndentStyle } from '../pollPoints/pollPointEditor';
import { Platform } from '../platform/platform';

const section = () => vscode.workspace.getConfiguration('snowmigrate');

function expand(value: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return value.replace(/\$\{workspaceFolder\}/g, folder ? folderDiskPath(folder) : '');
}

/** The workspace folder's path on disk (see snowmigrate.workspaceDiskPath). */
export function folderDiskPath(folder: vscode.WorkspaceFolder): string {
  const configured = section().get<string>('workspaceDiskPath', '').trim();
  return configured || folder.uri.path;
}

export function buildDirectory(): string {
  return expand(section().get<string>('buildDirectory', '${workspaceFolder}/build'));
}

export function extraReports(): string[] {
  return section().get<string[]>('reports', []).map(expand);
}

export function precompilerPath(): string {
  return expand(section().get<string>('precompilerPath', ''));
}

export function cmakePath(): string {
  return section().get<string>('cmakePath', 'cmake');
}

export function indentStyle(editor: vscode.TextEditor): IndentStyle {
  const opts = editor.options;
  const unit = opts.insertSpaces === false ? '\t' : ' '.repeat(Number(opts.tabSize ?? 2) || 2);
  const mode = section().get<string>('pollPoint.indentation', 'statement') === 'column1' ? 'column1' : 'statement';
  return { unit, mode };
}

export function schedulerSettings(platform: Platform): SchedulerSettings {
  const stateDir = expand(section().get<string>('scheduler.stateDir', '')) || defaultStateDir(platform.env, platform.uid);
  return {
    address: section().get<string>('scheduler.address', ''),
    tokenFile: expand(section().get<string>('scheduler.tokenFile', '')),
    stateDir,
  };
}
