/**
 * A light C scanner: not a parser, but enough structure to know, for every line, whether a
 * `#pragma snow poll` placed before it would land where snow-precompile accepts one (a statement
 * boundary inside a function body). It tracks comments, string and character literals,
 * preprocessor directives (with backslash continuations), parentheses, and a stack of braces
 * classified as function body, block, aggregate (struct/union/enum) or initializer.
 *
 * Pure TypeScript on a string, so the same code runs in the Node and the web extension host and
 * under plain mocha.
 */

export type BraceKind = 'function' | 'block' | 'aggregate' | 'initializer' | 'other';

/** What the scanner knows at the first character of a line. */
export interface LineStart {
  inBlockComment: boolean;
  /** The line continues a preprocessor directive (a multi-line `#define`, …). */
  inDirective: boolean;
  braces: BraceKind[];
  parenDepth: number;
  /** The last token before this line that is not a comment or directive ('' at file start). */
  lastToken: string;
  /** The last token closed an `if`/`for`/`while`/`switch` header, or is `else`/`do`. */
  afterControlHeader: boolean;
  /** Name of the innermost enclosing function, if any. */
  functionName?: string;
}

export interface FunctionSpan {
  name: string;
  /** Line of the body's `{` and of its `}` (0-based). */
  bodyStart: number;
  bodyEnd: number;
}

export interface LoopSite {
  keyword: 'for' | 'while' | 'do';
  line: number;
  column: number;
  functionName: string;
}

export interface ScanResult {
  lines: LineStart[];
  functions: FunctionSpan[];
  loops: LoopSite[];
  /** Lines that are a `#pragma snow poll` directive. */
  pollPragmaLines: number[];
}

const CONTROL_KEYWORDS = new Set(['if', 'for', 'while', 'switch']);
const AGGREGATE_KEYWORDS = new Set(['struct', 'union', 'enum']);

export const POLL_PRAGMA = /^\s*#\s*pragma\s+snow\s+poll\b/;

export function scanC(text: string): ScanResult {
  const lineTexts = text.split(/\r?\n/);
  const lines: LineStart[] = [];
  const functions: FunctionSpan[] = [];
  const loops: LoopSite[] = [];
  const pollPragmaLines: number[] = [];

  let inBlockComment = false;
  let inDirective = false;
  const braces: BraceKind[] = [];
  const braceOpenLines: number[] = [];
  const functionNames: (string | undefined)[] = [];
  // For each open parenthesis: the identifier before it (a control keyword or a function name).
  const parens: string[] = [];
  let lastToken = '';
  let afterControlHeader = false;
  // Tokens of the current declaration/statement at brace level, to classify the next `{`.
  let sawAggregateKeyword = false;
  let lastClosedParenOwner = '';
  let candidateFunctionName = '';
  // Which open braces are a do-loop's body, so that the `while` after its `}` is no new loop.
  const doBodies: boolean[] = [];
  let closedDoBody = false;

  const currentFunction = (): string | undefined => {
    for (let i = functionNames.length - 1; i >= 0; i--) if (functionNames[i]) return functionNames[i];
    return undefined;
  };

  // Open `?` of conditional expressions: their `:` is no label and ends no statement.
  let openConditionals = 0;

  const emit = (token: string) => {
    afterControlHeader = false;
    if (token === '?') openConditionals++;
    if (token === ':' && openConditionals > 0) {
      openConditionals--;
      lastToken = '?:';
      return;
    }
    if (token === ';') openConditionals = 0;
    if (token === '(') {
      const owner = /^[A-Za-z_]\w*$/.test(lastToken) ? lastToken : '';
      if (braces.length === 0 && parens.length === 0 && owner) candidateFunctionName = owner;
      parens.push(owner);
    } else if (token === ')') {
      lastClosedParenOwner = parens.pop() ?? '';
      if (parens.length === 0 && CONTROL_KEYWORDS.has(lastClosedParenOwner)) afterControlHeader = true;
    } else if (token === 'else' || token === 'do') {
      afterControlHeader = true;
    } else if (AGGREGATE_KEYWORDS.has(token)) {
      sawAggregateKeyword = true;
    }
    lastToken = token;
  };

  const openBrace = (line: number) => {
    const enclosing = braces[braces.length - 1];
    let kind: BraceKind;
    let name: string | undefined;
    if (enclosing === 'aggregate') kind = 'aggregate';
    else if (enclosing === 'initializer') kind = 'initializer';
    else if (sawAggregateKeyword) kind = 'aggregate';
    else if (parens.length > 0 || lastToken === '=' || lastToken === ',' || lastToken === 'return') kind = 'initializer';
    else if (enclosing === undefined || enclosing === 'other') {
      if (lastToken === ')' && candidateFunctionName) {
        kind = 'function';
        name = candidateFunctionName;
      } else {
        kind = 'other'; // extern "C" { … } and the like: still file scope
      }
    } else if (lastToken === ')' && !CONTROL_KEYWORDS.has(lastClosedParenOwner) && parens.length === 0 &&
               lastClosedParenOwner === '') {
      kind = 'initializer'; // a compound literal: (struct point){1, 2}
    } else {
      kind = 'block';
    }
    doBodies.push(lastToken === 'do');
    braces.push(kind);
    braceOpenLines.push(line);
    functionNames.push(name);
    sawAggregateKeyword = false;
    lastToken = '{';
    afterControlHeader = false;
  };

  const closeBrace = (line: number) => {
    const kind = braces.pop();
    const start = braceOpenLines.pop() ?? line;
    const name = functionNames.pop();
    closedDoBody = doBodies.pop() ?? false;
    if (kind === 'function' && name) functions.push({ name, bodyStart: start, bodyEnd: line });
    lastToken = '}';
    afterControlHeader = false;
    if (braces.length === 0) candidateFunctionName = '';
  };

  for (let ln = 0; ln < lineTexts.length; ln++) {
    const s = lineTexts[ln];
    lines.push({
      inBlockComment,
      inDirective,
      braces: braces.slice(),
      parenDepth: parens.length,
      lastToken,
      afterControlHeader,
      functionName: currentFunction(),
    });

    let i = 0;
    if (!inBlockComment && !inDirective && /^\s*#/.test(s)) {
      inDirective = true;
      if (POLL_PRAGMA.test(s)) pollPragmaLines.push(ln);
      i = s.length; // directive tokens never change the C structure seen here
    }
    if (inDirective) {
      // Skip to the end of the line, minding comments that may open inside the directive.
      let j = i === s.length ? s.indexOf('#') : 0;
      while (j < s.length) {
        if (inBlockComment) {
          const end = s.indexOf('*/', j);
          if (end < 0) { j = s.length; break; }
          inBlockComment = false;
          j = end + 2;
        } else if (s.startsWith('/*', j)) {
          inBlockComment = true;
          j += 2;
        } else if (s.startsWith('//', j)) {
          j = s.length;
        } else {
          j++;
        }
      }
      inDirective = /\\\s*$/.test(s);
      continue;
    }

    while (i < s.length) {
      if (inBlockComment) {
        const end = s.indexOf('*/', i);
        if (end < 0) { i = s.length; break; }
        inBlockComment = false;
        i = end + 2;
        continue;
      }
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\f' || c === '\v') { i++; continue; }
      if (s.startsWith('//', i)) break;
      if (s.startsWith('/*', i)) { inBlockComment = true; i += 2; continue; }
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
        emit(c === '"' ? '"…"' : "'…'");
        i = j + 1;
        continue;
      }
      const word = /^[A-Za-z_]\w*/.exec(s.slice(i));
      if (word) {
        const w = word[0];
        if ((w === 'for' || w === 'while' || w === 'do') && braces.length > 0 && currentFunction() &&
            !(w === 'while' && lastToken === '}' && closedDoBody)) {
          loops.push({ keyword: w, line: ln, column: i, functionName: currentFunction() as string });
        }
        emit(w);
        i += w.length;
        continue;
      }
      const number = /^\.?\d[\w.]*/.exec(s.slice(i));
      if (number) { emit('0'); i += number[0].length; continue; }
      if (c === '{') { openBrace(ln); i++; continue; }
      if (c === '}') { closeBrace(ln); i++; continue; }
      if (c === ';' && parens.length === 0) sawAggregateKeyword = false;
      emit(c);
      i++;
    }
  }
  return { lines, functions, loops, pollPragmaLines };
}
