/**
 * The first real consortium in Chromium: two hospital pages create their
 * identities and show their member cards; the PKG page creates its
 * identity, pastes both cards, creates the consortium (V = 2) and shows the
 * room links; each hospital page opens its link, unlocks its identity and
 * joins; the room finalises blocks with both hospitals as validators, as
 * their network panels show. One browser context (BroadcastChannel between
 * the tabs, one key vault); scrypt at the vault's real cost.
 */
import type { Page } from '@playwright/test';
import en from '../../src/lib/i18n/messages/en.json' with { type: 'json' };
import { expect, test } from './fixtures';

const PASS = 'tulip-meadow-47-harbour';

async function createIdentity(p: Page, path: string, name: string): Promise<void> {
  await p.goto(path);
  await expect(p.getByTestId('identity-picker')).toBeVisible();
  await p.getByRole('tab', { name: en['identity.tab.create'] }).click();
  await p.getByTestId('identity-name').fill(name);
  await p.getByTestId('identity-new-passphrase').fill(PASS);
  await p.getByTestId('identity-new-passphrase2').fill(PASS);
  await p.getByTestId('identity-create').click();
  await expect(p.getByTestId('identity-current')).toContainText(name, { timeout: 60_000 });
}

async function unlock(p: Page, name: string): Promise<void> {
  await p.getByTestId('identity-list').locator('li', { hasText: name }).getByRole('radio').check();
  await p.getByTestId('identity-passphrase').fill(PASS);
  await p.getByTestId('identity-unlock').click();
  await expect(p.getByTestId('identity-current')).toContainText(name, { timeout: 60_000 });
}

async function finalHeight(p: Page): Promise<number> {
  return Number((await p.getByTestId('final-height').textContent({ timeout: 60_000 })) ?? 0);
}

test('a PKG makes a consortium from two hospital cards and both hospitals finalise blocks as its validators', async ({ context }) => {
  const pkg = context.pages()[0] ?? (await context.newPage());
  const ha = await context.newPage();
  const hb = await context.newPage();
  for (const [n, p] of [['pkg', pkg], ['ha', ha], ['hb', hb]] as const) {
    p.on('pageerror', (e) => console.log(n, 'pageerror', e.message));
    p.on('console', (m) => m.type() === 'error' && console.log(n, 'console', m.text()));
  }

  // The hospitals: an identity each, and its member card.
  await createIdentity(ha, '/hospital', 'Hospital A');
  await createIdentity(hb, '/hospital', 'Hospital B');
  const cards: string[] = [];
  for (const p of [ha, hb]) {
    await expect(p.getByTestId('member-card-qr')).toBeVisible();
    const text = await p.getByTestId('member-card-text').inputValue();
    expect(text).toMatch(/^medchain-card:[A-Za-z0-9_-]{300,}$/);
    cards.push(text);
  }
  expect(cards[0]).not.toBe(cards[1]);

  // The PKG: identity, consortium form, both cards pasted.
  await createIdentity(pkg, '/pkg', 'Test PKG');
  await pkg.getByTestId('consortium-name').fill('E2E Consortium');
  await pkg.getByTestId('consortium-validators').fill('2');
  await pkg.getByTestId('consortium-slotMs').fill('1000');
  await pkg.getByTestId('consortium-delay').fill('15');
  // A damaged card is explained, and nothing is added.
  await pkg.getByTestId('card-input').fill(cards[0].slice(0, -12) + 'AAAAAAAAAAAA');
  await pkg.getByTestId('card-add').click();
  await expect(pkg.getByTestId('card-error')).toBeVisible();
  for (const c of cards) {
    await pkg.getByTestId('card-input').fill(c);
    await pkg.getByTestId('card-add').click();
    await expect(pkg.getByTestId('card-input')).toHaveValue('');
  }
  await expect(pkg.getByTestId('draft-members').locator('tbody tr')).toHaveCount(2);
  await expect(pkg.getByTestId('draft-validators')).toContainText('Hospital A');
  await expect(pkg.getByTestId('draft-validators')).toContainText('Hospital B');
  await pkg.getByTestId('consortium-create').click();

  // The PKG's page is now in the room: links, and its node.
  await expect(pkg).toHaveURL(/\/pkg\?room=[0-9a-f]{20}$/, { timeout: 15_000 });
  const room = new URL(pkg.url()).searchParams.get('room')!;
  const link = await pkg.getByTestId('room-link-hospital').getAttribute('href');
  expect(link).toBe(`${new URL(pkg.url()).origin}/hospital?room=${room}`);
  await expect(pkg.getByTestId('room-link-join')).toHaveAttribute('href', /\/join\?room=/);
  await expect(pkg.getByTestId('room-link-qr')).toBeVisible();
  await expect(pkg.getByTestId('member-status')).toHaveAttribute('data-member', 'true');
  await expect(pkg.getByTestId('room-id')).toHaveText(room);

  // The hospitals open the link, unlock and join.
  for (const [p, name] of [[ha, 'Hospital A'], [hb, 'Hospital B']] as const) {
    await p.goto(link!);
    await expect(p.getByTestId('room-name')).toHaveText('E2E Consortium', { timeout: 30_000 });
    await unlock(p, name);
  }
  for (const p of [ha, hb]) {
    await expect(p.getByTestId('member-status')).toHaveAttribute('data-validator', 'true', { timeout: 30_000 });
    await expect(p.getByTestId('member-status')).toHaveAttribute('data-member', 'true');
    await expect(p.getByTestId('network-panel')).toContainText(en['net.validator']);
  }
  for (const p of [ha, hb, pkg]) await expect.poll(() => finalHeight(p), { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  for (const p of [ha, hb]) await expect(p.getByTestId('peer-count')).toHaveText('2');
  // Same final chain: the block ids at the lower final height agree.
  const ids = await Promise.all(
    [ha, hb].map((p) =>
      p.evaluate(() => {
        const s = (window as unknown as { __medchain: { session: { peer: { consensus: { tree: { final: { height: number; hex: string; parent: unknown } } } } } } }).__medchain.session;
        let e = s.peer.consensus.tree.final as { height: number; hex: string; parent: unknown } | null;
        while (e && e.height > 2) e = e.parent as typeof e;
        return e?.hex ?? null;
      })
    )
  );
  expect(ids[0]).not.toBeNull();
  expect(ids[0]).toBe(ids[1]);

  // /join lists the roles for this room.
  const j = await context.newPage();
  await j.goto(`/join?room=${room}`);
  await expect(j.getByTestId('join-hospital')).toHaveAttribute('href', `/hospital?room=${room}`);
  await expect(j.getByTestId('join-room')).toHaveText(room);
});
