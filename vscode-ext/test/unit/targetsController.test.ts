import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { writeQuery } from '../../src/cmake/fileApi';
import { nodeFileSystem, nodePlatform } from '../../src/node/nodePlatform';
import { TargetsController } from '../../src/editor/targetsView';
import { ReportStore } from '../../src/editor/reportStore';
import { PathMapper } from '../../src/editor/pathMapper';
import { FIXTURES, skipWithout, snowBuildDir } from './snowTree';
import * as stub from './vscodeStub';

/**
 * The desktop commands "Re-run Precompiler for Current File" and "Build Migratable Target" with
 * the real tools: the heat sample configured against the SnowMigrate tree, the editor stubbed.
 */
describe('targets: precompile and build from the editor (real tools)', function () {
  this.timeout(300000);
  let work: string;
  let build: string;
  let source: string;
  let controller: TargetsController;
  let store: ReportStore;
  const output = stub.outputChannel();

  before(async function () {
    const snow = snowBuildDir();
    skipWithout(this, snow, 'no SnowMigrate build tree');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'snow-vscode-targets-'));
    for (const f of ['heat.c', 'CMakeLists.txt']) fs.copyFileSync(path.join(FIXTURES, 'heat', f), path.join(work, f));
    source = path.join(work, 'heat.c');
    build = path.join(work, 'build');
    await writeQuery(nodeFileSystem, build);
    const r = spawnSync('cmake', ['-G', 'Ninja', '-S', work, '-B', build, `-DSnowMigrate_DIR=${snow}`], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    stub.settings.set('buildDirectory', build);
    stub.window.activeTextEditor = stub.fakeEditor(stub.Uri.file(source));
    store = new ReportStore(nodeFileSystem);
    controller = new TargetsController(nodeFileSystem, nodePlatform(), new PathMapper(undefined, ''), store, output as any);
  });
  after(() => {
    stub.settings.clear();
    stub.window.activeTextEditor = undefined;
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('lists the target from the manifest and the codemodel; its report does not exist before a build', async () => {
    await controller.refresh();
    assert.deepStrictEqual(controller.targets.map((t) => [t.name, t.inCodeModel]), [['heat', true]]);
    assert.ok(output.lines.some((l) => /reports not loaded.*heat/s.test(l)), output.lines.join('\n'));
    const [targetNode] = controller.getChildren();
    const [sources, executables] = controller.getChildren(targetNode);
    assert.deepStrictEqual(controller.getChildren(sources).map((n: any) => n.path), [source]);
    assert.ok(controller.getChildren(executables).some((n: any) => n.label === 'x86_64' && n.path === path.join(build, 'heat')));
  });

  it('re-runs the precompiler for the current file into a scratch directory; the report reaches the editor', async () => {
    await controller.precompileCurrentFile();
    const report = path.join(build, '.snow-vscode/heat/snow-report.json');
    assert.ok(fs.existsSync(report), `no ${report}`);
    assert.deepStrictEqual(store.markersFor(source).map((m) => [m.line, m.kind]), [[22, 'automatic'], [34, 'automatic'], [35, 'user']]);
    assert.ok(!fs.existsSync(path.join(build, 'heat.snow/snow-report.json')), 'the build\'s own output was written');
  });

  it('turns a refusal into diagnostics and an error with the cause', async () => {
    fs.writeFileSync(source, fs.readFileSync(source, 'utf8').replace('  cells[0] = 100.0;', '  cells[0] = 100.0;\n  long address = (long)cells;'));
    await assert.rejects(controller.precompileCurrentFile(),
      /snow-precompile refused heat \(exit 1\): a pointer converted to an integer cannot be migrated.*\[pointer-to-integer\]/);
    const errors = store.diagnostics().filter((d) => d.severity === 'error');
    assert.deepStrictEqual(errors.map((d) => [d.file, d.line, d.code]), [[source, 33, 'pointer-to-integer']]);
    assert.deepStrictEqual(store.markersFor(source), [], 'markers of a program that failed to precompile');
    fs.copyFileSync(path.join(FIXTURES, 'heat/heat.c'), source);
  });

  it('builds the target with cmake --build and loads the build\'s report', async () => {
    await controller.buildTarget('heat').catch((e) => { throw new Error(`${e.message}\n${output.lines.slice(-5).join('\n')}`); });
    assert.ok(output.lines.some((l) => l === `$ cmake --build ${build} --target heat`), output.lines.join('\n'));
    assert.ok(fs.existsSync(path.join(build, 'heat')), 'no executable');
    assert.deepStrictEqual(store.paths, [path.join(build, 'heat.snow/snow-report.json')]);
    assert.strictEqual(store.diagnostics().filter((d) => d.severity === 'error').length, 0);
  });

  it('says which targets exist when the current file belongs to none', async () => {
    stub.window.activeTextEditor = stub.fakeEditor(stub.Uri.file('/elsewhere/x.c'));
    await assert.rejects(controller.precompileCurrentFile(), /\/elsewhere\/x.c is not a source of any migratable target in .* \(known: heat\)/);
  });
});
