import { ROLES } from '../../src/lib/roles/catalog';
import en from '../../src/lib/i18n/messages/en.json' with { type: 'json' };
import zh from '../../src/lib/i18n/messages/zh-CN.json' with { type: 'json' };
import { expect, test } from './fixtures';

test('landing page lists the six roles', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('tagline')).toHaveText(en['app.tagline']);
  for (const role of ROLES) {
    await expect(page.getByTestId(`role-${role.id}`)).toContainText(en[`role.${role.id}` as keyof typeof en]);
  }
});

test('each role route opens in the role shell and says plainly what works and what is not built yet', async ({ page }) => {
  for (const role of ROLES) {
    await page.goto('/');
    await page.getByTestId(`role-${role.id}`).click();
    await expect(page).toHaveURL(new RegExp(`${role.path}$`));
    await expect(page.getByTestId('role-title')).toHaveText(en[`role.${role.id}` as keyof typeof en]);
    await expect(page.getByTestId('role-not-yet')).toHaveText(en[`shell.notyet.${role.id}` as keyof typeof en]);
    // Without a room: the identity picker and the rooms this browser knows.
    await expect(page.getByTestId('identity-picker')).toBeVisible();
    await expect(page.getByTestId('known-rooms')).toContainText(en['shell.norooms']);
    // Direct load of the route (prerendered shell) works too.
    await page.goto(role.path);
    await expect(page.getByTestId('role-title')).toHaveText(en[`role.${role.id}` as keyof typeof en]);
  }
});

test('switching to 中文 changes the visible strings and persists across reload', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('tagline')).toHaveText(en['app.tagline']);
  await page.getByTestId('locale').selectOption('zh-CN');
  await expect(page.getByTestId('tagline')).toHaveText(zh['app.tagline']);
  await expect(page.getByTestId('role-patient')).toContainText(zh['role.patient']);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await page.reload();
  await expect(page.getByTestId('tagline')).toHaveText(zh['app.tagline']);
  await page.goto('/tpa');
  await expect(page.getByTestId('role-title')).toHaveText(zh['role.tpa']);
  await page.getByTestId('locale').selectOption('en');
  await expect(page.getByTestId('role-title')).toHaveText(en['role.tpa']);
});

test('every message key exists in both languages', () => {
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
});

test('the service worker precaches the app and a reload with the network cut still shows it', async ({ page, context }) => {
  await page.goto('/');
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.state;
  });
  // Wait until the precache is complete and the worker controls the page.
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  const manifest = await page.evaluate(async () => (await fetch('/manifest.webmanifest')).json());
  expect(manifest.name).toBe('MedChain');
  expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toContain('512x512');
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('tagline')).toHaveText(en['app.tagline']);
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  await page.goto('/hospital');
  await expect(page.getByTestId('role-title')).toHaveText(en['role.hospital']);
  await context.setOffline(false);
});
