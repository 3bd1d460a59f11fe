import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { writeQuery, readCodeModel, queryPath, newestReplyIndex, FileApiError } from '../../src/cmake/fileApi';
import { combine, readManifest, locatePrecompiler, precompileCommand, targetOfSource, parseManifest } from '../../src/cmake/migratableTargets';
import { nodeFileSystem } from '../../src/node/nodePlatform';
import { FIXTURES, skipWithout, snowBuildDir } from './snowTree';

function cmake(args: string[]): void {
  const result = spawnSync('cmake', args, { encoding: 'utf8' });
  assert.strictEqual(result.status, 0, `cmake ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
}

describe('CMake File API (real cmake)', function () {
  this.timeout(180000);
  let work: string;
  before(function () {
    if (spawnSync('cmake', ['--version']).status !== 0) {
      console.log('      skipped: no cmake on PATH');
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'snow-vscode-fileapi-'));
    fs.mkdirSync(path.join(work, 'src/include'), { recursive: true });
    fs.writeFileSync(path.join(work, 'src/CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.20)', 'project(plain LANGUAGES C)',
      'add_executable(tool main.c util.c)', 'target_include_directories(tool PRIVATE include)',
      'target_compile_definitions(tool PRIVATE STEP=3 FAST)', 'add_library(helpers STATIC util.c)', ''].join('\n'));
    fs.writeFileSync(path.join(work, 'src/main.c'), 'int util(void);\nint main(void) { return util(); }\n');
    fs.writeFileSync(path.join(work, 'src/util.c'), 'int util(void) { return 0; }\n');
  });
  after(() => work && fs.rmSync(work, { recursive: true, force: true }));

  it('says what to do before any configure', async () => {
    const build = path.join(work, 'never-configured');
    await assert.rejects(readCodeModel(nodeFileSystem, build), (e: Error) => e instanceof FileApiError && /no CMake File API reply in .*configure/.test(e.message));
  });

  it('says to configure again when the reply predates the query', async () => {
    const build = path.join(work, 'late-query');
    cmake(['-S', path.join(work, 'src'), '-B', build]);
    fs.mkdirSync(path.join(build, '.cmake/api/v1/reply'), { recursive: true }); // as left by another client
    fs.writeFileSync(path.join(build, '.cmake/api/v1/reply/index-2000-01-01T00-00-00-0000.json'), '{"reply":{}}');
    await writeQuery(nodeFileSystem, build);
    await assert.rejects(readCodeModel(nodeFileSystem, build), /no answer for client-snow.*configure again/);
  });

  it('reads targets, sources and flags from the reply cmake 3.25 writes', async () => {
    const build = path.join(work, 'build');
    const query = await writeQuery(nodeFileSystem, build);
    assert.strictEqual(query, queryPath(build));
    assert.match(query, /\.cmake\/api\/v1\/query\/client-snow\/query\.json$/);
    cmake(['-S', path.join(work, 'src'), '-B', build]);
    const first = await newestReplyIndex(nodeFileSystem, build);
    // A second configure writes a newer index: that one is read.
    await new Promise((r) => setTimeout(r, 1100));
    cmake(['-S', path.join(work, 'src'), '-B', build]);
    const second = await newestReplyIndex(nodeFileSystem, build);
    assert.ok(second > first, `${second} is not newer than ${first}`);

    const model = await readCodeModel(nodeFileSystem, build);
    assert.strictEqual(model.sourceDir, path.join(work, 'src'));
    const tool = model.targets.find((t) => t.name === 'tool')!;
    assert.strictEqual(tool.type, 'EXECUTABLE');
    assert.deepStrictEqual(tool.sources, [path.join(work, 'src/main.c'), path.join(work, 'src/util.c')]);
    assert.deepStrictEqual(tool.artifacts, [path.join(build, 'tool')]);
    assert.deepStrictEqual(tool.compileFlags.sort(), ['-DFAST', '-DSTEP=3', `-I${path.join(work, 'src/include')}`].sort());
    assert.strictEqual(model.targets.find((t) => t.name === 'helpers')!.type, 'STATIC_LIBRARY');
    assert.strictEqual(model.cache.get('CMAKE_PROJECT_NAME'), 'plain');
  });

  it('joins the SnowMigrate manifest of a migratable project with the codemodel', async function () {
    const snow = snowBuildDir();
    skipWithout(this, snow, 'no SnowMigrate build tree for find_package(SnowMigrate)');
    const build = path.join(work, 'heat-build');
    await writeQuery(nodeFileSystem, build);
    cmake(['-S', path.join(FIXTURES, 'heat'), '-B', build, `-DSnowMigrate_DIR=${snow}`]);
    const model = await readCodeModel(nodeFileSystem, build);
    const targets = combine(await readManifest(nodeFileSystem, build), model);
    const heat = targets.find((t) => t.name === 'heat')!;
    const source = path.join(FIXTURES, 'heat/heat.c');
    assert.ok(heat, `no heat in ${targets.map((t) => t.name)}`);
    assert.strictEqual(heat.inCodeModel, true);
    assert.deepStrictEqual(heat.sources, [source]);
    assert.strictEqual(heat.poll_points, 'both');
    assert.strictEqual(heat.executables.x86_64, path.join(build, 'heat'));
    for (const [platform, exe] of Object.entries(heat.executables)) {
      if (platform !== 'x86_64') assert.strictEqual(exe, path.join(build, `heat.platforms/${platform}/heat`));
    }
    assert.deepStrictEqual(heat.emulators.x86_64 ?? [], []);
    assert.strictEqual(targetOfSource(targets, source), heat);
    const precompiler = await locatePrecompiler(nodeFileSystem, model);
    assert.strictEqual(precompiler, path.join(snow, 'precompiler/snow-precompile'));
    const argv = precompileCommand(precompiler!, heat, '/tmp/out');
    assert.deepStrictEqual(argv.slice(0, 9), [precompiler, '--poll-points', 'both', '-o', '/tmp/out', '--report', '/tmp/out/snow-report.json', '--program', 'heat']);
  });

  it('takes the lexicographically last index when several are there (cmake-file-api(7))', async () => {
    // cmake removes the old index when it writes a new one, so the real replies above show one
    // at a time; a reader racing a configure can see two.
    const names = ['index-2026-11-26T06-00-00-0000.json', 'index-2026-11-26T07-30-00-0000.json', 'index-2026-11-26T06-59-59-0000.json', 'codemodel-v2-abc.json'];
    const listing = { readText: async () => '', writeText: async () => {}, list: async () => names, exists: async () => true };
    assert.strictEqual(await newestReplyIndex(listing, '/b'), '/b/.cmake/api/v1/reply/index-2026-11-26T07-30-00-0000.json');
  });

  it('refuses a manifest of another version, naming the file', () => {
    assert.throws(() => parseManifest('{"version":2,"targets":[]}', '/b/snow-migratable-targets.json'), /\/b\/snow-migratable-targets.json: manifest version 2/);
  });
});
