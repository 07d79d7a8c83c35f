// Builds wasm/ with AssemblyScript into src/lib/crypto/wasm/medchain.wasm
// (release) so that Vite bundles it as an asset and Node tests read it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

const target = process.argv[2] ?? 'release';
mkdirSync('src/lib/crypto/wasm', { recursive: true });
mkdirSync('build-wasm', { recursive: true });
execFileSync(process.execPath, ['node_modules/assemblyscript/bin/asc.js', '--config', 'asconfig.json', '--target', target], {
  stdio: 'inherit'
});
if (target === 'release') {
  const file = 'src/lib/crypto/wasm/medchain.wasm';
  const raw = readFileSync(file);
  console.log(`wasm: ${file} ${statSync(file).size} bytes, ${gzipSync(raw, { level: 9 }).length} gzipped`);
}
