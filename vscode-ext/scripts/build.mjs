// Bundles the two entry points (Node and web extension hosts) and compiles the unit tests.
import * as esbuild from 'esbuild';
import { readdirSync } from 'fs';

const common = { bundle: true, external: ['vscode'], sourcemap: true, target: 'es2022', logLevel: 'warning' };
await esbuild.build({ ...common, entryPoints: ['src/node/main.ts'], outfile: 'dist/node/extension.js', platform: 'node', format: 'cjs' });
// The web bundle must not pull in Node modules: fail the build if it tries.
await esbuild.build({ ...common, entryPoints: ['src/web/main.ts'], outfile: 'dist/web/extension.js', platform: 'browser', format: 'cjs' });

// Unit tests run the sources unbundled under mocha, `vscode` replaced by test/unit/vscodeStub.
const tests = readdirSync('test/unit').filter((f) => f.endsWith('.ts')).map((f) => `test/unit/${f}`);
await esbuild.build({
  entryPoints: ['src/**/*.ts', ...tests], outdir: 'out', outbase: '.', platform: 'node', format: 'cjs',
  sourcemap: true, target: 'es2022', logLevel: 'warning',
});
