/** Entry of the desktop (Node) extension host. */
import * as vscode from 'vscode';
import { activateSnowMigrate } from '../extension';
import { nodePlatform } from './nodePlatform';

export function activate(context: vscode.ExtensionContext) {
  return activateSnowMigrate(context, nodePlatform());
}

export function deactivate() {}
