// Makes `require('vscode')` load the stub: the real module exists only inside an extension host.
import Module from 'module';
import * as path from 'path';

const stub = path.join(__dirname, 'vscodeStub.js');
const original = (Module as any)._resolveFilename;
(Module as any)._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? stub : original.call(this, request, ...rest);
};
