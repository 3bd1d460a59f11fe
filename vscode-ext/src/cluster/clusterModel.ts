/**
 * What the cluster tree shows: hosts and their processes, kept current from the scheduler's
 * events. Host load is applied from `host-load` events directly; any process or migration event
 * re-reads the process table (`list-processes`), which is small and always right.
 */
import { SchedulerClient, SchedulerEvent } from './schedulerClient';

export interface HostInfo {
  name: string;
  platform: string;
  byte_order?: string;
  word_size?: number;
  cpus?: number;
  load?: number;
  processes?: number;
}

export interface ProcessInfo {
  id: number;
  program: string;
  args: string[];
  host: string;
  state: string;
  pid?: number;
  migrations?: number;
  platforms?: string[];
}

export class ClusterModel {
  hosts: HostInfo[] = [];
  processes: ProcessInfo[] = [];
  private listeners = new Set<() => void>();
  private refreshing: Promise<void> | undefined;

  constructor(private readonly client: SchedulerClient) {
    client.onEvent((e) => this.apply(e));
    client.onState((s) => {
      if (s === 'disconnected') {
        this.hosts = [];
        this.processes = [];
        this.changed();
      }
    });
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  async refresh(): Promise<void> {
    const [hosts, processes] = await Promise.all([
      this.client.request('list-hosts'), this.client.request('list-processes')]);
    this.hosts = hosts.hosts ?? [];
    this.processes = processes.processes ?? [];
    this.changed();
  }

  /** After connecting: the tables, then every event from now on. */
  async start(): Promise<void> {
    await this.client.request('subscribe', {});
    await this.refresh();
  }

  processesOn(host: string): ProcessInfo[] {
    return this.processes.filter((p) => p.host === host);
  }

  private apply(e: SchedulerEvent): void {
    const d = e.data ?? {};
    if (e.event === 'host-joined') {
      this.hosts = [...this.hosts.filter((h) => h.name !== d.name), d];
      this.changed();
    } else if (e.event === 'host-left') {
      this.hosts = this.hosts.filter((h) => h.name !== d.host);
      this.changed();
    } else if (e.event === 'host-load') {
      const h = this.hosts.find((x) => x.name === d.host);
      if (h) {
        h.load = d.load;
        h.processes = d.processes;
        this.changed();
      }
    } else if (/^(process|migration|checkpoint)-/.test(e.event) && e.event !== 'process-output' && e.event !== 'migration-phase') {
      this.refreshSoon();
    }
  }

  private refreshSoon(): void {
    if (this.refreshing) return;
    this.refreshing = this.refresh().catch(() => undefined).finally(() => (this.refreshing = undefined));
  }
}
