import { test as base, type BrowserContext } from '@playwright/test';
import { launchFresh } from './browser';

/** `context` and `page` from a persistent context with a fresh profile. */
export const test = base.extend<{ context: BrowserContext }>({
  context: async ({ baseURL }, use) => {
    const browser = await launchFresh(baseURL);
    await use(browser.context);
    await browser.close();
  },
  page: async ({ context }, use) => {
    const page = context.pages()[0] ?? (await context.newPage());
    await use(page);
  }
});

export { expect } from '@playwright/test';
