// The plain page needs no bundler: copy it, its script and the package's
// script-tag bundle into dist/.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
for (const file of ['index.html', 'main.js']) copyFileSync(file, `dist/${file}`);
copyFileSync(require.resolve('live-session/bundle'), 'dist/live-session.bundle.js');
console.log('dist/: index.html, main.js, live-session.bundle.js');
