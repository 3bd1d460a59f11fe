/**
 * Migratable targets: SnowMigrate's manifest (snow-migratable-targets.json, written by
 * cmake/SnowMigrate.cmake in the top build directory) joined with the File API codemodel, which
 * adds what the manifest does not say: the target's compile flags and whether CMake still knows it.
 */
import { FileSystem, joinPath, dirname } from '../platform/fileSystem';
import { CodeModel } from './fileApi';

export const MANIFEST_NAME = 'snow-migratable-targets.json';

export interface ManifestTarget {
  name: string;
  poll_points: string;
  sources: string[];
  report: string;
  executables: Record<string, string>;
  emulators: Record<string, string[]>;
}

export interface MigratableTarget extends ManifestTarget {
  /** -I/-D flags of the target, from the codemodel ([] without one). */
  compileFlags: string[];
  /** The codemodel knows a target of this name (it can be built with cmake --build --target). */
  inCodeModel: boolean;
}

export class ManifestError extends Error {}

export function parseManifest(text: string, origin = MANIFEST_NAME): ManifestTarget[] {
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${origin} is not JSON: ${(e as Error).message}`);
  }
  if (raw?.version !== 1) throw new ManifestError(`${origin}: manifest version ${raw?.version} is not supported (need 1)`);
  if (!Array.isArray(raw.targets)) throw new ManifestError(`${origin}: "targets" is not an array`);
  return raw.targets.map((t: any) => ({
    name: String(t.name),
    poll_points: String(t.poll_points ?? 'directives'),
    sources: Array.isArray(t.sources) ? t.sources.map(String) : [],
    report: String(t.report ?? ''),
    executables: { ...(t.executables ?? {}) },
    emulators: { ...(t.emulators ?? {}) },
  }));
}

export async function readManifest(fs: FileSystem, buildDir: string): Promise<ManifestTarget[]> {
  const path = joinPath(buildDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await fs.readText(path);
  } catch (e) {
    throw new ManifestError(`no ${MANIFEST_NAME} in ${buildDir} (${(e as Error).message}): ` +
      'is this a build tree of a project that uses snow_add_migratable_executable()?');
  }
  return parseManifest(text, path);
}

export function combine(manifest: ManifestTarget[], codemodel: CodeModel | undefined): MigratableTarget[] {
  return manifest.map((m) => {
    const t = codemodel?.targets.find((c) => c.name === m.name);
    return { ...m, compileFlags: t?.compileFlags ?? [], inCodeModel: t !== undefined };
  });
}

export function targetOfSource(targets: MigratableTarget[], file: string): MigratableTarget | undefined {
  return targets.find((t) => t.sources.includes(file));
}

/**
 * Where snow-precompile is: a target of this very tree (SnowMigrate's own build), else the
 * SnowMigrate build tree that find_package(SnowMigrate) used (its config names the tool).
 */
export async function locatePrecompiler(fs: FileSystem, codemodel: CodeModel | undefined): Promise<string | undefined> {
  const own = codemodel?.targets.find((t) => t.name === 'snow-precompile')?.artifacts[0];
  if (own) return own;
  const dir = codemodel?.cache.get('SnowMigrate_DIR');
  if (dir && !dir.endsWith('-NOTFOUND')) {
    try {
      const config = await fs.readText(joinPath(dir, 'SnowMigrateConfig.cmake'));
      const m = /set\(SNOW_PRECOMPILE_EXECUTABLE\s+(?:\[=*\[(.*?)\]=*\]|"([^"]*)")\)/.exec(config);
      if (m) return m[1] ?? m[2];
    } catch {
      // No config there: fall through to the setting / PATH.
    }
  }
  return undefined;
}

/** The precompiler command line the build runs for `target` (cmake/SnowMigrate.cmake), into `outDir`. */
export function precompileCommand(precompiler: string, target: MigratableTarget, outDir: string): string[] {
  return [precompiler, '--poll-points', target.poll_points, '-o', outDir, '--report', joinPath(outDir, 'snow-report.json'),
    '--program', target.name, ...target.sources, '--', ...target.compileFlags];
}

export function reportDirOf(target: MigratableTarget): string {
  return dirname(target.report);
}
