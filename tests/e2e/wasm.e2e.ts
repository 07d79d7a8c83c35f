import { expect, test } from './fixtures';

test('the WASM core loads in Chromium and computes the same value as JS', async ({ page }) => {
  await page.goto('/system-check');
  await expect(page.getByTestId('wasm-check')).toHaveText(/^✓ ABI 1, (\d+) = \1$/);
  await expect(page.getByTestId('secure-check')).toHaveText('✓');
});

test('pairing speed in Chromium is measured and recorded for the benchmarks', async ({ page }) => {
  await page.goto('/system-check');
  await page.getByTestId('measure-pairing').click();
  const el = page.getByTestId('pairing-speed');
  await expect(el).toBeVisible({ timeout: 60_000 });
  const result = JSON.parse((await el.getAttribute('data-result'))!);
  expect(result.op).toBe('pairing');
  expect(result.median_us).toBeGreaterThan(0);
  expect(result.min_us).toBeLessThanOrEqual(result.median_us);
  // The worker pool runs in the browser too: one WASM instance per worker.
  const pool = JSON.parse((await page.getByTestId('pool-check').getAttribute('data-result', { timeout: 60_000 }))!);
  expect(pool.error).toBeUndefined();
  expect(pool.workers).toBeGreaterThanOrEqual(1);
  expect(pool.agrees).toBe(true);
  // A benchmark figure, not an assertion: written in the BENCH.md format.
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync('bench/results', { recursive: true });
  const ua = await page.evaluate(() => navigator.userAgent);
  writeFileSync(
    'bench/results/crypto-browser.json',
    JSON.stringify({ bench: 'crypto-browser', when: new Date().toISOString(), runtime: ua, cpu: 'see crypto.json', rows: [{ impl: 'medchain', ...result }] }, null, 2) + '\n'
  );
});
