/**
 * The CMake File API (cmake-file-api(7)), client `client-snow`: write the query before a
 * configure, read the newest reply index after it, follow it to the codemodel and its targets.
 * Like vscode-cmake-tools' cmakeFileApi.ts it accepts any minor version of an object kind whose
 * major version it understands.
 */
import { FileSystem, joinPath } from '../platform/fileSystem';

export const CLIENT = 'client-snow';

export interface CodeModelTarget {
  name: string;
  type: string;
  /** Absolute paths of the target's sources. */
  sources: string[];
  /** Absolute paths of its artifacts (the executable for executables). */
  artifacts: string[];
  /** Compiler flags for C sources: -I… and -D…, as the build passes them. */
  compileFlags: string[];
}

export interface CodeModel {
  sourceDir: string;
  buildDir: string;
  configuration: string;
  targets: CodeModelTarget[];
  /** Entries of the CMake cache, when the reply has cache-v2. */
  cache: Map<string, string>;
}

export class FileApiError extends Error {}

export function queryPath(buildDir: string): string {
  return joinPath(buildDir, '.cmake/api/v1/query', CLIENT, 'query.json');
}

/** Writes the query; CMake answers it at the next configure of `buildDir`. */
export async function writeQuery(fs: FileSystem, buildDir: string): Promise<string> {
  const path = queryPath(buildDir);
  const query = {
    requests: [
      { kind: 'codemodel', version: 2 },
      { kind: 'cache', version: 2 },
    ],
    client: { snowmigrate: { purpose: 'migratable targets for the SnowMigrate VS Code extension' } },
  };
  await fs.writeText(path, JSON.stringify(query, null, 2) + '\n');
  return path;
}

async function readJson(fs: FileSystem, path: string): Promise<any> {
  let text: string;
  try {
    text = await fs.readText(path);
  } catch (e) {
    throw new FileApiError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FileApiError(`${path} is not JSON: ${(e as Error).message}`);
  }
}

/** The newest `index-*.json` of the reply directory (names sort by time: cmake-file-api(7)). */
export async function newestReplyIndex(fs: FileSystem, buildDir: string): Promise<string> {
  const replyDir = joinPath(buildDir, '.cmake/api/v1/reply');
  let names: string[];
  try {
    names = await fs.list(replyDir);
  } catch {
    throw new FileApiError(`no CMake File API reply in ${replyDir}: configure ${buildDir} (cmake -S … -B ${buildDir}) after the query is written`);
  }
  const indexes = names.filter((n) => /^index-.*\.json$/.test(n)).sort();
  if (indexes.length === 0) throw new FileApiError(`no index-*.json in ${replyDir}: configure ${buildDir} again`);
  return joinPath(replyDir, indexes[indexes.length - 1]);
}

function absolute(base: string, path: string): string {
  return path.startsWith('/') ? path : joinPath(base, path);
}

function checkMajor(object: any, kind: string, major: number, where: string): void {
  const v = object?.version?.major;
  if (v !== major) throw new FileApiError(`${where}: ${kind} version ${v} is not supported (need ${major}.x)`);
}

/** Reads the codemodel that the newest reply gives our client. */
export async function readCodeModel(fs: FileSystem, buildDir: string, configuration?: string): Promise<CodeModel> {
  const indexPath = await newestReplyIndex(fs, buildDir);
  const index = await readJson(fs, indexPath);
  const replyDir = joinPath(buildDir, '.cmake/api/v1/reply');
  const responses: any[] = index?.reply?.[CLIENT]?.['query.json']?.responses;
  if (!Array.isArray(responses)) {
    throw new FileApiError(`${indexPath} has no answer for ${CLIENT}: the query was written after the last configure; configure again`);
  }
  const codemodelRef = responses.find((r) => r.kind === 'codemodel');
  if (!codemodelRef) {
    const error = responses.find((r) => r.error)?.error;
    throw new FileApiError(`${indexPath}: no codemodel in the reply${error ? ` (CMake says: ${error})` : ''}`);
  }
  checkMajor(codemodelRef, 'codemodel', 2, indexPath);
  const codemodel = await readJson(fs, joinPath(replyDir, codemodelRef.jsonFile));
  const configurations: any[] = codemodel.configurations ?? [];
  const config = configuration !== undefined
    ? configurations.find((c) => c.name === configuration)
    : configurations[0];
  if (!config) throw new FileApiError(`codemodel has no configuration ${configuration ?? ''}`.trim());
  const sourceDir: string = codemodel.paths?.source ?? '';
  const build: string = codemodel.paths?.build ?? buildDir;

  const targets: CodeModelTarget[] = [];
  for (const ref of config.targets ?? []) {
    const t = await readJson(fs, joinPath(replyDir, ref.jsonFile));
    const flags: string[] = [];
    for (const group of t.compileGroups ?? []) {
      if (group.language !== 'C') continue;
      for (const inc of group.includes ?? []) flags.push('-I' + absolute(sourceDir, inc.path));
      for (const def of group.defines ?? []) flags.push('-D' + def.define);
    }
    targets.push({
      name: t.name,
      type: t.type,
      sources: (t.sources ?? []).filter((s: any) => !s.isGenerated).map((s: any) => absolute(sourceDir, s.path)),
      artifacts: (t.artifacts ?? []).map((a: any) => absolute(build, a.path)),
      compileFlags: [...new Set(flags)],
    });
  }

  const cache = new Map<string, string>();
  const cacheRef = responses.find((r) => r.kind === 'cache');
  if (cacheRef && cacheRef.version?.major === 2) {
    const c = await readJson(fs, joinPath(replyDir, cacheRef.jsonFile));
    for (const entry of c.entries ?? []) cache.set(entry.name, String(entry.value));
  }
  return { sourceDir, buildDir: build, configuration: config.name, targets, cache };
}
