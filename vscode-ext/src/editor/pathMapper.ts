/**
 * Disk paths (what the build, the report and the manifest name) ↔ editor URIs. On the desktop
 * they are the same file: URIs. In VS Code for the web the workspace is mounted under another
 * scheme and root, so `snowmigrate.workspaceDiskPath` says where it lives on disk.
 */
import * as vscode from 'vscode';
import { FileSystem } from '../platform/fileSystem';

export class PathMapper {
  constructor(private readonly folder: vscode.Uri | undefined, private readonly diskRoot: string) {}

  private get folderPath(): string {
    return (this.folder?.path ?? '').replace(/\/$/, '');
  }

  toDisk(uri: vscode.Uri): string {
    const root = this.diskRoot.replace(/\/$/, '');
    if (this.folder && uri.scheme === this.folder.scheme && root && uri.path.startsWith(this.folderPath + '/')) {
      return root + uri.path.slice(this.folderPath.length);
    }
    return uri.scheme === 'file' ? uri.fsPath : uri.path;
  }

  toUri(diskPath: string): vscode.Uri {
    const root = this.diskRoot.replace(/\/$/, '');
    if (this.folder && root && (diskPath === root || diskPath.startsWith(root + '/'))) {
      return this.folder.with({ path: this.folderPath + diskPath.slice(root.length) });
    }
    return vscode.Uri.file(diskPath);
  }
}

/** FileSystem over vscode.workspace.fs: reaches mounted workspaces in the browser. */
export function workspaceFileSystem(mapper: PathMapper): FileSystem {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return {
    readText: async (p) => decoder.decode(await vscode.workspace.fs.readFile(mapper.toUri(p))),
    async writeText(p, text) {
      const uri = mapper.toUri(p);
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
      await vscode.workspace.fs.writeFile(uri, encoder.encode(text));
    },
    list: async (dir) => (await vscode.workspace.fs.readDirectory(mapper.toUri(dir))).map(([name]) => name),
    exists: (p) => Promise.resolve(vscode.workspace.fs.stat(mapper.toUri(p))).then(() => true, () => false),
  };
}
