/** Insert / remove / toggle `#pragma snow poll` in the active editor, refusing where it cannot go. */
import * as vscode from 'vscode';
import { EditPlan, LineEdit, planInsert, planRemove, planToggle } from '../pollPoints/pollPointEditor';
import { indentStyle } from './settings';
import { loopBodyLine } from './loopCodeLens';

export function toWorkspaceEdit(document: vscode.TextDocument, edit: LineEdit): vscode.WorkspaceEdit {
  const workspaceEdit = new vscode.WorkspaceEdit();
  const eol = document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  if (edit.kind === 'insert') {
    workspaceEdit.insert(document.uri, new vscode.Position(edit.line, 0), edit.text + eol);
  } else {
    workspaceEdit.delete(document.uri, new vscode.Range(edit.line, 0, edit.line + 1, 0));
  }
  return workspaceEdit;
}

async function apply(editor: vscode.TextEditor, plan: EditPlan, what: string): Promise<boolean> {
  if (!plan.ok) {
    vscode.window.showErrorMessage(`Cannot ${what} a poll-point at line ${editor.selection.active.line + 1}: ${plan.reason}`);
    return false;
  }
  const applied = await vscode.workspace.applyEdit(toWorkspaceEdit(editor.document, plan.edit));
  if (!applied) {
    vscode.window.showErrorMessage(`Cannot ${what} a poll-point: VS Code refused the edit (is ${editor.document.uri.toString()} read-only?)`);
  }
  return applied;
}

function activeCEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    vscode.window.showErrorMessage('No active editor: open a C file and place the cursor where the poll-point belongs.');
    return undefined;
  }
  return editor;
}

export function registerPollPointCommands(): vscode.Disposable[] {
  const line = (e: vscode.TextEditor) => e.selection.active.line;
  return [
    vscode.commands.registerCommand('snowmigrate.insertPollPoint', async () => {
      const e = activeCEditor();
      return e && apply(e, planInsert(e.document.getText(), line(e), indentStyle(e)), 'insert');
    }),
    vscode.commands.registerCommand('snowmigrate.removePollPoint', async () => {
      const e = activeCEditor();
      return e && apply(e, planRemove(e.document.getText(), line(e)), 'remove');
    }),
    vscode.commands.registerCommand('snowmigrate.togglePollPoint', async () => {
      const e = activeCEditor();
      return e && apply(e, planToggle(e.document.getText(), line(e), indentStyle(e)), 'toggle');
    }),
    vscode.commands.registerCommand('snowmigrate.addPollPointInLoop', async (uri: vscode.Uri, loopLine: number) => {
      const document = await vscode.workspace.openTextDocument(uri);
      const editor = await vscode.window.showTextDocument(document);
      const body = loopBodyLine(document.getText(), loopLine);
      if (body === undefined) {
        vscode.window.showErrorMessage(`The loop at line ${loopLine + 1} has no braced body to put a poll-point in.`);
        return false;
      }
      return apply(editor, planInsert(document.getText(), body, indentStyle(editor)), 'insert');
    }),
  ];
}
