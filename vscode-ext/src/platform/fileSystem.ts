/**
 * The file access the core logic needs, with POSIX-style absolute paths. The Node entry backs it
 * with `fs`; the web entry with `vscode.workspace.fs` (src/editor/workspaceFileSystem.ts), which
 * is what reaches files from the browser.
 */
export interface FileSystem {
  readText(path: string): Promise<string>;
  /** Writes the file, creating missing parent directories. */
  writeText(path: string, text: string): Promise<void>;
  /** Names of the entries of a directory; rejects when it does not exist. */
  list(dir: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
}

export function joinPath(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

export function dirname(path: string): string {
  const i = path.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function isAbsolute(path: string): boolean {
  return path.startsWith('/');
}
