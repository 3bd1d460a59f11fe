// The integration tier: the extension in a real VS Code (the web workbench) in headless
// Chromium. Poll-point editing with decorations, hover, diagnostics and CodeLens on the heat
// sample; with a local cluster, a migration from the command palette checked with the snow CLI.
// Skips (exit 0, with the reason) when Chromium is missing; the cluster part skips without a
// SnowMigrate build tree.
import { spawnSync } from 'child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { fileURLToPath } from 'url';
import { chromiumPath, startServer, Workbench } from './workbench.mjs';
import { Cluster } from './cluster.mjs';

const extensionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const repo = path.resolve(extensionDir, '..');
const docsDir = path.join(repo, 'docs');
const artefacts = path.join(extensionDir, 'test-results');
const verbose = !!process.env.SNOW_TEST_VERBOSE;
const log = (m) => { if (verbose) console.log(m); };

let currentPage;
let passed = 0;
let failed = 0;
let skipped = 0;
const results = [];
// SNOW_IT_GREP=<regexp> runs only the matching checks (for working on one).
const only = process.env.SNOW_IT_GREP ? new RegExp(process.env.SNOW_IT_GREP) : undefined;
async function check(name, body) {
  if (only && !only.test(name)) return;
  try {
    await body();
    passed++;
    results.push(`  ✔ ${name}`);
    console.log(`  ✔ ${name}`);
  } catch (e) {
    failed++;
    await currentPage?.screenshot({ path: path.join(artefacts, `failed-${passed + failed}.png`) }).catch(() => undefined);
    console.log(`  ✘ ${name}\n    ${String(e.stack || e).split('\n').join('\n    ')}`);
  }
}
function skip(name, why) {
  skipped++;
  console.log(`  - ${name} (skipped: ${why})`);
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const chromium = chromiumPath();
console.log('VS Code for the web (integration)');
if (!chromium) {
  console.log(`  skipped: no Chromium at ${process.env.CHROMIUM || '/usr/bin/chromium'} (apt-get install chromium, or set CHROMIUM)`);
  console.log('0 passed, 0 failed, 1 skipped');
  process.exit(0);
}
for (const f of ['dist/web/extension.js', 'node_modules/playwright-core']) {
  if (!existsSync(path.join(extensionDir, f))) {
    console.error(`no ${f}: run "npm ci && npm run build" in ${extensionDir}`);
    process.exit(1);
  }
}

const snowBuild = process.env.SNOWMIGRATE_BUILD_DIR || path.join(repo, 'build/default');
const haveSnow = existsSync(path.join(snowBuild, 'SnowMigrateConfig.cmake')) &&
  existsSync(path.join(snowBuild, 'precompiler/snow-precompile'));

// The workspace: the heat sample, configured and built against the SnowMigrate tree when there
// is one (real report and manifest), else with the committed report fixture.
const workspace = mkdtempSync(path.join(os.tmpdir(), 'snow-vscode-ws-'));
cpSync(path.join(extensionDir, 'test/fixtures/heat/heat.c'), path.join(workspace, 'heat.c'));
cpSync(path.join(extensionDir, 'test/fixtures/heat/CMakeLists.txt'), path.join(workspace, 'CMakeLists.txt'));
const build = path.join(workspace, 'build');
let built = false;
if (haveSnow) {
  const { writeQuery } = await import(path.join(extensionDir, 'out/src/cmake/fileApi.js'));
  const { nodeFileSystem } = await import(path.join(extensionDir, 'out/src/node/nodePlatform.js'));
  const cmakeBuild = async (dir) => {
    await writeQuery(nodeFileSystem, dir);
    for (const args of [['-G', 'Ninja', '-S', workspace, '-B', dir, `-DSnowMigrate_DIR=${snowBuild}`], ['--build', dir, '-j2']]) {
      const r = spawnSync('cmake', args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cmake ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    }
  };
  // test-web's mounted folder is a snapshot: what the editor writes stays in the browser, and
  // what is read once is not read again. So the build after the edit the test will make is
  // made now, from the same edit applied on disk, into build-after/; the test checks that the
  // editor's edit is exactly that one.
  const original = readFileSync(path.join(workspace, 'heat.c'), 'utf8');
  const edited = original.split('\n');
  edited.splice(23, 0, '    #pragma snow poll');
  writeFileSync(path.join(workspace, 'heat.c'), edited.join('\n'));
  await cmakeBuild(path.join(workspace, 'build-after'));
  writeFileSync(path.join(workspace, 'heat.c'), original);
  await cmakeBuild(build);
  built = true;
} else {
  console.log(`  (no SnowMigrate build tree at ${snowBuild}: using the report fixture, no cluster)`);
  const report = path.join(build, 'heat.snow/snow-report.json');
  mkdirSync(path.dirname(report), { recursive: true });
  writeFileSync(report, readFileSync(path.join(extensionDir, 'test/fixtures/heat/snow-report.json'), 'utf8')
    .replaceAll('/src/heat', workspace).replaceAll('/build/heat.snow', path.dirname(report)));
  writeFileSync(path.join(build, 'snow-migratable-targets.json'), JSON.stringify({ version: 1, targets: [{
    name: 'heat', poll_points: 'both', sources: [path.join(workspace, 'heat.c')], report, executables: {}, emulators: {} }] }));
}

let cluster;
if (built && existsSync(path.join(snowBuild, 'runtime/system/snow'))) {
  cluster = new Cluster(path.join(snowBuild, 'runtime/system/snow'), path.join(build, 'snow-migratable-targets.json'));
  cluster.up(['x86_64', 'i686']);
}

// The settings the web extension needs: where the workspace is on disk, and the scheduler.
mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
const settings = {
  'snowmigrate.workspaceDiskPath': workspace,
  'snowmigrate.buildDirectory': build,
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'editor.codeLens': true,
  // Sticky scroll would cover the first lines and their gutter.
  'editor.stickyScroll.enabled': false,
};
if (cluster) {
  // The browser reads files only through the workspace: the token goes there.
  mkdirSync(path.join(workspace, '.snow'));
  cpSync(cluster.tokenFile, path.join(workspace, '.snow/token'));
  settings['snowmigrate.scheduler.address'] = `ws://127.0.0.1:${cluster.port}`;
  settings['snowmigrate.scheduler.tokenFile'] = path.join(workspace, '.snow/token');
}
writeFileSync(path.join(workspace, '.vscode/settings.json'), JSON.stringify(settings, null, 2));

const { chromium: playwright } = await import('playwright-core');
let server;
let browser;
const consoleLines = [];
mkdirSync(artefacts, { recursive: true });
try {
  server = await startServer(extensionDir, workspace, log);
  browser = await playwright.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  currentPage = page;
  page.on('console', (m) => { consoleLines.push(`[${m.type()}] ${m.text()}`); log(`[browser] ${m.text()}`); });
  const shot = async (name, toDocs = false) => {
    await page.screenshot({ path: path.join(artefacts, name) });
    if (toDocs && process.env.SNOW_UPDATE_SCREENSHOTS) cpSync(path.join(artefacts, name), path.join(docsDir, name));
  };
  await page.goto(server.url);
  const wb = new Workbench(page);
  await wb.ready();
  await wb.openFile('heat.c');
  // The extension activates on C files and loads the report through the manifest.
  await page.waitForFunction(() => document.querySelectorAll('.editor-instance .margin-view-overlays .cgmr').length >= 3, null, { timeout: 60000 })
    .catch(() => undefined);

  await check('gutter decorations show the report\'s poll-points, user and automatic apart', async () => {
    const icons = await wb.gutterIcons();
    const at = (line) => (icons[line] ?? []).join(' ');
    assert(/poll-user\.svg/.test(at(36)), `no user poll-point icon at line 36: ${JSON.stringify(icons)}`);
    assert(/poll-auto\.svg/.test(at(35)) && /poll-auto\.svg/.test(at(23)), `no automatic poll-point icons at 23 and 35: ${JSON.stringify(icons)}`);
    assert(!/poll-user/.test(at(23)), 'an automatic poll-point has the user icon');
  });
  await shot('vscode-poll-points.png', true);

  await check('CodeLens "add poll-point" stands above the loop on a migration path that has none', async () => {
    const lenses = await page.locator('.editor-instance .codelens-decoration').allTextContents();
    assert(lenses.length === 1 && /add poll-point/.test(lenses[0]), `CodeLenses: ${JSON.stringify(lenses)}`);
  });

  await check('the hover lists the live variables and the migration call path', async () => {
    await wb.gotoLine(36);
    await wb.runCommand('Show or Focus Hover');
    const hover = page.locator('.monaco-hover:not(.hidden)').first();
    await hover.waitFor({ timeout: 15000 });
    const text = await hover.textContent();
    assert(/Live variables saved here: steps, cells, total, s/.test(text), `hover: ${text}`);
    assert(/Migration call path: main/.test(text) && /#2 in main/.test(text), `hover: ${text}`);
    await shot('vscode-hover.png', true);
    await page.keyboard.press('Escape');
  });

  await check('the precompiler\'s diagnostics are in the Problems panel', async () => {
    await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const panel = page.locator('.markers-panel');
    await panel.waitFor({ timeout: 15000 });
    await page.waitForFunction(() => /signal handlers are not re-installed/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 15000 });
    const text = await panel.textContent();
    assert(/snow-precompile/.test(text) && /signal-handler/.test(text), `Problems: ${text}`);
    await shot('vscode-problems.png', true);
  });

  await check('insert-poll-point from the command palette puts the pragma before the statement, indented', async () => {
    await wb.runCommand('View: Focus Active Editor Group');
    await wb.gotoLine(24);
    await wb.runCommand('SnowMigrate: Insert Poll-Point at Cursor');
    await wb.waitFor(async () => (await wb.editorLines())[24] === '    #pragma snow poll', 'the pragma at line 24', 15000);
    const lines = await wb.editorLines();
    assert(lines[24] === '    #pragma snow poll', `line 24 is "${lines[24]}"`);
    assert(/^\s+total \+= relax\(cells, n\);$/.test(lines[25]), `line 25 is "${lines[25]}"`);
    // The report's markers move with the text they belong to.
    const icons = await wb.gutterIcons();
    assert(/poll-user/.test((icons[37] ?? []).join()) && /poll-auto/.test((icons[36] ?? []).join()), `gutter after the insertion: ${JSON.stringify(icons)}`);
    await page.keyboard.press('Control+S');
    await page.waitForTimeout(500);
  });

  await check('the saved file holds the pragma when opened again', async () => {
    await wb.runCommand('View: Close All Editors');
    await wb.openFile('heat.c');
    await page.waitForFunction(() => document.querySelectorAll('.editor-instance .view-line').length > 20);
    const lines = await wb.editorLines();
    assert(lines[24] === '    #pragma snow poll', `reopened heat.c, line 24 is "${lines[24]}"`);
  });

  await check('a poll-point where the precompiler would refuse it is refused with the reason', async () => {
    await wb.gotoLine(7);
    await wb.runCommand('SnowMigrate: Insert Poll-Point at Cursor');
    await wb.waitForNotification(/Cannot insert a poll-point at line 7: a poll-point must be inside a function body, not at file scope/);
    await wb.gotoLine(2);
    await wb.runCommand('SnowMigrate: Insert Poll-Point at Cursor');
    await wb.waitForNotification(/Cannot insert a poll-point at line 2: the cursor is inside a comment/);
    const lines = await wb.editorLines();
    assert(lines[7] === '#define CELLS 64' && !/pragma/.test(lines[2] + lines[3]), 'a refused insertion changed the file');
    await shot('vscode-refused.png');
    await wb.clearNotifications();
  });

  if (built) {
    await check('after the rebuild, the new poll-point has its decoration (build directory switched in Settings)', async () => {
      const after = path.join(workspace, 'build-after');
      await wb.setSetting('snowmigrate.buildDirectory', after);
      await wb.openFile('heat.c');
      await wb.runCommand('SnowMigrate: Refresh Migratable Targets');
      await wb.gotoLine(30);
      await wb.waitFor(async () => /poll-user/.test(((await wb.gutterIcons())[24] ?? []).join()), 'a user poll-point icon at line 24', 30000)
        .catch(async (e) => { throw new Error(`${e.message}; notifications: ${JSON.stringify(await wb.notifications())}`); });
      const icons = await wb.gutterIcons();
      assert(/poll-user/.test((icons[24] ?? []).join()), `no user poll-point icon at the new pragma (24): ${JSON.stringify(icons)}`);
      assert(/poll-user/.test((icons[37] ?? []).join()), `gutter: ${JSON.stringify(icons)}`);
      await shot('vscode-poll-points.png', true);
    });
  } else {
    skip('after a rebuild, the new poll-point gets its decoration', 'no SnowMigrate build tree');
  }

  if (cluster) {
    const id = cluster.run('heat', ['1000000'], 'x86_64');
    await check('connects to the scheduler from the browser; the status bar and the tree show the cluster', async () => {
      await wb.runCommand('SnowMigrate: Connect to Scheduler');
      await page.locator('.statusbar-item', { hasText: 'snow: 2 hosts' }).waitFor({ timeout: 30000 });
      await wb.runCommand('SnowMigrate: Focus on Cluster View');
      const tree = page.locator('.pane', { hasText: 'Cluster' }).locator('.monaco-list-row');
      await wb.waitFor(async () => (await tree.allTextContents()).some((t) => t.includes(`${id}: heat`)), 'the process in the tree', 20000);
      const rows = (await tree.allTextContents()).join(' | ');
      assert(/x86_64/.test(rows) && /i686/.test(rows) && /little-endian, 4-byte words/.test(rows), `tree: ${rows}`);
      await shot('vscode-cluster.png', true);
    });

    await check('"Migrate process…" from the command palette moves the running sample (checked with snow ps)', async () => {
      await wb.runCommand('SnowMigrate: Migrate Process…');
      await wb.pick(`${id}: heat`);
      await wb.pick('i686');
      // Generous: the machine is shared, and the process must first reach a poll-point.
      const done = await wb.waitForNotification(/migrated x86_64 → i686/, 180000);
      assert(new RegExp(`Process ${id} migrated x86_64 → i686: \\d+ bytes`).test(done), `notification: ${done}`);
      const process = cluster.ps().find((p) => p.id === id);
      assert(process && process.host === 'i686' && process.state === 'running' && process.migrations === 1, `snow ps: ${JSON.stringify(process)}`);
      const tree = page.locator('.pane', { hasText: 'Cluster' }).locator('.monaco-list-row');
      await wb.waitFor(async () => /1 migrations/.test((await tree.allTextContents()).join(' ')), 'the tree to show the migration', 10000);
      await shot('vscode-migrated.png', true);
      await wb.clearNotifications();
    });

    await check('"Checkpoint process…" writes the state file; the process keeps running', async () => {
      const file = path.join(cluster.stateDir, 'heat.snow');
      await wb.runCommand('SnowMigrate: Checkpoint Process…');
      await wb.pick(`${id}: heat`);
      const input = page.locator('.quick-input-widget input.input');
      await input.fill(file);
      await page.keyboard.press('Enter');
      await wb.waitForNotification(/checkpointed to/, 180000);
      assert(existsSync(file), `no checkpoint file ${file}`);
      assert(cluster.ps().find((p) => p.id === id)?.state === 'running', 'the process stopped');
      await wb.clearNotifications();
    });

    await check('"Run migratable target…" starts a target of the manifest on the chosen host', async () => {
      await wb.runCommand('SnowMigrate: Run Migratable Target…');
      await wb.pick('heat');
      const input = page.locator('.quick-input-widget input.input');
      await input.fill('2000000');
      await page.keyboard.press('Enter');
      await wb.pick('i686');
      const started = await wb.waitForNotification(/Started process \d+ \(heat\) on i686/, 30000);
      const newId = Number(/Started process (\d+)/.exec(started)[1]);
      const process = cluster.ps().find((p) => p.id === newId);
      assert(process && process.host === 'i686' && process.args.join(' ') === '2000000', `snow ps: ${JSON.stringify(process)}`);
    });

    await check('an exited process is no longer offered for a checkpoint', async () => {
      cluster.cli(['kill', String(id)]);
      await wb.waitFor(() => cluster.ps().find((p) => p.id === id)?.state === 'exited', 'the process to exit', 10000);
      await wb.runCommand('SnowMigrate: Checkpoint Process…');
      // Only running processes are offered: the one left is the one just started.
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10000 });
      const offered = await page.locator('.quick-input-list .monaco-list-row').allTextContents();
      assert(!offered.some((t) => t.startsWith(`${id}: `)), `an exited process is offered: ${offered}`);
      await page.keyboard.press('Escape');
    });
  } else {
    skip('migration from the command palette', built ? 'no snow CLI in the SnowMigrate build tree' : 'no SnowMigrate build tree');
  }
} catch (e) {
  failed++;
  await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: path.join(artefacts, 'failure.png') }).catch(() => undefined);
  console.log(`  ✘ the workbench session failed: ${String(e.stack || e).split('\n').join('\n    ')}`);
} finally {
  writeFileSync(path.join(artefacts, 'browser-console.log'), consoleLines.join('\n'));
  await browser?.close();
  server?.stop();
  cluster?.down({ keepState: failed > 0 });
  if (failed === 0) rmSync(workspace, { recursive: true, force: true });
  else console.log(`  workspace kept in ${workspace}; screenshots and browser log in ${artefacts}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
