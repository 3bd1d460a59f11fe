import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as vscode from 'vscode';
import { parseReport, migrationCallPath, parsePrecompilerOutput, ReportError } from '../../src/report/report';
import { pollPointMarkers, diagnosticEntries } from '../../src/report/annotations';
import { ReportStore } from '../../src/editor/reportStore';
import { PollPointDecorations, PollPointHover } from '../../src/editor/pollPointDecorations';
import { publish } from '../../src/editor/precompilerDiagnostics';
import { LoopCodeLens } from '../../src/editor/loopCodeLens';
import { PathMapper } from '../../src/editor/pathMapper';
import { planInsert, applyLineEdit } from '../../src/pollPoints/pollPointEditor';
import { nodeFileSystem } from '../../src/node/nodePlatform';
import { FIXTURES, skipWithout, snowTool } from './snowTree';
import * as stub from './vscodeStub';

const REPORT_TEXT = fs.readFileSync(path.join(FIXTURES, 'heat/snow-report.json'), 'utf8');
const HEAT_C = fs.readFileSync(path.join(FIXTURES, 'heat/heat.c'), 'utf8');
const HEAT = '/src/heat/heat.c';

describe('precompiler report', () => {
  const report = parseReport(REPORT_TEXT);

  it('gives every poll-point of a file as a marker, user and automatic apart', () => {
    const markers = pollPointMarkers(report, HEAT);
    assert.deepStrictEqual(markers.map((m) => [m.line, m.kind, m.function]),
      [[22, 'automatic', 'sweep'], [34, 'automatic', 'main'], [35, 'user', 'main']]);
    assert.deepStrictEqual(pollPointMarkers(report, '/src/heat/other.c'), []);
  });

  it('hovers list the live variables and the call path from main', () => {
    const sweep = pollPointMarkers(report, HEAT)[0];
    assert.deepStrictEqual(sweep.callPath, ['main', 'sweep']);
    assert.match(sweep.hover, /automatic poll-point/);
    assert.match(sweep.hover, /Live variables saved here: `cells`, `n`, `rounds`, `total`, `r`/);
    assert.match(sweep.hover, /`main` → `sweep`/);
  });

  it('finds no call path for a function main does not reach', () => {
    assert.strictEqual(migrationCallPath(report, 'relax'), undefined);
    assert.deepStrictEqual(migrationCallPath(report, 'main'), ['main']);
  });

  it('places located and program-wide diagnostics', () => {
    const entries = diagnosticEntries(report);
    assert.deepStrictEqual(entries.map((d) => [d.file, d.line, d.column, d.code]), [
      [HEAT, 22, 0, 'unreachable-poll-point'], // at the poll-point of the function it names
      [HEAT, 31, 2, 'signal-handler'],
    ]);
  });

  it('refuses other report versions and broken JSON with the reason', () => {
    assert.throws(() => parseReport('{"version":2}', 'r.json'), (e: Error) => e instanceof ReportError && /r.json: report version 2 is not supported/.test(e.message));
    assert.throws(() => parseReport('{"version":1', 'r.json'), /r.json is not JSON/);
  });

  it('reads the precompiler\'s console errors (it writes no report on an error)', () => {
    const out = '/p/a.c:13:7: error: a pointer converted to an integer cannot be migrated (its value is an address of this process) [pointer-to-integer]\n' +
      'snow-precompile: error: a source file could not be parsed (Clang\'s errors are above) [parse-error]\n' +
      'snow-precompile: 1 error(s); no output written\n';
    assert.deepStrictEqual(parsePrecompilerOutput(out).map((d) => [d.file, d.line, d.column, d.severity, d.code]), [
      ['/p/a.c', 13, 7, 'error', 'pointer-to-integer'], ['', 0, 0, 'error', 'parse-error']]);
  });
});

describe('report in the editor (stubbed vscode)', () => {
  const memoryFs = { readText: async () => REPORT_TEXT, writeText: async () => {}, list: async () => [], exists: async () => true };
  const mapper = new PathMapper(undefined, '');

  beforeEach(() => stub.recorded.reset());

  it('decorates the gutter with one type for the user\'s poll-points and one for automatic ones', async () => {
    const store = new ReportStore(memoryFs);
    const decorations = new PollPointDecorations(vscode.Uri.file('/ext') as any, store, mapper);
    const editor = stub.fakeEditor(stub.Uri.file(HEAT), HEAT_C);
    const other = stub.fakeEditor(stub.Uri.file('/src/heat/other.c'));
    stub.window.visibleTextEditors = [editor, other];
    await store.load('/build/heat.snow/snow-report.json'); // the store's change refreshes the editors
    const [user, automatic] = stub.recorded.decorationTypes;
    assert.match(user.options.gutterIconPath.path, /poll-user\.svg$/);
    assert.match(automatic.options.gutterIconPath.path, /poll-auto\.svg$/);
    assert.deepStrictEqual(editor.decorations.get(user.key)!.map((r) => r.start.line), [35]);
    assert.deepStrictEqual(editor.decorations.get(automatic.key)!.map((r) => r.start.line), [22, 34]);
    assert.deepStrictEqual(other.decorations.get(user.key), []);
    decorations.dispose();
  });

  it('publishes the diagnostics to the Problems panel with source and code', async () => {
    const store = new ReportStore(memoryFs);
    await store.load('/build/heat.snow/snow-report.json');
    const collection = stub.languages.createDiagnosticCollection('snowmigrate');
    publish(collection as any, store.diagnostics(), mapper);
    const list = collection.get(stub.Uri.file(HEAT))!;
    assert.deepStrictEqual(list.map((d) => [d.range.start.line, d.severity, d.code, d.source]), [
      [22, stub.DiagnosticSeverity.Warning, 'unreachable-poll-point', 'snow-precompile'],
      [31, stub.DiagnosticSeverity.Warning, 'signal-handler', 'snow-precompile']]);
    // A report without diagnostics clears them.
    store.set('/build/heat.snow/snow-report.json', { ...parseReport(REPORT_TEXT), diagnostics: [] });
    publish(collection as any, store.diagnostics(), mapper);
    assert.strictEqual(collection.get(stub.Uri.file(HEAT)), undefined);
  });

  it('hovers only on poll-point lines', async () => {
    const store = new ReportStore(memoryFs);
    await store.load('/build/heat.snow/snow-report.json');
    const hover = new PollPointHover(store, mapper);
    const doc = { uri: stub.Uri.file(HEAT) } as any;
    assert.strictEqual(hover.provideHover(doc, new stub.Position(20, 0) as any), undefined);
    const h = hover.provideHover(doc, new stub.Position(35, 0) as any) as any;
    assert.match(h.contents[0].value, /poll-point \(`#pragma snow poll`\)\*\* #2 in `main`/);
  });

  it('offers "add poll-point" on loops on migration paths that have none yet', async () => {
    const store = new ReportStore(memoryFs);
    const lens = new LoopCodeLens(store, mapper);
    const doc = { uri: stub.Uri.file(HEAT), getText: () => HEAT_C } as any;
    // Without a report every loop with a braced body qualifies, except main's (it has a pragma).
    assert.deepStrictEqual(lens.provideCodeLenses(doc).map((l) => l.range.start.line), [12, 22]);
    await store.load('/build/heat.snow/snow-report.json');
    // relax is not on a migration path (it reaches no poll-point): only sweep's loop is left.
    const lenses = lens.provideCodeLenses(doc);
    assert.deepStrictEqual(lenses.map((l) => [l.range.start.line, l.command!.title]), [[22, 'add poll-point']]);
  });
});

describe('report from the real precompiler', function () {
  this.timeout(120000);
  let work: string;
  before(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'snow-vscode-report-')); });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  function precompile(precompiler: string, source: string, out: string) {
    return spawnSync(precompiler, ['--poll-points', 'both', '-o', out, '--report', path.join(out, 'snow-report.json'), '--program', 'heat', source], { encoding: 'utf8' });
  }

  it('matches the committed fixture', async function () {
    const precompiler = snowTool('precompiler/snow-precompile');
    skipWithout(this, precompiler, 'no snow-precompile built');
    const source = path.join(work, 'heat.c');
    fs.copyFileSync(path.join(FIXTURES, 'heat/heat.c'), source);
    const result = precompile(precompiler, source, path.join(work, 'out'));
    assert.strictEqual(result.status, 0, result.stderr);
    const store = new ReportStore(nodeFileSystem);
    const report = await store.load(path.join(work, 'out/snow-report.json'));
    assert.deepStrictEqual(pollPointMarkers(report, source).map((m) => [m.line, m.kind, m.live.join(',')]),
      pollPointMarkers(parseReport(REPORT_TEXT), HEAT).map((m) => [m.line, m.kind, m.live.join(',')]));
    assert.deepStrictEqual(diagnosticEntries(report).map((d) => [d.line, d.code]), [[31, 'signal-handler']]);
  });

  it('accepts a poll-point on every line the editor accepts one, where the editor put it', function () {
    const precompiler = snowTool('precompiler/snow-precompile');
    skipWithout(this, precompiler, 'no snow-precompile built');
    const lines = HEAT_C.split('\n');
    let tried = 0;
    for (let line = 0; line < lines.length; line++) {
      const plan = planInsert(HEAT_C, line);
      if (!plan.ok) continue;
      tried++;
      const source = path.join(work, `heat_${line}.c`);
      fs.writeFileSync(source, applyLineEdit(HEAT_C, plan.edit));
      const out = path.join(work, `out_${line}`);
      const result = precompile(precompiler, source, out);
      assert.strictEqual(result.status, 0, `pragma before line ${line + 1} refused:\n${result.stderr}`);
      const report = parseReport(fs.readFileSync(path.join(out, 'snow-report.json'), 'utf8'));
      assert.ok(report.poll_points.some((p) => p.source === 'directive' && p.line === line + 1),
        `no directive poll-point at line ${line + 1} in the report`);
    }
    // Every statement line of the four function bodies: a change in the rules must show here.
    assert.ok(tried >= 20, `only ${tried} lines accepted`);
  });

  it('refuses, like the editor, a poll-point in a struct and at file scope', function () {
    const precompiler = snowTool('precompiler/snow-precompile');
    skipWithout(this, precompiler, 'no snow-precompile built');
    for (const [marker, text] of [['file scope', '#pragma snow poll\nint main(void) { return 0; }\n'],
                                  ['struct', 'struct s {\n  int a;\n#pragma snow poll\n};\nint main(void) { return 0; }\n']]) {
      const source = path.join(work, 'refused.c');
      fs.writeFileSync(source, text);
      assert.notStrictEqual(precompile(precompiler, source, path.join(work, 'refused')).status, 0, marker);
      const line = text.split('\n').findIndex((l) => l.startsWith('#pragma'));
      const withoutPragma = text.split('\n').filter((_, i) => i !== line).join('\n');
      assert.strictEqual(planInsert(withoutPragma, line).ok, false, `the editor accepts the ${marker} case`);
    }
  });
});
