// `npm run bench [name ...]`: runs bench/<name>.bench.ts (all of them when no
// name is given), each in its own Node process, after building the WASM core.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const all = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''));
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
for (const n of names) if (!all.includes(n)) throw new Error(`no benchmark ${n}: have ${all.join(', ')}`);
execFileSync(process.execPath, ['scripts/build-wasm.mjs'], { stdio: 'inherit' });
for (const n of names) {
  console.log(`\n== bench:${n}`);
  execFileSync(process.execPath, ['--import', 'tsx', `bench/${n}.bench.ts`], { stdio: 'inherit' });
}
