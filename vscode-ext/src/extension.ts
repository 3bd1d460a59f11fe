/**
 * Wiring only: builds the pieces for the given platform (Node or web) and registers them with
 * VS Code. The logic lives in src/pollPoints, src/report, src/cmake and src/cluster (no `vscode`
 * import) and in the thin adapters of src/editor.
 */
import * as vscode from 'vscode';
import { Platform } from './platform/platform';
import { SchedulerClient } from './cluster/schedulerClient';
import { ClusterModel } from './cluster/clusterModel';
import { PathMapper, workspaceFileSystem } from './editor/pathMapper';
import { ReportStore } from './editor/reportStore';
import { PollPointDecorations, PollPointHover } from './editor/pollPointDecorations';
import { publish } from './editor/precompilerDiagnostics';
import { LoopCodeLens } from './editor/loopCodeLens';
import { registerPollPointCommands } from './editor/pollPointCommands';
import { TargetsController } from './editor/targetsView';
import { ClusterTree, ConnectionStatus } from './editor/clusterView';
import { ClusterCommands } from './editor/clusterCommands';
import { buildDirectory, extraReports, folderDiskPath } from './editor/settings';

export async function activateSnowMigrate(context: vscode.ExtensionContext, platform: Platform) {
  const output = vscode.window.createOutputChannel('SnowMigrate');
  const folder = vscode.workspace.workspaceFolders?.[0];
  const mapper = new PathMapper(folder?.uri, folder ? folderDiskPath(folder) : '');
  // The browser reaches files only through the workspace; the desktop reads any path.
  const fs = platform.diskFileSystem ?? workspaceFileSystem(mapper);
  const store = new ReportStore(fs);
  const diagnostics = vscode.languages.createDiagnosticCollection('snowmigrate');
  const decorations = new PollPointDecorations(context.extensionUri, store, mapper);
  const targets = new TargetsController(fs, platform, mapper, store, output);
  const client = new SchedulerClient(platform.socketFactory);
  const model = new ClusterModel(client);
  const status = new ConnectionStatus(model);
  const cluster = new ClusterCommands(client, model, status, fs, platform, targets);

  const fail = (title: string, e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    output.appendLine(`${title} failed: ${message}`);
    vscode.window.showErrorMessage(`SnowMigrate: ${title} failed: ${message}`);
  };
  const command = (id: string, title: string, run: (...args: any[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (...args: any[]) => {
      try {
        return await run(...args);
      } catch (e) {
        fail(title, e);
        return undefined;
      }
    });

  // Reports: reload on change, wherever they are (the build tree is often outside the workspace).
  const watched = new Set<string>();
  const watch = (reportPath: string) => {
    if (watched.has(reportPath)) return;
    watched.add(reportPath);
    const uri = mapper.toUri(reportPath);
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), reportPath.split('/').pop() as string));
    const reload = () => store.load(reportPath).catch((e) => fail(`Reloading ${reportPath}`, e));
    watcher.onDidChange(reload);
    watcher.onDidCreate(reload);
    context.subscriptions.push(watcher);
  };
  store.onChange(() => {
    publish(diagnostics, store.diagnostics(), mapper);
    store.paths.forEach(watch);
  });

  const refreshTargets = async () => {
    await targets.refresh();
    output.appendLine(`migratable targets in ${buildDirectory()}: ${targets.targets.map((t) => t.name).join(', ') || 'none'}`);
  };

  context.subscriptions.push(
    output, diagnostics, decorations, status,
    vscode.languages.registerHoverProvider({ language: 'c' }, new PollPointHover(store, mapper)),
    vscode.languages.registerCodeLensProvider({ language: 'c' }, new LoopCodeLens(store, mapper)),
    ...registerPollPointCommands(),
    vscode.window.registerTreeDataProvider('snowmigrate.targets', targets),
    vscode.window.registerTreeDataProvider('snowmigrate.cluster', new ClusterTree(model)),
    command('snowmigrate.refreshTargets', 'Refreshing migratable targets', refreshTargets),
    command('snowmigrate.precompileCurrentFile', 'Re-running the precompiler', () => targets.precompileCurrentFile()),
    command('snowmigrate.buildTarget', 'Building the target', (node?: { target?: { name: string } }) => targets.buildTarget(node?.target?.name)),
    command('snowmigrate.loadReport', 'Loading a report', async () => {
      const picked = await vscode.window.showOpenDialog({ filters: { 'SnowMigrate report': ['json'] } });
      if (picked?.[0]) await store.load(mapper.toDisk(picked[0]));
    }),
    command('snowmigrate.connect', 'Connecting to the scheduler', () => cluster.connect()),
    command('snowmigrate.disconnect', 'Disconnecting', async () => client.close()),
    command('snowmigrate.refreshCluster', 'Refreshing the cluster', () => cluster.ensureConnected().then(() => model.refresh())),
    command('snowmigrate.runTarget', 'Run migratable target', () => cluster.runTarget()),
    command('snowmigrate.migrateProcess', 'Migrate process', (node?: unknown) => cluster.migrateProcess(node)),
    command('snowmigrate.checkpointProcess', 'Checkpoint process', (node?: unknown) => cluster.checkpointProcess(node)),
  );
  client.onState((state, cause) => {
    status.cause = cause;
    status.update(state);
    if (state === 'disconnected' && cause) vscode.window.showWarningMessage(`SnowMigrate: ${cause}`);
  });
  model.onChange(() => status.update(client.state));
  status.update('disconnected');
  context.subscriptions.push({ dispose: () => client.close() });

  // Start-up is quiet about a missing build (a C project need not be built yet), but says why
  // in the output channel; the explicit commands report failures as notifications.
  for (const report of extraReports()) {
    await store.load(report).catch((e) => output.appendLine(`report ${report}: ${(e as Error).message}`));
  }
  await refreshTargets().catch((e) => output.appendLine(`migratable targets: ${(e as Error).message}`));
  decorations.refresh();
  return { store, targets, client, model };
}
