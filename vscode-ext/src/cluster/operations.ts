/**
 * Long operations on the cluster (migrate, checkpoint) as promises that settle with the
 * scheduler's final event, reporting each phase on the way. Events are collected from before the
 * request is sent: the reply carries the migration id, and events must not be missed if the
 * scheduler sends them quickly.
 */
import { SchedulerClient, SchedulerError, SchedulerEvent } from './schedulerClient';

export interface PhaseReport {
  phase: string;
  state: 'begin' | 'end';
  bytes?: number;
  ms?: number;
}

async function followMigration(client: SchedulerClient, send: () => Promise<any>, doneEvent: string,
                               failedEvent: string, onPhase: (p: PhaseReport) => void): Promise<any> {
  const seen: SchedulerEvent[] = [];
  let migration: number | undefined;
  let settle: ((e: SchedulerEvent) => void) | undefined;
  const finished = new Promise<SchedulerEvent>((resolve) => (settle = resolve));
  const consider = (e: SchedulerEvent) => {
    if (e.data?.migration !== migration) return;
    if (e.event === 'migration-phase') onPhase({ phase: e.data.phase, state: e.data.state, bytes: e.data.bytes, ms: e.data.ms });
    if (e.event === doneEvent || e.event === failedEvent) settle!(e);
  };
  const stopListening = client.onEvent((e) => (migration === undefined ? seen.push(e) : consider(e)));
  const closed = new Promise<never>((_, reject) => {
    const off = client.onState((s, cause) => {
      if (s === 'disconnected') {
        off();
        reject(new SchedulerError('connection-closed', cause ?? 'the connection to the scheduler closed'));
      }
    });
  });
  try {
    const reply = await send();
    migration = reply.migration;
    seen.forEach(consider);
    const final = await Promise.race([finished, closed]);
    if (final.event === failedEvent) {
      throw new SchedulerError(failedEvent, `${failedEvent === 'checkpoint-failed' ? 'checkpoint' : 'migration'} ${migration} of process ${final.data.process} failed: ${final.data.reason}` +
        (final.data.host ? ` (the process runs on ${final.data.host})` : ''));
    }
    return final.data;
  } finally {
    stopListening();
  }
}

/** Migrates a process; resolves with the `migration-done` data. */
export function migrate(client: SchedulerClient, process: number, host: string,
                        onPhase: (p: PhaseReport) => void = () => {}): Promise<any> {
  return followMigration(client, () => client.request('migrate', { process, host }), 'migration-done', 'migration-failed', onPhase);
}

/** Checkpoints a process into `file` (absolute); resolves with the `checkpoint-done` data. */
export function checkpoint(client: SchedulerClient, process: number, file: string,
                           onPhase: (p: PhaseReport) => void = () => {}): Promise<any> {
  return followMigration(client, () => client.request('checkpoint', { process, file }), 'checkpoint-done', 'checkpoint-failed', onPhase);
}

export function describePhase(p: PhaseReport): string {
  const extra = [p.bytes !== undefined ? `${p.bytes} bytes` : '', p.ms !== undefined ? `${p.ms} ms` : ''].filter(Boolean).join(', ');
  return `${p.phase} ${p.state === 'begin' ? 'started' : 'done'}${extra ? ` (${extra})` : ''}`;
}
