import * as fs from 'fs/promises';
import * as path from 'path';
import { execFile } from 'child_process';
import WebSocket from 'ws';
import { Platform } from '../platform/platform';
import { FileSystem } from '../platform/fileSystem';
import { SocketLike } from '../cluster/schedulerClient';

export const nodeFileSystem: FileSystem = {
  readText: (p) => fs.readFile(p, 'utf8'),
  async writeText(p, text) {
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, text);
  },
  list: (dir) => fs.readdir(dir),
  exists: (p) => fs.access(p).then(() => true, () => false),
};

export function nodePlatform(): Platform {
  return {
    name: 'node',
    diskFileSystem: nodeFileSystem,
    socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
    runTool: (argv, cwd) => new Promise((resolve, reject) => {
      execFile(argv[0], argv.slice(1), { cwd, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`cannot run ${argv[0]}: ${error.message}`));
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      });
    }),
    env: process.env,
    uid: process.getuid?.(),
  };
}
