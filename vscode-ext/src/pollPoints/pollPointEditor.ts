/**
 * Where `#pragma snow poll` may go, and the text edits that insert, remove or toggle it.
 * The rules mirror what snow-precompile accepts (docs/precompiler.md, "Poll-points"): the pragma
 * stands on its own line inside a function body, before a statement. Everything else is refused
 * here with the reason, rather than left for the precompiler to reject at build time.
 */
import { scanC, ScanResult, POLL_PRAGMA } from './cScanner';

export const POLL_DIRECTIVE = '#pragma snow poll';

export type LineEdit =
  | { kind: 'insert'; line: number; text: string }   // text is a whole line, without newline
  | { kind: 'delete'; line: number };

export type EditPlan = { ok: true; edit: LineEdit } | { ok: false; reason: string };

export interface IndentStyle {
  /** One level of indentation: '\t' or some spaces. */
  unit: string;
  /** 'statement' indents like the next statement; 'column1' keeps directives at column 1. */
  mode: 'statement' | 'column1';
}

const DEFAULT_STYLE: IndentStyle = { unit: '  ', mode: 'statement' };

/** Why a poll-point cannot stand before `line`, or undefined when it can. */
export function placementProblem(scan: ScanResult, lineTexts: string[], line: number): string | undefined {
  const at = scan.lines[line];
  if (!at) return `line ${line + 1} is past the end of the file`;
  if (at.inBlockComment) return 'the cursor is inside a comment';
  if (at.inDirective) return 'the cursor is inside a preprocessor directive (a macro definition)';
  const innermost = at.braces[at.braces.length - 1];
  if (innermost === undefined || innermost === 'other') {
    return 'a poll-point must be inside a function body, not at file scope';
  }
  if (innermost === 'aggregate') return 'a poll-point cannot stand inside a struct, union or enum definition';
  if (innermost === 'initializer') return 'a poll-point cannot stand inside an initializer';
  if (!at.braces.includes('function')) return 'a poll-point must be inside a function body';
  if (at.parenDepth > 0) return 'the cursor is inside an expression (an open parenthesis)';
  if (at.afterControlHeader) {
    return 'the next statement is the body of an if/else/for/while/do without braces; add braces first';
  }
  if (!['{', '}', ';', ':'].includes(at.lastToken)) {
    return `the cursor is inside a statement or expression (it continues after '${at.lastToken}')`;
  }
  // The line must not start inside a string continued with a backslash; the scanner treats
  // such lines as code, so check the previous line's ending here.
  if (line > 0 && /\\\s*$/.test(lineTexts[line - 1])) return 'the previous line continues onto this one';
  return undefined;
}

function indentOf(text: string): string {
  return /^[ \t]*/.exec(text)![0];
}

/** The indentation of the statement the poll-point will precede. */
function indentFor(scan: ScanResult, lineTexts: string[], line: number, style: IndentStyle): string {
  if (style.mode === 'column1') return '';
  for (let l = line; l < lineTexts.length; l++) {
    const t = lineTexts[l];
    if (t.trim() === '' || scan.lines[l].inBlockComment) continue;
    if (t.trim().startsWith('}')) return indentOf(t) + style.unit; // last statement of a block
    if (t.trim().startsWith('#')) continue;
    // A label or `case` is outdented by convention; the statement after it is not.
    if (/^\s*(case\b.*|default\s*):\s*$/.test(t)) continue;
    return indentOf(t);
  }
  return style.unit;
}

/** The pragma line at `line`, or on the line just above it (the statement's own poll-point). */
export function pollPointNear(lineTexts: string[], line: number): number | undefined {
  if (POLL_PRAGMA.test(lineTexts[line] ?? '')) return line;
  if (line > 0 && POLL_PRAGMA.test(lineTexts[line - 1] ?? '')) return line - 1;
  return undefined;
}

export function planInsert(text: string, line: number, style: IndentStyle = DEFAULT_STYLE): EditPlan {
  const lineTexts = text.split(/\r?\n/);
  if (pollPointNear(lineTexts, line) !== undefined) {
    return { ok: false, reason: 'there is already a poll-point here' };
  }
  const scan = scanC(text);
  const problem = placementProblem(scan, lineTexts, line);
  if (problem) return { ok: false, reason: problem };
  const indent = indentFor(scan, lineTexts, line, style);
  return { ok: true, edit: { kind: 'insert', line, text: indent + POLL_DIRECTIVE } };
}

export function planRemove(text: string, line: number): EditPlan {
  const lineTexts = text.split(/\r?\n/);
  const at = pollPointNear(lineTexts, line);
  if (at === undefined) return { ok: false, reason: 'there is no #pragma snow poll on this line or just above it' };
  return { ok: true, edit: { kind: 'delete', line: at } };
}

export function planToggle(text: string, line: number, style: IndentStyle = DEFAULT_STYLE): EditPlan {
  const lineTexts = text.split(/\r?\n/);
  return pollPointNear(lineTexts, line) === undefined ? planInsert(text, line, style) : planRemove(text, line);
}

/** Applies an edit to a string (what the editor does through a WorkspaceEdit; used by tests). */
export function applyLineEdit(text: string, edit: LineEdit): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  if (edit.kind === 'insert') lines.splice(edit.line, 0, edit.text);
  else lines.splice(edit.line, 1);
  return lines.join(eol);
}
