import type { Page } from '@playwright/test';
import { assertWebRtcCapableHost, launchFresh } from './browser';
import { expect, test } from './fixtures';
import type { NetLabApi } from '../../src/routes/net-lab/lab';

// The two real transports on the diagnostics page /net-lab, driven through
// window.__netLab (src/routes/net-lab/lab.ts).

type LabWindow = { __netLab?: NetLabApi };

async function openLab(page: Page, room: string, t: 'broadcast' | 'webrtc'): Promise<string> {
  await page.goto(`/net-lab?room=${room}&t=${t}`);
  await expect(page.getByTestId('lab-status')).toHaveText('ready', { timeout: 30_000 });
  return page.evaluate(() => (window as LabWindow).__netLab!.address);
}

const links = (page: Page) => page.evaluate(() => (window as LabWindow).__netLab!.links());
const received = (page: Page) => page.evaluate(() => (window as LabWindow).__netLab!.received());
const closes = (page: Page) => page.evaluate(() => (window as LabWindow).__netLab!.closes());
const sendPattern = (page: Page, to: string, n: number, seed: number) =>
  page.evaluate(([to, n, seed]) => (window as LabWindow).__netLab!.sendPattern(to, n, seed), [to, n, seed] as const);

test('three tabs of one browser link pairwise over BroadcastChannel, exchange frames, and notice a closed tab', async ({ context }) => {
  const room = `bc-${Date.now()}`;
  const pages = [context.pages()[0] ?? (await context.newPage()), await context.newPage(), await context.newPage()];
  const addr: string[] = [];
  for (const p of pages) addr.push(await openLab(p, room, 'broadcast'));
  expect(new Set(addr).size).toBe(3);
  for (let i = 0; i < 3; i++) {
    const others = addr.filter((_, j) => j !== i).sort();
    await expect.poll(() => links(pages[i]), { timeout: 15_000 }).toEqual(others);
  }
  // Each link once: no page saw a link close while the pairs formed.
  for (const p of pages) expect(await closes(p)).toEqual([]);

  const sha = await sendPattern(pages[0], addr[1], 300_000, 5);
  await sendPattern(pages[2], addr[1], 10, 6);
  await expect
    .poll(async () => (await received(pages[1])).find((r) => r.from === addr[0]), { timeout: 15_000 })
    .toMatchObject({ n: 1, bytes: 300_000, lastSha256: sha });
  await expect.poll(async () => (await received(pages[1])).find((r) => r.from === addr[2])?.n, { timeout: 15_000 }).toBe(1);

  await pages[2].close();
  for (const [p, other] of [
    [pages[0], addr[1]],
    [pages[1], addr[0]]
  ] as const) {
    await expect.poll(() => links(p), { timeout: 15_000 }).toEqual([other]);
    // 'remote left', not 'timeout': the closing tab said goodbye on pagehide.
    expect(await closes(p)).toEqual([{ from: addr[2], reason: 'remote left' }]);
  }
  // A page of another room links with no one.
  const lone = await context.newPage();
  await openLab(lone, `${room}-other`, 'broadcast');
  await lone.waitForTimeout(1000);
  expect(await links(lone)).toEqual([]);
});

test('two browsers find each other through the bundled server, link over WebRTC, move a 1 MiB frame intact, and notice a closed page', async ({ baseURL }) => {
  assertWebRtcCapableHost();
  const room = `rtc-${Date.now()}`;
  const one = await launchFresh(baseURL);
  const two = await launchFresh(baseURL);
  try {
    const a = one.context.pages()[0] ?? (await one.context.newPage());
    const b = two.context.pages()[0] ?? (await two.context.newPage());
    const [addrA, addrB] = await Promise.all([openLab(a, room, 'webrtc'), openLab(b, room, 'webrtc')]);
    expect(addrA).toMatch(/^mc-[0-9a-f]{12}-[0-9a-f]{16}$/);
    expect(addrA.slice(0, 16)).toBe(addrB.slice(0, 16));
    const t0 = Date.now();
    await expect.poll(() => links(a), { timeout: 45_000 }).toEqual([addrB]);
    await expect.poll(() => links(b), { timeout: 15_000 }).toEqual([addrA]);
    test.info().annotations.push({ type: 'webrtc link up', description: `${Date.now() - t0} ms after both registered` });

    // 1 MiB is 17 data-channel messages of 64 KiB: fragmentation both ways.
    const big = 1 << 20;
    const shaAB = await sendPattern(a, addrB, big, 11);
    const shaBA = await sendPattern(b, addrA, big + 12_345, 12);
    await expect.poll(async () => (await received(b)).find((r) => r.from === addrA), { timeout: 30_000 }).toMatchObject({ n: 1, bytes: big, lastSha256: shaAB });
    await expect.poll(async () => (await received(a)).find((r) => r.from === addrB), { timeout: 30_000 }).toMatchObject({ n: 1, bytes: big + 12_345, lastSha256: shaBA });
    const ms = await a.evaluate((to) => (window as LabWindow).__netLab!.sendBulk(to, 8 << 20, 256 << 10), addrB);
    test.info().annotations.push({ type: 'webrtc 8 MiB bulk', description: `${Math.round(ms)} ms` });
    expect(await closes(a)).toEqual([]);
    expect(await a.evaluate(() => (window as LabWindow).__netLab!.drops())).toEqual([]);

    const t1 = Date.now();
    await b.close();
    await expect.poll(() => links(a), { timeout: 30_000 }).toEqual([]);
    test.info().annotations.push({ type: 'webrtc close noticed', description: `${Date.now() - t1} ms` });
    expect(await closes(a)).toEqual([{ from: addrB, reason: 'remote closed' }]);
  } finally {
    await one.close();
    await two.close();
  }
});
