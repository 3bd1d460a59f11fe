/**
 * Where the scheduler is and how to authenticate, from the settings
 * (`snowmigrate.scheduler.address`, `.tokenFile`, `.stateDir`) and, when the address is empty,
 * from `<state-dir>/scheduler.json` as the scheduler writes it (docs/protocol.md).
 */
import { FileSystem, joinPath } from '../platform/fileSystem';

export interface SchedulerSettings {
  address: string;
  tokenFile: string;
  stateDir: string;
}

export interface SchedulerEndpoint {
  url: string;
  token: string;
}

export class ConnectionSettingsError extends Error {}

/** `$XDG_RUNTIME_DIR/snow`, or `/tmp/snow-<uid>` (what snow-scheduler uses by default). */
export function defaultStateDir(env: Record<string, string | undefined>, uid: number | undefined): string {
  if (env.XDG_RUNTIME_DIR) return joinPath(env.XDG_RUNTIME_DIR, 'snow');
  return `/tmp/snow-${uid ?? 0}`;
}

export function normaliseAddress(address: string): string {
  const a = address.trim();
  if (/^wss?:\/\//.test(a)) return a;
  if (/^[\w.\-\[\]:]+:\d+$/.test(a)) return `ws://${a}`;
  if (/^\d+$/.test(a)) return `ws://127.0.0.1:${a}`;
  throw new ConnectionSettingsError(`snowmigrate.scheduler.address "${address}" is not ws://host:port, host:port or a port`);
}

export async function resolveEndpoint(fs: FileSystem, settings: SchedulerSettings): Promise<SchedulerEndpoint> {
  let url: string;
  if (settings.address.trim()) {
    url = normaliseAddress(settings.address);
  } else {
    const info = joinPath(settings.stateDir, 'scheduler.json');
    let text: string;
    try {
      text = await fs.readText(info);
    } catch (e) {
      throw new ConnectionSettingsError(`no scheduler address: snowmigrate.scheduler.address is empty and ${info} cannot be read (${(e as Error).message}); start a cluster with "snow cluster up" or set the address`);
    }
    const parsed = JSON.parse(text);
    const host = !parsed.listen || parsed.listen === '0.0.0.0' ? '127.0.0.1' : parsed.listen;
    url = `ws://${host}:${parsed.port}`;
  }
  const tokenFile = settings.tokenFile.trim() || joinPath(settings.stateDir, 'token');
  let token: string;
  try {
    token = (await fs.readText(tokenFile)).trim();
  } catch (e) {
    throw new ConnectionSettingsError(`cannot read the scheduler's token file ${tokenFile} (${(e as Error).message}); set snowmigrate.scheduler.tokenFile`);
  }
  if (!/^[0-9a-f]{64}$/i.test(token)) throw new ConnectionSettingsError(`${tokenFile} does not hold a scheduler token (64 hex digits)`);
  return { url, token };
}
