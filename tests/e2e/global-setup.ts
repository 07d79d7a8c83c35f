import { existsSync } from 'node:fs';
import { CHROMIUM } from './browser';

export default function globalSetup(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install Debian's Chromium first: apt-get install chromium (as root: apt-get update && apt-get install -y chromium), or set CHROMIUM_PATH.`);
  }
  if (!existsSync('build/index.html')) throw new Error('No build/ found: run npm run build before the e2e tests (npm run test:e2e does).');
}
