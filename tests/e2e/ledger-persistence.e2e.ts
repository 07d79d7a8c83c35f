/**
 * Persistence of the ledger store in a real browser (docs/ledger.md,
 * Storage): /ledger-check commits valid blocks to a DexieChainStore in a
 * loop; the tab is killed while it does (renderer crash through CDP
 * `Page.crash`, `page.close` without unload handlers, and SIGKILL of the
 * whole browser), the page is opened again on the same profile, and the
 * stored state must equal the state rebuilt from the stored blocks
 * (`checkStoredState`, signatures verified), with no committed block lost.
 */
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS } from './browser';
import { expect, test } from './fixtures';
import type { StoredCheck } from '../../src/lib/roles/ledger-check';

/** Opens /ledger-check and returns what it found in the database. */
async function openCheck(page: Page): Promise<StoredCheck> {
  await page.goto('/ledger-check');
  const el = page.getByTestId('ledger-stored');
  await expect(el).toHaveAttribute('data-result', /.+/, { timeout: 60_000 });
  const r = JSON.parse((await el.getAttribute('data-result'))!) as StoredCheck | { error: string };
  if ('error' in r) throw new Error(`ledger-check failed to open: ${r.error}`);
  return r;
}

/** The page's committed height (0 before its first commit). */
async function committed(page: Page): Promise<number> {
  return Number((await page.getByTestId('ledger-height').getAttribute('data-height')) || 0);
}

/** Starts the loop and waits until `blocks` more blocks are committed; returns the height then seen. */
async function runFor(page: Page, from: number, blocks: number): Promise<number> {
  await page.getByTestId('ledger-start').click();
  await expect.poll(() => committed(page), { timeout: 60_000 }).toBeGreaterThanOrEqual(from + blocks);
  return committed(page);
}

/**
 * Follows the page's console lines `ledger-check: commit H` (block H's
 * transaction is about to open) and `ledger-check: committed H` (it has
 * completed), so a test knows where a kill landed.
 */
function trackCommits(page: Page): { begun: number; done: number } {
  const t = { begun: 0, done: 0 };
  page.on('console', (m) => {
    const x = /^ledger-check: (commit|committed) (\d+)$/.exec(m.text());
    if (x && x[1] === 'commit') t.begun = Number(x[2]);
    else if (x) t.done = Number(x[2]);
  });
  return t;
}

/** Resolves as soon as the page opens the transaction of a block (then `ms` later). */
async function inCommit(page: Page, ms: number): Promise<void> {
  await page.waitForEvent('console', { predicate: (m) => m.text().startsWith('ledger-check: commit '), timeout: 30_000 });
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

/** What the page showed before the kill and what the store held after it. */
interface Kill {
  label: string;
  /** Last block whose commit had started / completed when the page died. */
  begun: number;
  done: number;
  stored: StoredCheck;
}

/**
 * The checks after a kill: the stored state is the state rebuilt from the
 * stored blocks, no completed commit is lost, and the head is either the
 * last completed block or the one whose transaction was open (all or
 * nothing of it).
 */
function expectConsistent(k: Kill): void {
  const r = k.stored;
  expect(r.ok, `${k.label}: ${r.detail}`).toBe(true);
  expect(r.detail, k.label).toBe(`equal at height ${r.headHeight}`);
  expect(r.created, k.label).toBe(false);
  expect(r.stateHeight, k.label).toBe(r.headHeight);
  expect(r.headHeight!, k.label).toBeGreaterThanOrEqual(k.done);
  expect(r.headHeight!, k.label).toBeLessThanOrEqual(Math.max(k.begun, k.done));
  const where = k.begun > k.done ? `inside the commit of block ${k.begun}` : `between commits (last ${k.done})`;
  console.log(`${k.label}: killed ${where}; stored head ${r.headHeight} (checked in ${r.ms} ms)`);
}

test.describe.configure({ timeout: 240_000 });

test('the ledger store stays consistent when the tab dies mid-commit', async ({ context }) => {
  let page = context.pages()[0] ?? (await context.newPage());
  let seen = trackCommits(page);
  const first = await openCheck(page);
  expect(first).toMatchObject({ created: true, ok: true, headHeight: 0, stateHeight: 0 });

  let height = 0;
  // Different moments: after more or fewer blocks, as a block's transaction
  // opens or some ms into it, or wherever the loop happens to be.
  const kills: { blocks: number; how: 'crash' | 'close'; at: 'commit' | 'any'; ms: number }[] = [
    { blocks: 4, how: 'crash', at: 'commit', ms: 0 },
    { blocks: 9, how: 'crash', at: 'commit', ms: 2 },
    { blocks: 6, how: 'close', at: 'commit', ms: 1 },
    { blocks: 12, how: 'crash', at: 'any', ms: 7 },
    { blocks: 5, how: 'crash', at: 'commit', ms: 5 },
    { blocks: 8, how: 'close', at: 'any', ms: 13 }
  ];
  const results: Kill[] = [];
  for (const [i, k] of kills.entries()) {
    await runFor(page, height, k.blocks);
    // Everything that takes time is done before the moment is chosen.
    const cdp = k.how === 'crash' ? await context.newCDPSession(page) : undefined;
    const crashed = k.how === 'crash' ? page.waitForEvent('crash') : undefined;
    if (k.at === 'commit') await inCommit(page, k.ms);
    else await page.waitForTimeout(k.ms);
    if (cdp) {
      void cdp.send('Page.crash').catch(() => undefined); // never answers: the renderer is gone
      await crashed;
    } else {
      await page.close({ runBeforeUnload: false });
    }
    await page.close().catch(() => undefined);
    const { begun, done } = seen;
    page = await context.newPage();
    seen = trackCommits(page);
    const kill = { label: `kill ${i + 1} (${k.how})`, begun, done, stored: await openCheck(page) };
    expectConsistent(kill);
    results.push(kill);
    height = kill.stored.headHeight!;
  }
  // The point of the test: at least one kill hit an open block transaction.
  expect(results.filter((k) => k.begun > k.done).length).toBeGreaterThanOrEqual(1);

  // The chain continues from what was stored after the kills.
  const last = await runFor(page, height, 3);
  await page.getByTestId('ledger-start').click(); // stop
  await expect(page.getByTestId('ledger-height')).toHaveAttribute('data-running', 'false');
  const r = await openCheck(page);
  expect(r.ok, r.detail).toBe(true);
  expect(r.headHeight!).toBeGreaterThanOrEqual(last);
});

/** The pid of the Chromium browser process using `profile`. */
function browserPid(profile: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string[];
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (cmd.includes(`--user-data-dir=${profile}`) && !cmd.some((a) => a.startsWith('--type='))) return Number(d);
  }
  throw new Error(`no browser process for ${profile}`);
}

test('the ledger store stays consistent when the whole browser is killed mid-commit', async ({ baseURL }) => {
  // The browser process is found through /proc: a Linux-only test, like the machines it runs on.
  if (process.platform !== 'linux') throw new Error('this test finds the browser process through /proc and needs Linux');
  const profile = mkdtempSync(join(tmpdir(), 'medchain-e2e-kill-'));
  const launch = () => chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, baseURL, serviceWorkers: 'allow' });
  let context: BrowserContext | undefined;
  try {
    context = await launch();
    let page = context.pages()[0] ?? (await context.newPage());
    let seen = trackCommits(page);
    let height = (await openCheck(page)).headHeight!;
    const results: Kill[] = [];
    for (const [i, [blocks, ms]] of [[5, 0], [11, 1], [7, 0], [9, 2]].entries()) {
      await runFor(page, height, blocks);
      const pid = browserPid(profile);
      const closed = new Promise((r) => context!.once('close', r));
      await inCommit(page, ms);
      process.kill(pid, 'SIGKILL');
      await closed;
      const { begun, done } = seen;
      context = await launch();
      page = context.pages()[0] ?? (await context.newPage());
      seen = trackCommits(page);
      const kill = { label: `browser kill ${i + 1}`, begun, done, stored: await openCheck(page) };
      expectConsistent(kill);
      results.push(kill);
      height = kill.stored.headHeight!;
    }
    expect(results.filter((k) => k.begun > k.done).length).toBeGreaterThanOrEqual(1);
  } finally {
    await context?.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
});
