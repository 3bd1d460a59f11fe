// A local SnowMigrate cluster (snow-scheduler + one snowd per host) through the snow CLI, as
// tests/system/cli_test.sh starts it; torn down with `snow cluster down`.
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';

export class Cluster {
  constructor(snow, manifest) {
    this.snow = snow;
    this.manifest = manifest;
    this.stateDir = mkdtempSync(path.join(os.tmpdir(), 'snow-vscode-cluster-'));
  }

  cli(args, options = {}) {
    return execFileSync(this.snow, ['--state-dir', this.stateDir, ...args], { encoding: 'utf8', ...options });
  }

  up(hosts) {
    this.cli(['cluster', 'up', '--manifest', this.manifest, '--hosts', hosts.join(',')]);
    const info = JSON.parse(readFileSync(path.join(this.stateDir, 'scheduler.json'), 'utf8'));
    this.port = info.port;
    this.tokenFile = info.token_file;
  }

  /** Starts a program detached and returns its process id. */
  run(program, args, on) {
    const idFile = path.join(this.stateDir, `id-${Date.now()}`);
    this.cli(['run', program, '--on', on, '--detach', '--id-file', idFile, '--', ...args]);
    return Number(readFileSync(idFile, 'utf8').trim());
  }

  ps() {
    return JSON.parse(this.cli(['--json', 'ps']));
  }

  down({ keepState = false } = {}) {
    // `snow cluster down` stops the scheduler and the daemons, but the processes they started
    // run on (seen: migrated heat samples left under qemu), so the test ends its own first.
    try {
      const running = () => this.ps().filter((p) => p.state !== 'exited');
      for (const p of running()) this.cli(['kill', String(p.id), '--signal', '9']);
      for (let i = 0; i < 50 && running().length > 0; i++) execFileSync('sleep', ['0.1']);
    } catch (e) {
      console.log(`  could not end the cluster's processes: ${e.message}`);
    }
    try {
      this.cli(['cluster', 'down']);
    } catch {
      // already down
    }
    if (keepState) console.log(`  cluster state and logs kept in ${this.stateDir}`);
    else rmSync(this.stateDir, { recursive: true, force: true });
  }
}
