import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    sveltekit(),
    SvelteKitPWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      strategies: 'generateSW',
      manifest: {
        name: 'MedChain',
        short_name: 'MedChain',
        description: 'Medical records stored and shared with blockchain-backed public auditing',
        theme_color: '#0f766e',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ]
      },
      workbox: {
        // Precache the whole build, the WASM core included, so that a second
        // load works offline; unknown paths fall back to the SPA shell.
        globPatterns: ['client/**/*.{js,css,html,ico,png,svg,webmanifest,wasm,json}', 'prerendered/**/*.html'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallbackDenylist: [/^\/peerjs/, /^\/ca\//]
      },
      kit: { adapterFallback: '200.html', spa: true },
      devOptions: { enabled: false }
    })
  ],
  // Crypto pool workers are ES modules (top-level await, code splitting).
  worker: { format: 'es' },
  build: {
    // The WASM core must stay a separate, precached file (never a data: URL),
    // so that it streams, caches and shows up in size budgets.
    assetsInlineLimit: (file: string) => (file.endsWith('.wasm') ? false : undefined)
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000
  }
});
