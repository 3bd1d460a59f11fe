/** Commands that act on the cluster: connect, run a migratable target, migrate, checkpoint. */
import * as vscode from 'vscode';
import { ClusterModel, ProcessInfo } from '../cluster/clusterModel';
import { SchedulerClient } from '../cluster/schedulerClient';
import { resolveEndpoint } from '../cluster/connectionSettings';
import { checkpoint, describePhase, migrate } from '../cluster/operations';
import { FileSystem } from '../platform/fileSystem';
import { Platform } from '../platform/platform';
import { ConnectionStatus } from './clusterView';
import { schedulerSettings } from './settings';
import { TargetsController } from './targetsView';

export class ClusterCommands {
  constructor(private readonly client: SchedulerClient, private readonly model: ClusterModel,
              private readonly status: ConnectionStatus, private readonly fs: FileSystem,
              private readonly platform: Platform, private readonly targets: TargetsController) {}

  async connect(): Promise<void> {
    const endpoint = await resolveEndpoint(this.fs, schedulerSettings(this.platform));
    this.status.url = endpoint.url;
    this.status.cause = undefined;
    await this.client.connect(endpoint.url, endpoint.token);
    await this.model.start();
  }

  async ensureConnected(): Promise<void> {
    if (this.client.state !== 'connected') await this.connect();
  }

  private async pickProcess(title: string, arg?: unknown): Promise<ProcessInfo | undefined> {
    const fromTree = (arg as { process?: ProcessInfo } | undefined)?.process;
    if (fromTree) return fromTree;
    await this.model.refresh();
    const running = this.model.processes.filter((p) => p.state === 'running');
    if (running.length === 0) throw new Error('no running process in the cluster (run one with "SnowMigrate: Run Migratable Target…")');
    const pick = await vscode.window.showQuickPick(running.map((p) => ({
      label: `${p.id}: ${p.program}`, description: `on ${p.host}`, detail: p.args.join(' '), process: p,
    })), { title, placeHolder: 'process' });
    return pick?.process;
  }

  async runTarget(): Promise<void> {
    await this.ensureConnected();
    if (this.targets.targets.length === 0) await this.targets.refresh().catch(() => undefined);
    const names = this.targets.targets.map((t) => t.name);
    const program = names.length > 0
      ? (await vscode.window.showQuickPick(names, { title: 'Run migratable target', placeHolder: 'target' }))
      : await vscode.window.showInputBox({ title: 'Run migratable target', prompt: 'manifest target name or executable path' });
    if (!program) return;
    const args = await vscode.window.showInputBox({ title: `Arguments for ${program}`, prompt: 'space-separated arguments', value: '' });
    if (args === undefined) return;
    await this.model.refresh();
    const on = await vscode.window.showQuickPick(
      [{ label: '(least loaded host)', host: undefined as string | undefined },
        ...this.model.hosts.map((h) => ({ label: h.name, description: h.platform, host: h.name as string | undefined }))],
      { title: `Run ${program} on` });
    if (!on) return;
    const result = await this.client.request('run', {
      program, args: args.split(/\s+/).filter(Boolean), ...(on.host ? { on: on.host } : {}),
    });
    vscode.window.showInformationMessage(`Started process ${result.process.id} (${result.process.program}) on ${result.process.host}`);
  }

  async migrateProcess(arg?: unknown): Promise<void> {
    await this.ensureConnected();
    const process = await this.pickProcess('Migrate process', arg);
    if (!process) return;
    const destinations = this.model.hosts.filter((h) => h.name !== process.host);
    if (destinations.length === 0) throw new Error(`no other host to migrate process ${process.id} to`);
    const built = new Set(process.platforms ?? []);
    const pick = await vscode.window.showQuickPick(destinations.map((h) => ({
      label: h.name,
      description: `${h.platform}, ${h.byte_order}-endian, ${h.word_size}-byte words`,
      detail: built.size > 0 && !built.has(h.platform) ? `no build of ${process.program} for ${h.platform}` : undefined,
      host: h.name,
    })), { title: `Migrate process ${process.id} (${process.program}) from ${process.host} to` });
    if (!pick) return;
    const done = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Migrating process ${process.id} ${process.host} → ${pick.host}`,
    }, (progress) => migrate(this.client, process.id, pick.host, (p) => progress.report({ message: describePhase(p) })));
    vscode.window.showInformationMessage(`Process ${process.id} migrated ${done.from} → ${done.to}: ${done.bytes} bytes in ${Math.round(done.total_ms)} ms`);
  }

  async checkpointProcess(arg?: unknown): Promise<void> {
    await this.ensureConnected();
    const process = await this.pickProcess('Checkpoint process', arg);
    if (!process) return;
    const file = await vscode.window.showInputBox({
      title: `Checkpoint process ${process.id} into`, prompt: 'absolute path of the checkpoint file',
      value: `/tmp/${process.program}-${process.id}.snow`,
      validateInput: (v) => (v.startsWith('/') ? undefined : 'the scheduler needs an absolute path'),
    });
    if (!file) return;
    const done = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Checkpointing process ${process.id}`,
    }, (progress) => checkpoint(this.client, process.id, file, (p) => progress.report({ message: describePhase(p) })));
    vscode.window.showInformationMessage(`Process ${process.id} checkpointed to ${file} (${done.bytes} bytes); it keeps running`);
  }
}
