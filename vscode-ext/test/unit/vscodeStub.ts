/**
 * A stand-in for the `vscode` module under plain mocha: the value classes the adapters construct,
 * and recording fakes for the window/workspace calls they make. Only what src/editor uses.
 */
export class Position {
  constructor(public readonly line: number, public readonly character: number) {}
}
export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: number | Position, b: number | Position, c?: number, d?: number) {
    this.start = typeof a === 'number' ? new Position(a, b as number) : a;
    this.end = typeof a === 'number' ? new Position(c as number, d as number) : (b as Position);
  }
}
export enum DiagnosticSeverity { Error = 0, Warning = 1, Information = 2, Hint = 3 }
export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(public range: Range, public message: string, public severity: DiagnosticSeverity) {}
}
export class Uri {
  private constructor(public readonly scheme: string, public readonly path: string) {}
  static file(path: string): Uri { return new Uri('file', path); }
  static parse(s: string): Uri { const m = /^(\w[\w+.-]*):\/\/[^/]*(\/.*)$/.exec(s); return new Uri(m![1], m![2]); }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    const segments = (base.path + '/' + parts.join('/')).split('/');
    const out: string[] = [];
    for (const s of segments) { if (s === '..') out.pop(); else if (s && s !== '.') out.push(s); }
    return new Uri(base.scheme, '/' + out.join('/'));
  }
  get fsPath(): string { return this.path; }
  with(change: { path?: string; scheme?: string }): Uri { return new Uri(change.scheme ?? this.scheme, change.path ?? this.path); }
  toString(): string { return `${this.scheme}://${this.path}`; }
}
export class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => { this.listeners.push(l); return { dispose() {} }; };
  fire(e: T) { this.listeners.forEach((l) => l(e)); }
}
export class MarkdownString { constructor(public value: string) {} }
export class Hover { constructor(public contents: MarkdownString[]) {} }
export class CodeLens { constructor(public range: Range, public command?: { title: string; command: string; arguments?: unknown[] }) {} }
export class ThemeIcon { constructor(public id: string) {} }
export class TreeItem { description?: string; constructor(public label: string, public collapsibleState?: number) {} }
export enum TreeItemCollapsibleState { None = 0, Collapsed = 1, Expanded = 2 }
export enum OverviewRulerLane { Left = 1 }
export enum EndOfLine { LF = 1, CRLF = 2 }
export enum StatusBarAlignment { Left = 1, Right = 2 }
export class RelativePattern { constructor(public base: Uri, public pattern: string) {} }
export class WorkspaceEdit {
  readonly edits: { kind: 'insert' | 'delete'; uri: Uri; position?: Position; range?: Range; text?: string }[] = [];
  insert(uri: Uri, position: Position, text: string) { this.edits.push({ kind: 'insert', uri, position, text }); }
  delete(uri: Uri, range: Range) { this.edits.push({ kind: 'delete', uri, range }); }
}

/** Decoration types created, and what each editor was given for each. */
export const recorded = {
  decorationTypes: [] as { options: any; key: number }[],
  errors: [] as string[],
  reset() { this.decorationTypes.length = 0; this.errors.length = 0; },
};

export interface FakeEditor {
  document: { uri: Uri; getText(): string };
  decorations: Map<number, Range[]>;
  setDecorations(type: { key: number }, ranges: Range[]): void;
}

export function fakeEditor(uri: Uri, text = ''): FakeEditor {
  const decorations = new Map<number, Range[]>();
  return { document: { uri, getText: () => text }, decorations, setDecorations: (t, r) => decorations.set(t.key, r) };
}

let nextKey = 1;
/** Settings the code under test reads (`snowmigrate.<key>`), set by each test. */
export const settings = new Map<string, unknown>();

export enum ProgressLocation { Notification = 15 }

export const window = {
  visibleTextEditors: [] as FakeEditor[],
  activeTextEditor: undefined as FakeEditor | undefined,
  infos: [] as string[],
  showInformationMessage: (m: string) => { window.infos.push(m); return Promise.resolve(undefined); },
  withProgress: (_options: unknown, task: (p: { report(v: unknown): void }) => Promise<unknown>) => task({ report() {} }),
  createTextEditorDecorationType(options: any) {
    const type = { key: nextKey++, options, dispose() {} };
    recorded.decorationTypes.push(type);
    return type;
  },
  onDidChangeVisibleTextEditors: () => ({ dispose() {} }),
  showErrorMessage: (m: string) => { recorded.errors.push(m); return Promise.resolve(undefined); },
};

export const workspace = {
  workspaceFolders: undefined as unknown,
  getConfiguration: () => ({ get: (k: string, d: unknown) => (settings.has(k) ? settings.get(k) : d) }),
  saveAll: () => Promise.resolve(true),
};

export function outputChannel() {
  const lines: string[] = [];
  return { lines, appendLine: (l: string) => lines.push(l), append: (t: string) => lines.push(t), show() {} };
}

export const languages = {
  createDiagnosticCollection(name: string) {
    const entries = new Map<string, Diagnostic[]>();
    return {
      name, entries,
      clear: () => entries.clear(),
      set: (uri: Uri, list: Diagnostic[]) => entries.set(uri.toString(), list),
      get: (uri: Uri) => entries.get(uri.toString()),
    };
  },
};
