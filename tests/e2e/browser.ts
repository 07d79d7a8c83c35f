/**
 * Launching Debian's Chromium for the e2e tests: headless, the flags this
 * closed network needs, and a fresh user-data dir per browser instance (so
 * IndexedDB, service workers and localStorage start empty).
 */
import { chromium, type BrowserContext } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // WebRTC between pages of this machine: allow loopback candidates and show
  // real addresses instead of mDNS names.
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns'
];

export interface FreshBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** One browser instance with its own fresh profile directory. */
export async function launchFresh(baseURL?: string): Promise<FreshBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'medchain-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    baseURL,
    serviceWorkers: 'allow'
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/**
 * Headless Chromium gathers no ICE candidate on a host whose only interface
 * is loopback, or that has no default route; WebRTC tests would then time
 * out. Fail at once with the reason instead.
 */
export function assertWebRtcCapableHost(): void {
  const nonLoopback = Object.values(networkInterfaces())
    .flat()
    .some((a) => a && !a.internal && a.family === 'IPv4');
  let defaultRoute = false;
  try {
    defaultRoute = readFileSync('/proc/net/route', 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => line.split(/\s+/)[1] === '00000000');
  } catch {
    defaultRoute = true; // not Linux: cannot tell, let the test try
  }
  if (!nonLoopback || !defaultRoute) {
    throw new Error(
      'This host cannot run WebRTC tests: headless Chromium gathers no ICE candidate unless the machine has a non-loopback network interface with a default route ' +
        `(non-loopback IPv4: ${nonLoopback}, default route: ${defaultRoute}). Bring up an interface with a default route (any, no internet needed).`
    );
  }
}
