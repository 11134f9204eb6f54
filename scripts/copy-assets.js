// Files the compiled code reads at run time that tsc does not emit.
const { cpSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
mkdirSync(join(root, 'dist'), { recursive: true });
cpSync(join(root, 'python'), join(root, 'dist', 'python'), { recursive: true });
