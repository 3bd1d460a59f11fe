/**
 * Gutter markers for the report's poll-points: the user's (`#pragma snow poll`) and the automatic
 * ones look different, because only the former are the user's to edit.
 */
import * as vscode from 'vscode';
import { ReportStore } from './reportStore';
import { PathMapper } from './pathMapper';

export class PollPointDecorations implements vscode.Disposable {
  private readonly user: vscode.TextEditorDecorationType;
  private readonly automatic: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(extensionUri: vscode.Uri, private readonly store: ReportStore, private readonly mapper: PathMapper) {
    this.user = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'poll-user.svg'),
      gutterIconSize: 'contain',
      overviewRulerColor: '#3794ff',
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.automatic = vscode.window.createTextEditorDecorationType({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'poll-auto.svg'),
      gutterIconSize: 'contain',
      overviewRulerColor: '#89d185',
      overviewRulerLane: vscode.OverviewRulerLane.Left,
    });
    this.subscriptions.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
      { dispose: store.onChange(() => this.refresh()) },
    );
  }

  refresh(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const markers = this.store.markersFor(this.mapper.toDisk(editor.document.uri));
      const range = (line: number) => new vscode.Range(line, 0, line, 0);
      editor.setDecorations(this.user, markers.filter((m) => m.kind === 'user').map((m) => range(m.line)));
      editor.setDecorations(this.automatic, markers.filter((m) => m.kind === 'automatic').map((m) => range(m.line)));
    }
  }

  dispose(): void {
    this.user.dispose();
    this.automatic.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}

export class PollPointHover implements vscode.HoverProvider {
  constructor(private readonly store: ReportStore, private readonly mapper: PathMapper) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const markers = this.store.markersFor(this.mapper.toDisk(document.uri)).filter((m) => m.line === position.line);
    if (markers.length === 0) return undefined;
    return new vscode.Hover(markers.map((m) => new vscode.MarkdownString(m.hover)));
  }
}
