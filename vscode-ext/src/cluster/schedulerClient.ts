/**
 * A client of the scheduler's WebSocket JSON API v1 (docs/protocol.md): `hello` with the token,
 * requests matched to replies by id, events passed on to listeners. The socket comes from a
 * factory, so the browser's WebSocket (web extension host) and the `ws` package (Node) both fit,
 * and so does a fake in tests.
 */

/** The part of the WHATWG WebSocket interface used here (`ws` implements it too). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

export interface SchedulerEvent {
  event: string;
  time?: number;
  data: any;
}

/** A refusal by the scheduler (`code` from the protocol's error table) or a transport failure. */
export class SchedulerError extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
  }
}

export const API_VERSION = 1;

interface Pending {
  cmd: string;
  resolve(result: any): void;
  reject(error: Error): void;
}

export class SchedulerClient {
  private socket: SocketLike | undefined;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private eventListeners = new Set<(e: SchedulerEvent) => void>();
  private stateListeners = new Set<(s: ConnectionState, cause?: string) => void>();
  private _state: ConnectionState = 'disconnected';

  constructor(private readonly factory: SocketFactory) {}

  get state(): ConnectionState {
    return this._state;
  }

  onEvent(listener: (e: SchedulerEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (s: ConnectionState, cause?: string) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: ConnectionState, cause?: string): void {
    this._state = state;
    for (const l of this.stateListeners) l(state, cause);
  }

  /** Opens the connection and authenticates; rejects with the scheduler's reason on failure. */
  async connect(url: string, token: string): Promise<void> {
    this.close();
    this.setState('connecting');
    const socket = this.factory(url);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      let opened = false;
      socket.onopen = () => {
        opened = true;
        resolve();
      };
      socket.onerror = () => {
        if (!opened) reject(new SchedulerError('connection-failed', `cannot connect to the scheduler at ${url}`));
      };
      socket.onclose = (ev) => {
        if (!opened) {
          reject(new SchedulerError('connection-failed', `cannot connect to the scheduler at ${url} (closed with ${ev.code}${ev.reason ? ': ' + ev.reason : ''})`));
        }
        this.closed(socket, ev.code, ev.reason);
      };
      socket.onmessage = (ev) => this.received(String(ev.data));
    }).catch((e) => {
      this.closed(socket, 0, e.message);
      throw e;
    });
    try {
      const hello = await this.request('hello', { token, role: 'client' });
      if (hello?.api !== API_VERSION) throw new SchedulerError('unsupported-version', `the scheduler speaks API ${hello?.api}, this extension ${API_VERSION}`);
    } catch (e) {
      this.close();
      throw e;
    }
    this.setState('connected');
  }

  close(): void {
    const socket = this.socket;
    if (socket) {
      socket.onclose = null;
      socket.close();
      this.closed(socket, 1000, 'closed by the client');
    }
  }

  private closed(socket: SocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    const cause = `connection to the scheduler closed (${code}${reason ? ': ' + reason : ''})`;
    for (const p of this.pending.values()) p.reject(new SchedulerError('connection-closed', `${p.cmd}: ${cause}`));
    this.pending.clear();
    this.setState('disconnected', code === 1000 ? undefined : cause);
  }

  request(cmd: string, args: Record<string, unknown> = {}): Promise<any> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new SchedulerError('not-connected', `${cmd}: not connected to the scheduler`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { cmd, resolve, reject });
      socket.send(JSON.stringify({ v: API_VERSION, id, cmd, args }));
    });
  }

  private received(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      return; // The server only sends JSON; a broken frame is not worth tearing the link down.
    }
    if (typeof message.event === 'string') {
      const event: SchedulerEvent = { event: message.event, time: message.time, data: message.data ?? {} };
      for (const l of this.eventListeners) l(event);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) {
      // An error for a notification, or an unauthenticated/bad-token before close: surface it.
      if (message.ok === false) {
        const err = message.error ?? {};
        for (const l of this.eventListeners) l({ event: 'error', data: err });
      }
      return;
    }
    this.pending.delete(message.id);
    if (message.ok === true) {
      pending.resolve(message.result ?? {});
    } else {
      const err = message.error ?? {};
      pending.reject(new SchedulerError(String(err.code ?? 'error'), `${pending.cmd}: ${err.message ?? 'refused'} [${err.code ?? '?'}]`));
    }
  }
}
