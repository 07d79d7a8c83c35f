/**
 * The peer network in real Chromium (issue 7), every page a seat of a demo
 * room on /network served by the same one-port server as `npm start`:
 * three pages in one context reach the same finalised head over
 * BroadcastChannel only; three separate browser instances do it over WebRTC
 * only; a late joiner syncs 500 blocks; a browser that goes offline
 * (`context.setOffline`) catches up when it comes back.
 */
import type { Page } from '@playwright/test';
import { assertWebRtcCapableHost, launchFresh, type FreshBrowser } from './browser';
import { expect, test } from './fixtures';

interface Room {
  seed: string;
  v: number;
  obs: number;
  t: number;
  slot: number;
  round?: number;
  tx: string;
  prefill?: number;
}

function roomUrl(r: Room, seat: number): string {
  const q = new URLSearchParams({ seed: r.seed, v: String(r.v), obs: String(r.obs), t: String(r.t), slot: String(r.slot), round: String(r.round ?? 8), seat: String(seat), tx: r.tx });
  if (r.prefill) q.set('prefill', String(r.prefill));
  return `/network?${q}`;
}

async function finalHeight(p: Page): Promise<number> {
  return Number((await p.getByTestId('final-height').textContent({ timeout: 60_000 })) ?? 0);
}

/** The id of the page's final chain block at height h (null if its final block is lower). */
function finalIdAt(p: Page, h: number): Promise<string | null> {
  return p.evaluate((h) => {
    const room = (window as unknown as { __medchain: { room: { peer: { consensus: { tree: { final: { height: number; hex: string; parent: unknown } } } } } } }).__medchain.room;
    let e = room.peer.consensus.tree.final as { height: number; hex: string; parent: unknown } | null;
    while (e && e.height > h) e = e.parent as typeof e;
    return e && e.height === h ? e.hex : null;
  }, h);
}

/** All pages have a final block at height >= min and agree on the block at the lowest final height. */
async function expectSameFinalHead(pages: Page[], min: number, timeout: number): Promise<void> {
  for (const p of pages) await expect.poll(() => finalHeight(p), { timeout }).toBeGreaterThanOrEqual(min);
  const h = Math.min(...(await Promise.all(pages.map(finalHeight))));
  const ids = await Promise.all(pages.map((p) => finalIdAt(p, h)));
  expect(ids.every((x) => x !== null && x === ids[0])).toBe(true);
}

async function transportsOf(p: Page): Promise<string> {
  return (await p.getByTestId('transports').textContent()) ?? '';
}

test('three pages in one context reach the same finalised head over BroadcastChannel only', async ({ context }) => {
  const room: Room = { seed: `bc-${Date.now()}`, v: 3, obs: 0, t: Date.now() + 4000, slot: 700, tx: 'bc' };
  const pages = [context.pages()[0] ?? (await context.newPage()), await context.newPage(), await context.newPage()];
  await Promise.all(pages.map((p, i) => p.goto(roomUrl(room, i))));
  for (const p of pages) {
    await expect(p.getByTestId('peer-count')).toHaveText('2', { timeout: 30_000 });
    expect(await transportsOf(p)).toBe('broadcast');
  }
  await expectSameFinalHead(pages, 4, 60_000);
});

test('three browser instances reach the same finalised head over WebRTC only', async ({ baseURL }) => {
  assertWebRtcCapableHost();
  const room: Room = { seed: `rtc-${Date.now()}`, v: 3, obs: 0, t: Date.now() + 6000, slot: 800, tx: 'rtc' };
  const browsers: FreshBrowser[] = [];
  try {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await launchFresh(baseURL);
      browsers.push(b);
      const p = b.context.pages()[0] ?? (await b.context.newPage());
      await p.goto(roomUrl(room, i));
      pages.push(p);
    }
    for (const p of pages) {
      await expect(p.getByTestId('peer-count')).toHaveText('2', { timeout: 45_000 });
      expect(await transportsOf(p)).toBe('webrtc');
    }
    await expectSameFinalHead(pages, 4, 60_000);
  } finally {
    await Promise.all(browsers.map((b) => b.close()));
  }
});

test('a late joiner syncs 500 blocks and ends on the same finalised head', async ({ context }) => {
  const slot = 1000;
  const room: Room = { seed: `late-${Date.now()}`, v: 1, obs: 1, t: Date.now() - 540 * slot, slot, tx: 'bc', prefill: 500 };
  const a = context.pages()[0] ?? (await context.newPage());
  await a.goto(roomUrl(room, 0));
  await expect.poll(() => finalHeight(a), { timeout: 90_000 }).toBeGreaterThanOrEqual(498);
  const b = await context.newPage();
  await b.goto(roomUrl({ ...room, prefill: 0 }, 1));
  // The sync shows progress while it runs, then the joiner is on the same final head.
  await expect.poll(() => finalHeight(b), { timeout: 120_000 }).toBeGreaterThanOrEqual(498);
  await expectSameFinalHead([a, b], 498, 30_000);
  const imported = await b.evaluate(() => (window as unknown as { __medchain: { room: { peer: { sync: { stats: { imported: number } } } } } }).__medchain.room.peer.sync.stats.imported);
  expect(imported).toBeGreaterThanOrEqual(400);
});

test('a browser that went offline catches up when it comes back', async ({ context, baseURL }) => {
  assertWebRtcCapableHost();
  const room: Room = { seed: `off-${Date.now()}`, v: 2, obs: 1, t: Date.now() + 6000, slot: 700, tx: 'bc,rtc' };
  const v0 = context.pages()[0] ?? (await context.newPage());
  const v1 = await context.newPage();
  await v0.goto(roomUrl(room, 0));
  await v1.goto(roomUrl(room, 1));
  const other = await launchFresh(baseURL);
  try {
    const obs = other.context.pages()[0] ?? (await other.context.newPage());
    await obs.goto(roomUrl(room, 2));
    await expect(obs.getByTestId('peer-count')).toHaveText('2', { timeout: 45_000 });
    await expect.poll(() => finalHeight(obs), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    await other.context.setOffline(true);
    await expect(obs.getByTestId('transports')).toContainText('offline', { timeout: 10_000 });
    const away = await finalHeight(obs);
    await expect.poll(() => finalHeight(v0), { timeout: 60_000 }).toBeGreaterThanOrEqual(away + 6);
    expect(await finalHeight(obs)).toBeLessThanOrEqual(away + 1);
    await other.context.setOffline(false);
    const target = await finalHeight(v0);
    await expect.poll(() => finalHeight(obs), { timeout: 60_000 }).toBeGreaterThanOrEqual(target);
    await expectSameFinalHead([v0, v1, obs], target, 30_000);
  } finally {
    await other.close();
  }
});

test('a hostile peer sending raw frames is counted by reason and cut off; the honest chain is unchanged', async ({ context }) => {
  const slot = 700;
  const room: Room = { seed: `hostile-${Date.now()}`, v: 1, obs: 1, t: Date.now() - 5 * slot, slot, tx: 'bc' };
  const honest = context.pages()[0] ?? (await context.newPage());
  await honest.goto(roomUrl(room, 0));
  await expect.poll(() => finalHeight(honest), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const evil = await context.newPage();
  await evil.goto(roomUrl(room, 1).replace('/network?', '/network/hostile?'));
  await expect(evil.getByTestId('hostile-links')).toHaveText('1', { timeout: 30_000 });
  await evil.getByTestId('send-hello').click();
  await expect(honest.getByTestId('peer-count')).toHaveText('1', { timeout: 10_000 });
  for (const kind of ['malformed', 'oversized', 'unknown-type', 'forged', 'replay']) await evil.getByTestId(`send-${kind}`).click();
  for (const reason of ['malformed', 'oversized', 'unknown-type', 'forged', 'replay']) await expect(honest.getByTestId(`drop-${reason}`)).toHaveText('1', { timeout: 10_000 });
  // The forged block never entered the honest chain.
  const forgedKnown = await honest.evaluate(() => {
    const tree = (window as unknown as { __medchain: { room: { peer: { consensus: { tree: { finalChain(): { height: number; block: { header: { slot: number } } | null }[] } } } } } }).__medchain.room.peer.consensus.tree;
    return tree.finalChain().some((e) => e.height === 1 && e.block?.header.slot === 1);
  });
  expect(forgedKnown).toBe(false);
  // More garbage passes the strike limit: the honest node says bye and closes the link.
  for (let i = 0; i < 12; i++) await evil.getByTestId('send-malformed').click();
  await expect(honest.getByTestId('banned')).toBeVisible({ timeout: 10_000 });
  await expect(honest.getByTestId('peer-count')).toHaveText('0');
  await expect(evil.getByTestId('hostile-links')).toHaveText('0', { timeout: 15_000 });
  // The honest node carries on.
  const h = await finalHeight(honest);
  await expect.poll(() => finalHeight(honest), { timeout: 20_000 }).toBeGreaterThan(h);
});

test('a 50 MiB blob survives its sender closing at 50%: it completes from a second holder, intact', async ({ baseURL }) => {
  assertWebRtcCapableHost();
  const room: Room = { seed: `blob-${Date.now()}`, v: 1, obs: 2, t: Date.now() - 3000, slot: 1000, tx: 'rtc' };
  const browsers: FreshBrowser[] = [];
  try {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) {
      const b = await launchFresh(baseURL);
      browsers.push(b);
      const p = b.context.pages()[0] ?? (await b.context.newPage());
      await p.goto(roomUrl(room, i));
      pages.push(p);
    }
    const [sender, receiver, second] = pages;
    for (const p of pages) await expect(p.getByTestId('peer-count')).toHaveText('2', { timeout: 45_000 });
    type Api = { __medchain: { room: { publishTestBlob(seed: string, mib: number): Promise<{ id: string; sha256: string }>; fetchBlob(id: string): Promise<void>; blobSha256(id: string): Promise<string | null> } } };
    const publish = (p: Page) => p.evaluate(() => (window as unknown as Api).__medchain.room.publishTestBlob('fifty', 50));
    const a = await publish(sender);
    const c = await publish(second);
    expect(c).toEqual(a);
    void receiver.evaluate((id) => (window as unknown as Api).__medchain.room.fetchBlob(id), a.id);
    const row = receiver.getByTestId(`blob-${a.id.slice(0, 16)}`);
    const fraction = async () => {
      const r = Number((await row.getAttribute('data-received')) ?? 0);
      const t = Number((await row.getAttribute('data-total')) ?? 0);
      return t ? r / t : 0;
    };
    // Progress is shown while it runs; at half way the sender's browser goes away.
    await expect.poll(fraction, { timeout: 120_000, intervals: [100] }).toBeGreaterThanOrEqual(0.5);
    const atClose = await fraction();
    await browsers[0].close();
    expect(atClose).toBeLessThan(1);
    await expect(row).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    const got = await receiver.evaluate((id) => (window as unknown as Api).__medchain.room.blobSha256(id), a.id);
    expect(got).toBe(a.sha256);
  } finally {
    for (const b of browsers.slice(1)) await b.close();
    if (browsers[0]) await browsers[0].close().catch(() => {});
  }
});
