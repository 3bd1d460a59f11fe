/** The cluster tree (hosts → processes) and the connection's status-bar item. */
import * as vscode from 'vscode';
import { ClusterModel, HostInfo, ProcessInfo } from '../cluster/clusterModel';
import { ConnectionState } from '../cluster/schedulerClient';

type Node = { kind: 'host'; host: HostInfo } | { kind: 'process'; process: ProcessInfo };

export class ClusterTree implements vscode.TreeDataProvider<Node> {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly model: ClusterModel) {
    model.onChange(() => this.changeEmitter.fire());
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'host') {
      const h = node.host;
      const item = new vscode.TreeItem(h.name, vscode.TreeItemCollapsibleState.Expanded);
      item.description = `${h.platform}, ${h.byte_order ?? '?'}-endian, ${h.word_size ?? '?'}-byte words, load ${h.load ?? 0}`;
      item.iconPath = new vscode.ThemeIcon('server');
      item.contextValue = 'snowHost';
      return item;
    }
    const p = node.process;
    const item = new vscode.TreeItem(`${p.id}: ${p.program}`);
    item.description = `${p.state}${p.migrations ? `, ${p.migrations} migrations` : ''}${p.pid ? `, pid ${p.pid}` : ''}`;
    item.tooltip = `${p.program} ${p.args.join(' ')}`;
    item.iconPath = new vscode.ThemeIcon(p.state === 'migrating' ? 'sync~spin' : p.state === 'exited' ? 'circle-outline' : 'play-circle');
    item.contextValue = p.state === 'running' ? 'snowProcessRunning' : 'snowProcess';
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.model.hosts.map((host) => ({ kind: 'host', host }));
    if (node.kind === 'host') return this.model.processesOn(node.host.name).map((process) => ({ kind: 'process', process }));
    return [];
  }
}

export function connectionStatusText(state: ConnectionState, url: string | undefined, hosts: number): string {
  if (state === 'connected') return `$(server) snow: ${hosts} host${hosts === 1 ? '' : 's'}`;
  if (state === 'connecting') return '$(sync~spin) snow: connecting';
  return '$(debug-disconnect) snow: offline';
}

export class ConnectionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  url: string | undefined;
  cause: string | undefined;

  constructor(private readonly model: ClusterModel) {
    this.item.command = 'snowmigrate.connect';
    this.item.show();
  }

  update(state: ConnectionState): void {
    this.item.text = connectionStatusText(state, this.url, this.model.hosts.length);
    this.item.tooltip = state === 'connected'
      ? `Connected to the SnowMigrate scheduler at ${this.url}`
      : `Not connected to a SnowMigrate scheduler${this.cause ? ` (${this.cause})` : ''}; click to connect`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
