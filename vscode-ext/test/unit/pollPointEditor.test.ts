import * as assert from 'assert';
import { planInsert, planRemove, planToggle, applyLineEdit, POLL_DIRECTIVE } from '../../src/pollPoints/pollPointEditor';
import { scanC } from '../../src/pollPoints/cScanner';

/** The line (0-based) holding `marker` in `text`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `no line with ${marker}`);
  return i;
}

function insertAt(text: string, marker: string, style = { unit: '  ', mode: 'statement' as const }) {
  const plan = planInsert(text, lineOf(text, marker), style);
  return plan;
}

function refused(text: string, marker: string, why: RegExp) {
  const plan = insertAt(text, marker);
  assert.strictEqual(plan.ok, false, `insertion before "${marker}" was accepted`);
  if (!plan.ok) assert.match(plan.reason, why);
}

const TRICKY = `#include <stdio.h>
#define SQUARE(x) ((x) * (x))
#define LOOP(n) for (int i = 0; i < (n); i++) { \\
    work(i);  /* MACRO_BODY */ \\
  }
/* a comment with { braces } and a fake function f() {
   COMMENT_INSIDE
*/
struct point {
  int x; // STRUCT_MEMBER
  int y;
};
static const int table[] = {
  1, 2, // INITIALIZER
  3,
};
int GLOBAL_AT_FILE_SCOPE = 0;
static int work(int v) { return v + 1; }
int main(int argc, char **argv) {
  const char *s = "not a { brace";
  char c = '{';
  int total = 0;
  for (int i = 0; i < argc; i++) {
    if (i % 2) {
      total += work(i); // NESTED_STATEMENT
    }
    total = total +
        SQUARE(i); // EXPRESSION_CONTINUES
    printf("%d %s\\n",
           total, // INSIDE_CALL
           s);
  }
  if (total)
    total--; // UNBRACED_BODY
  switch (total) {
  case 1:
    total++; // AFTER_CASE
    break;
  }
  int v = total > 1 ?
      2 : // CONDITIONAL
      3;
  return total + c + v; // RETURN
}
`;

describe('poll-point placement', () => {
  it('inserts before a statement nested in blocks, with its indentation', () => {
    const plan = insertAt(TRICKY, 'NESTED_STATEMENT');
    assert.ok(plan.ok, plan.ok ? '' : plan.reason);
    if (!plan.ok) return;
    assert.deepStrictEqual(plan.edit, { kind: 'insert', line: lineOf(TRICKY, 'NESTED_STATEMENT'), text: '      ' + POLL_DIRECTIVE });
    const after = applyLineEdit(TRICKY, plan.edit).split('\n');
    assert.strictEqual(after[lineOf(TRICKY, 'NESTED_STATEMENT')], '      #pragma snow poll');
    assert.match(after[lineOf(TRICKY, 'NESTED_STATEMENT') + 1], /NESTED_STATEMENT/);
  });

  it('puts the directive at column 1 in the samples\' style when asked', () => {
    const plan = insertAt(TRICKY, 'RETURN', { unit: '  ', mode: 'column1' } as any);
    assert.ok(plan.ok && plan.edit.kind === 'insert' && plan.edit.text === POLL_DIRECTIVE);
  });

  it('accepts statements after a case label and before return', () => {
    assert.ok(insertAt(TRICKY, 'AFTER_CASE').ok);
    assert.ok(insertAt(TRICKY, 'RETURN').ok);
  });

  it('indents a poll-point at the end of a block one level deeper than the brace', () => {
    const text = 'int main(void) {\n  while (1) {\n    step();\n  }\n}\n';
    const plan = planInsert(text, 3);
    assert.ok(plan.ok && plan.edit.kind === 'insert');
    if (plan.ok && plan.edit.kind === 'insert') assert.strictEqual(plan.edit.text, '    #pragma snow poll');
  });

  it('refuses file scope, struct members and initializers', () => {
    refused(TRICKY, 'GLOBAL_AT_FILE_SCOPE', /file scope/);
    refused(TRICKY, 'STRUCT_MEMBER', /struct, union or enum/);
    refused(TRICKY, 'INITIALIZER', /initializer/);
    refused(TRICKY, '#include', /file scope/);
  });

  it('refuses comments and macro bodies', () => {
    refused(TRICKY, 'COMMENT_INSIDE', /comment/);
    refused(TRICKY, 'MACRO_BODY', /preprocessor|macro/);
  });

  it('refuses the middle of an expression or call', () => {
    refused(TRICKY, 'EXPRESSION_CONTINUES', /inside a statement or expression/);
    refused(TRICKY, 'INSIDE_CALL', /open parenthesis/);
    refused(TRICKY, 'CONDITIONAL', /inside a statement or expression/);
  });

  it('refuses the body of an if without braces', () => {
    refused(TRICKY, 'UNBRACED_BODY', /without braces/);
  });

  it('is not fooled by braces in strings, characters and comments', () => {
    const scan = scanC(TRICKY);
    assert.deepStrictEqual(scan.functions.map((f) => f.name), ['work', 'main']);
    const main = scan.functions[1];
    assert.strictEqual(main.bodyStart, lineOf(TRICKY, 'int main('));
    assert.strictEqual(main.bodyEnd, TRICKY.split('\n').length - 2);
  });

  it('finds loops with their function, but not the while of a do-loop or loops in macros', () => {
    const text = 'int f(void) {\n  do {\n    g();\n  } while (x);\n  for (;;) {}\n}\n#define L while (1) {}\n';
    const loops = scanC(text).loops;
    assert.deepStrictEqual(loops.map((l) => [l.keyword, l.line, l.functionName]), [['do', 1, 'f'], ['for', 4, 'f']]);
  });

  it('refuses a second poll-point on the same statement', () => {
    const text = 'int main(void) {\n#pragma snow poll\n  step();\n}\n';
    const plan = planInsert(text, 2);
    assert.strictEqual(plan.ok, false);
  });
});

describe('poll-point removal and toggling', () => {
  const withPragma = 'int main(void) {\n  for (;;) {\n    #pragma snow poll\n    step();\n  }\n}\n';

  it('removes the directive on the cursor line or just above', () => {
    for (const line of [2, 3]) {
      const plan = planRemove(withPragma, line);
      assert.ok(plan.ok, `line ${line}`);
      if (plan.ok) assert.strictEqual(applyLineEdit(withPragma, plan.edit), 'int main(void) {\n  for (;;) {\n    step();\n  }\n}\n');
    }
  });

  it('refuses to remove where there is none', () => {
    const plan = planRemove(withPragma, 1);
    assert.ok(!plan.ok && /no #pragma snow poll/.test(plan.reason));
  });

  it('toggling twice gives back the text byte for byte, CRLF included', () => {
    const crlf = 'int main(void) {\r\n\tint i = 0;\r\n\twhile (i < 3) {\r\n\t\ti++;\r\n\t}\r\n}\r\n';
    const once = planToggle(crlf, 3, { unit: '\t', mode: 'statement' });
    assert.ok(once.ok);
    if (!once.ok) return;
    const inserted = applyLineEdit(crlf, once.edit);
    assert.strictEqual(inserted.split('\r\n')[3], '\t\t#pragma snow poll');
    const twice = planToggle(inserted, 4);
    assert.ok(twice.ok);
    if (twice.ok) assert.strictEqual(applyLineEdit(inserted, twice.edit), crlf);
  });
});
