/** What differs between the desktop (Node) and the web extension host, behind one interface. */
import { FileSystem } from './fileSystem';
import { SocketFactory } from '../cluster/schedulerClient';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Platform {
  name: 'node' | 'web';
  /** Reads files by disk path; undefined means "use the workspace file system". */
  diskFileSystem?: FileSystem;
  socketFactory: SocketFactory;
  /** Runs a program (snow-precompile, cmake); absent in the browser, which cannot. */
  runTool?: (argv: string[], cwd: string) => Promise<ToolResult>;
  env: Record<string, string | undefined>;
  uid?: number;
}
