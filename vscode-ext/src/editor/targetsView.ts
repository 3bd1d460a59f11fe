/**
 * Migratable targets of the build directory (File API codemodel + SnowMigrate manifest) as a
 * tree: target → sources, executables per platform. Also re-runs the precompiler and builds.
 */
import * as vscode from 'vscode';
import { CodeModel, readCodeModel, writeQuery } from '../cmake/fileApi';
import { MigratableTarget, combine, readManifest, locatePrecompiler, precompileCommand, targetOfSource } from '../cmake/migratableTargets';
import { FileSystem, joinPath } from '../platform/fileSystem';
import { Platform } from '../platform/platform';
import { parsePrecompilerOutput, parseReport } from '../report/report';
import { diagnosticEntries } from '../report/annotations';
import { PathMapper } from './pathMapper';
import { ReportStore } from './reportStore';
import { buildDirectory, cmakePath, precompilerPath } from './settings';

type Node =
  | { kind: 'target'; target: MigratableTarget }
  | { kind: 'group'; target: MigratableTarget; group: 'sources' | 'executables' }
  | { kind: 'file'; label: string; path: string; description?: string };

export class TargetsController implements vscode.TreeDataProvider<Node> {
  targets: MigratableTarget[] = [];
  codemodel: CodeModel | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  constructor(private readonly fs: FileSystem, private readonly platform: Platform, private readonly mapper: PathMapper,
              private readonly store: ReportStore, private readonly output: vscode.OutputChannel) {}

  /** Writes the query, then reads what the last configure answered; reports are (re)loaded. */
  async refresh(): Promise<void> {
    const buildDir = buildDirectory();
    await writeQuery(this.fs, buildDir);
    try {
      this.codemodel = await readCodeModel(this.fs, buildDir);
    } catch (e) {
      // The manifest alone still lists the targets; the reply arrives with the next configure.
      this.codemodel = undefined;
      this.output.appendLine(`CMake File API: ${(e as Error).message}`);
    }
    this.targets = combine(await readManifest(this.fs, buildDir), this.codemodel);
    this.changeEmitter.fire();
    const failures: string[] = [];
    for (const t of this.targets) {
      if (!t.report) continue;
      await this.store.load(t.report).catch((e) => failures.push(`${t.name}: ${(e as Error).message}`));
    }
    if (failures.length > 0) this.output.appendLine(`reports not loaded (build the targets first):\n  ${failures.join('\n  ')}`);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'target') {
      const item = new vscode.TreeItem(node.target.name, vscode.TreeItemCollapsibleState.Collapsed);
      item.description = `${node.target.poll_points} poll-points, ${Object.keys(node.target.executables).length} platforms`;
      item.contextValue = 'snowTarget';
      return item;
    }
    if (node.kind === 'group') {
      return new vscode.TreeItem(node.group === 'sources' ? 'Sources' : 'Executables', vscode.TreeItemCollapsibleState.Expanded);
    }
    const item = new vscode.TreeItem(node.label);
    item.description = node.description;
    item.tooltip = node.path;
    item.resourceUri = this.mapper.toUri(node.path);
    if (node.label.endsWith('.c') || node.label.endsWith('.h')) {
      item.command = { command: 'vscode.open', title: 'Open', arguments: [this.mapper.toUri(node.path)] };
    }
    return item;
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.targets.map((target) => ({ kind: 'target', target }));
    if (node.kind === 'target') {
      return [{ kind: 'group', target: node.target, group: 'sources' }, { kind: 'group', target: node.target, group: 'executables' }];
    }
    if (node.kind === 'group' && node.group === 'sources') {
      return node.target.sources.map((path) => ({ kind: 'file', label: path.split('/').pop() as string, path }));
    }
    if (node.kind === 'group') {
      return Object.entries(node.target.executables).map(([platform, path]) => ({
        kind: 'file', label: platform, path,
        description: [...(node.target.emulators[platform] ?? []), path].join(' '),
      }));
    }
    return [];
  }

  private currentTarget(): MigratableTarget {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new Error('no active editor: open a source of a migratable target');
    const file = this.mapper.toDisk(editor.document.uri);
    const target = targetOfSource(this.targets, file);
    if (!target) {
      throw new Error(`${file} is not a source of any migratable target in ${buildDirectory()} ` +
        `(known: ${this.targets.map((t) => t.name).join(', ') || 'none; run "SnowMigrate: Refresh Migratable Targets"'})`);
    }
    return target;
  }

  private needTools(what: string): NonNullable<Platform['runTool']> {
    if (!this.platform.runTool) throw new Error(`${what} needs the desktop VS Code: the browser cannot run programs`);
    return this.platform.runTool;
  }

  /**
   * Runs snow-precompile over the whole program of the current file (poll-points and liveness
   * are whole-program facts) into a scratch directory of the build tree, so that the build's own
   * outputs stay the build's; the fresh report replaces the build's in the editor.
   */
  async precompileCurrentFile(): Promise<void> {
    const run = this.needTools('Re-running the precompiler');
    if (this.targets.length === 0) await this.refresh();
    const target = this.currentTarget();
    await vscode.workspace.saveAll(false);
    const precompiler = precompilerPath() || (await locatePrecompiler(this.fs, this.codemodel)) || 'snow-precompile';
    const outDir = joinPath(buildDirectory(), '.snow-vscode', target.name);
    const argv = precompileCommand(precompiler, target, outDir);
    this.output.appendLine(`$ ${argv.join(' ')}`);
    const result = await run(argv, buildDirectory());
    this.output.append(result.stdout + result.stderr);
    if (result.code === 0) {
      await this.store.load(joinPath(outDir, 'snow-report.json'));
      vscode.window.showInformationMessage(`snow-precompile: ${target.name} precompiled`);
      return;
    }
    // On an error the precompiler writes no report: its console output is the diagnostics.
    const diagnostics = parsePrecompilerOutput(result.stderr);
    this.store.set(joinPath(outDir, 'snow-report.json'), {
      ...parseReport(JSON.stringify({ version: 1, program: target.name, units: target.sources.map((s) => ({ source: s, output: '' })) })),
      diagnostics,
    });
    const entries = diagnosticEntries({ ...parseReport('{"version":1}'), diagnostics });
    const first = entries.find((d) => d.severity === 'error') ?? entries[0];
    throw new Error(`snow-precompile refused ${target.name} (exit ${result.code})` + (first ? `: ${first.message} [${first.code}]` : `: ${result.stderr.trim().split('\n').pop()}`));
  }

  async buildTarget(name?: string): Promise<void> {
    const run = this.needTools('Building');
    if (this.targets.length === 0) await this.refresh();
    const target = name ? this.targets.find((t) => t.name === name) : this.currentTarget();
    if (!target) throw new Error(`no migratable target ${name}`);
    const argv = [cmakePath(), '--build', buildDirectory(), '--target', target.name];
    this.output.appendLine(`$ ${argv.join(' ')}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Building ${target.name}` },
      () => run(argv, buildDirectory()));
    this.output.append(result.stdout + result.stderr);
    if (result.code !== 0) {
      this.output.show(true);
      throw new Error(`cmake --build failed for ${target.name} (exit ${result.code}): ${result.stdout.trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    await this.store.load(target.report).catch(() => undefined);
    vscode.window.showInformationMessage(`Built ${target.name}`);
  }
}
