import { defineConfig } from '@playwright/test';

// End-to-end tests in Debian's Chromium (/usr/bin/chromium) against the same
// one-port server as `npm start` (PWA + PeerJS), on a port of its own.
const PORT = Number(process.env.E2E_PORT ?? 4517);

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.e2e.ts',
  globalSetup: './tests/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  reporter: [['list']],
  outputDir: 'test-results',
  use: { baseURL: `http://localhost:${PORT}` },
  webServer: {
    command: 'node scripts/serve.mjs',
    env: { PORT: String(PORT), HOST: '0.0.0.0' },
    url: `http://localhost:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000
  }
});
