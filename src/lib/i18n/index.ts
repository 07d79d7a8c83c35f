/**
 * The UI's two languages through svelte-i18n: ICU message syntax (plurals,
 * numbers) and a reactive locale store, so switching language re-renders in
 * place without a reload (a reload would drop peer connections). Messages are
 * flat JSON files per locale so that translators need no code.
 */
import { addMessages, init, locale } from 'svelte-i18n';
import en from './messages/en.json';
import zhCN from './messages/zh-CN.json';

export { _, locale } from 'svelte-i18n';

export const LOCALES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '中文' }
] as const;
export type LocaleCode = (typeof LOCALES)[number]['code'];

const STORAGE_KEY = 'medchain.locale';

function isLocale(x: unknown): x is LocaleCode {
  return LOCALES.some((l) => l.code === x);
}

/** The saved choice, else the browser's language, else English. */
export function initialLocale(): LocaleCode {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (isLocale(saved)) return saved;
  } catch {
    // storage can be blocked; fall through to the browser language
  }
  const nav = globalThis.navigator?.language ?? 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let started = false;

/** Registers the messages and sets the first locale; idempotent. */
export function setupI18n(): void {
  if (started) return;
  started = true;
  addMessages('en', en);
  addMessages('zh-CN', zhCN);
  init({ fallbackLocale: 'en', initialLocale: initialLocale() });
}

/** Switches the UI language and remembers the choice across reloads. */
export function setLocale(code: LocaleCode): void {
  locale.set(code);
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, code);
  } catch {
    // not fatal: the choice just does not persist
  }
  if (typeof document !== 'undefined') document.documentElement.lang = code;
}
