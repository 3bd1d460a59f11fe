/**
 * The SnowMigrate build tree the live tests use (snow-precompile, the manifest, the cluster):
 * $SNOWMIGRATE_BUILD_DIR (CTest sets it), else build/default of this repository.
 */
import * as fs from 'fs';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '../../../..');
export const EXTENSION_DIR = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(EXTENSION_DIR, 'test/fixtures');

export function snowBuildDir(): string | undefined {
  const dir = process.env.SNOWMIGRATE_BUILD_DIR || path.join(REPO, 'build/default');
  return fs.existsSync(path.join(dir, 'SnowMigrateConfig.cmake')) ? dir : undefined;
}

export function snowTool(relative: string): string | undefined {
  const dir = snowBuildDir();
  const tool = dir && path.join(dir, relative);
  return tool && fs.existsSync(tool) ? tool : undefined;
}

export function skipWithout(ctx: Mocha.Context, what: string | undefined, why: string): asserts what is string {
  if (!what) {
    console.log(`      skipped: ${why} (set SNOWMIGRATE_BUILD_DIR to a SnowMigrate build tree)`);
    ctx.skip();
  }
}
