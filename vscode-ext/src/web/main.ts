/** Entry of the web extension host (VS Code for the web): the browser's own WebSocket, no tools. */
import * as vscode from 'vscode';
import { activateSnowMigrate } from '../extension';
import { SocketLike } from '../cluster/schedulerClient';

export function activate(context: vscode.ExtensionContext) {
  return activateSnowMigrate(context, {
    name: 'web',
    socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
    env: {},
  });
}

export function deactivate() {}
