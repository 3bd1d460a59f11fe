import * as assert from 'assert';
import { WebSocketServer, WebSocket as WsSocket } from 'ws';
import WebSocket from 'ws';
import { SchedulerClient, SchedulerError, SocketLike } from '../../src/cluster/schedulerClient';
import { ClusterModel } from '../../src/cluster/clusterModel';
import { migrate, checkpoint, PhaseReport } from '../../src/cluster/operations';
import { resolveEndpoint, normaliseAddress, defaultStateDir } from '../../src/cluster/connectionSettings';

const TOKEN = 'ab'.repeat(32);

/**
 * A fake snow-scheduler speaking API v1 as docs/protocol.md describes it: hello first, replies
 * by id, events after the reply. Each test scripts the commands it needs.
 */
class FakeScheduler {
  readonly server: WebSocketServer;
  readonly received: any[] = [];
  handlers: Record<string, (args: any, send: (m: object) => void, id: unknown) => object | undefined> = {};
  sockets: WsSocket[] = [];

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server.on('connection', (socket) => {
      this.sockets.push(socket);
      let authenticated = false;
      const send = (m: object) => socket.send(JSON.stringify({ v: 1, ...m }));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        this.received.push(message);
        if (!authenticated) {
          if (message.cmd !== 'hello') { send({ id: message.id, ok: false, error: { code: 'unauthenticated', message: 'send hello first' } }); socket.close(); return; }
          if (message.args?.token !== TOKEN) { send({ id: message.id, ok: false, error: { code: 'bad-token', message: 'wrong token' } }); socket.close(); return; }
          authenticated = true;
          send({ id: message.id, ok: true, result: { server: 'snow-scheduler', api: 1 } });
          return;
        }
        const handler = this.handlers[message.cmd];
        if (!handler) { send({ id: message.id, ok: false, error: { code: 'unknown-command', message: `no command ${message.cmd}` } }); return; }
        const result = handler(message.args, send, message.id);
        if (result) send({ id: message.id, ok: true, result });
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  close(): Promise<void> {
    this.sockets.forEach((s) => s.terminate());
    return new Promise((r) => this.server.close(() => r()));
  }
}

const factory = (url: string) => new WebSocket(url) as unknown as SocketLike;

describe('scheduler client against a fake scheduler', () => {
  let fake: FakeScheduler;
  let client: SchedulerClient;
  beforeEach(async () => {
    fake = new FakeScheduler();
    await new Promise((r) => fake.server.once('listening', r));
    client = new SchedulerClient(factory);
  });
  afterEach(async () => {
    client.close();
    await fake.close();
  });

  it('authenticates with hello and the token, as a client', async () => {
    const states: string[] = [];
    client.onState((s) => states.push(s));
    await client.connect(fake.url, TOKEN);
    assert.deepStrictEqual(fake.received[0], { v: 1, id: 1, cmd: 'hello', args: { token: TOKEN, role: 'client' } });
    assert.deepStrictEqual(states, ['connecting', 'connected']);
    assert.strictEqual(client.state, 'connected');
  });

  it('rejects a wrong token with the scheduler\'s reason and ends disconnected', async () => {
    await assert.rejects(client.connect(fake.url, 'cd'.repeat(32)),
      (e: Error) => e instanceof SchedulerError && e.code === 'bad-token' && /hello: wrong token \[bad-token\]/.test(e.message));
    assert.strictEqual(client.state, 'disconnected');
  });

  it('says where it tried when nothing listens', async () => {
    const url = fake.url;
    await fake.close();
    await assert.rejects(client.connect(url, TOKEN), (e: Error) => e.message.includes(`cannot connect to the scheduler at ${url}`));
  });

  it('matches replies to requests and passes refusals on with their code', async () => {
    fake.handlers['list-hosts'] = () => ({ hosts: [{ name: 'x86_64', platform: 'x86_64' }] });
    fake.handlers.kill = (args, send, id) => { send({ id, ok: false, error: { code: 'no-such-process', message: `no process ${args.process}` } }); return undefined; };
    await client.connect(fake.url, TOKEN);
    const [hosts, refused] = await Promise.allSettled([client.request('list-hosts'), client.request('kill', { process: 9 })]);
    assert.deepStrictEqual(hosts, { status: 'fulfilled', value: { hosts: [{ name: 'x86_64', platform: 'x86_64' }] } });
    assert.strictEqual(refused.status, 'rejected');
    assert.strictEqual((refused as PromiseRejectedResult).reason.code, 'no-such-process');
    assert.match((refused as PromiseRejectedResult).reason.message, /kill: no process 9 \[no-such-process\]/);
  });

  it('rejects requests in flight when the connection drops, with the cause', async () => {
    fake.handlers['list-processes'] = () => { fake.sockets[0].close(1011, 'scheduler stopping'); return undefined; };
    await client.connect(fake.url, TOKEN);
    let cause: string | undefined;
    client.onState((s, c) => { if (s === 'disconnected') cause = c; });
    await assert.rejects(client.request('list-processes'), /list-processes: connection to the scheduler closed \(1011: scheduler stopping\)/);
    assert.match(cause!, /1011/);
  });

  it('follows a migration through its phases to migration-done', async () => {
    fake.handlers.migrate = (args, send, id) => {
      // Events right behind the reply, in the order the scheduler sends them.
      send({ id, ok: true, result: { migration: 4, process: args.process, from: 'x86_64', to: args.host } });
      send({ event: 'migration-started', data: { migration: 4, process: args.process } });
      send({ event: 'migration-phase', data: { migration: 3, process: 99, phase: 'collect', state: 'begin' } }); // another one's
      send({ event: 'migration-phase', data: { migration: 4, process: args.process, phase: 'collect', state: 'begin' } });
      send({ event: 'migration-phase', data: { migration: 4, process: args.process, phase: 'collect', state: 'end', bytes: 4096, ms: 3 } });
      send({ event: 'migration-phase', data: { migration: 4, process: args.process, phase: 'restore', state: 'end', ms: 7 } });
      send({ event: 'migration-done', data: { migration: 4, process: args.process, from: 'x86_64', to: args.host, bytes: 4096, total_ms: 12 } });
      return undefined;
    };
    await client.connect(fake.url, TOKEN);
    const phases: PhaseReport[] = [];
    const done = await migrate(client, 1, 's390x', (p) => phases.push(p));
    assert.deepStrictEqual(fake.received[1].args, { process: 1, host: 's390x' });
    assert.deepStrictEqual(phases.map((p) => `${p.phase}/${p.state}`), ['collect/begin', 'collect/end', 'restore/end']);
    assert.deepStrictEqual([done.to, done.bytes], ['s390x', 4096]);
  });

  it('fails a migration with the reason and where the process runs now', async () => {
    fake.handlers.migrate = (args, send, id) => {
      send({ id, ok: true, result: { migration: 2, process: args.process } });
      send({ event: 'migration-failed', data: { migration: 2, process: args.process, from: 'x86_64', to: 'ppc', reason: 'restore timed out', host: 'x86_64' } });
      return undefined;
    };
    await client.connect(fake.url, TOKEN);
    await assert.rejects(migrate(client, 5, 'ppc'), /migration 2 of process 5 failed: restore timed out \(the process runs on x86_64\)/);
  });

  it('passes on a refused migration (already-migrating) without waiting for events', async () => {
    fake.handlers.migrate = (args, send, id) => { send({ id, ok: false, error: { code: 'already-migrating', message: `process ${args.process} is already migrating` } }); return undefined; };
    await client.connect(fake.url, TOKEN);
    await assert.rejects(migrate(client, 3, 'ppc'), (e: Error) => (e as SchedulerError).code === 'already-migrating');
  });

  it('checkpoints into a file and settles on checkpoint-done', async () => {
    fake.handlers.checkpoint = (args, send, id) => {
      send({ id, ok: true, result: { migration: 8, process: args.process, file: args.file } });
      send({ event: 'checkpoint-done', data: { migration: 8, process: args.process, bytes: 100 } });
      return undefined;
    };
    await client.connect(fake.url, TOKEN);
    const done = await checkpoint(client, 2, '/tmp/x.snow');
    assert.deepStrictEqual(fake.received[1].args, { process: 2, file: '/tmp/x.snow' });
    assert.strictEqual(done.bytes, 100);
  });

  it('keeps the cluster model current from events', async () => {
    let processes = [{ id: 1, program: 'heat', args: [], host: 'x86_64', state: 'running' }];
    fake.handlers.subscribe = () => ({ subscribed: [] });
    fake.handlers['list-hosts'] = () => ({ hosts: [{ name: 'x86_64', platform: 'x86_64' }, { name: 'ppc', platform: 'ppc' }] });
    fake.handlers['list-processes'] = () => ({ processes });
    await client.connect(fake.url, TOKEN);
    const model = new ClusterModel(client);
    await model.start();
    assert.strictEqual(fake.received[1].cmd, 'subscribe');
    assert.deepStrictEqual(model.processesOn('x86_64').map((p) => p.id), [1]);
    const changed = new Promise<void>((resolve) => model.onChange(() => { if (model.processesOn('ppc').length === 1) resolve(); }));
    processes = [{ ...processes[0], host: 'ppc' }];
    for (const s of fake.sockets) s.send(JSON.stringify({ v: 1, event: 'migration-done', data: { migration: 1, process: 1, to: 'ppc' } }));
    await changed;
    assert.deepStrictEqual(model.processesOn('x86_64'), []);
    for (const s of fake.sockets) s.send(JSON.stringify({ v: 1, event: 'host-left', data: { host: 'ppc' } }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepStrictEqual(model.hosts.map((h) => h.name), ['x86_64']);
  });
});

describe('scheduler connection settings', () => {
  const files = (entries: Record<string, string>) => ({
    readText: async (p: string) => { if (p in entries) return entries[p]; throw new Error(`ENOENT ${p}`); },
    writeText: async () => {}, list: async () => [], exists: async (p: string) => p in entries,
  });

  it('reads scheduler.json and the token from the state directory when no address is set', async () => {
    const endpoint = await resolveEndpoint(files({ '/s/scheduler.json': '{"port":4242,"pid":1,"listen":"127.0.0.1"}', '/s/token': TOKEN + '\n' }),
      { address: '', tokenFile: '', stateDir: '/s' });
    assert.deepStrictEqual(endpoint, { url: 'ws://127.0.0.1:4242', token: TOKEN });
  });

  it('explains a missing token file and a file that is no token', async () => {
    await assert.rejects(resolveEndpoint(files({}), { address: '7000', tokenFile: '/t', stateDir: '/s' }),
      /cannot read the scheduler's token file \/t \(ENOENT \/t\); set snowmigrate.scheduler.tokenFile/);
    await assert.rejects(resolveEndpoint(files({ '/t': 'secret' }), { address: '7000', tokenFile: '/t', stateDir: '/s' }), /does not hold a scheduler token/);
    await assert.rejects(resolveEndpoint(files({}), { address: '', tokenFile: '', stateDir: '/s' }), /snow cluster up/);
  });

  it('accepts the address forms and knows the default state directory', () => {
    assert.strictEqual(normaliseAddress('7000'), 'ws://127.0.0.1:7000');
    assert.strictEqual(normaliseAddress('box:7000'), 'ws://box:7000');
    assert.strictEqual(normaliseAddress('ws://box:1/'), 'ws://box:1/');
    assert.throws(() => normaliseAddress('http://box'), /not ws:\/\/host:port/);
    assert.strictEqual(defaultStateDir({ XDG_RUNTIME_DIR: '/run/user/7' }, 7), '/run/user/7/snow');
    assert.strictEqual(defaultStateDir({}, 7), '/tmp/snow-7');
  });
});
