import { expect, test } from './fixtures';

test('the WASM core loads in Chromium and computes the same value as JS', async ({ page }) => {
  await page.goto('/system-check');
  await expect(page.getByTestId('wasm-check')).toHaveText(/^✓ ABI 1, (\d+) = \1$/);
  await expect(page.getByTestId('secure-check')).toHaveText('✓');
});
