import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A browser-only app: every route is prerendered as a shell and the
    // client renders it (ssr = false in src/routes/+layout.ts). '200.html'
    // is the SPA fallback; 'index.html' would overwrite the prerendered page.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
    serviceWorker: { register: false }
  }
};

export default config;
