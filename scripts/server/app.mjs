// The one-port server behind `npm start`: the static PWA from build/ and the
// PeerJS signalling server (the `peer` package) at /peerjs, over HTTP or HTTPS.
import express from 'express';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join, resolve } from 'node:path';
import { ExpressPeerServer } from 'peer';
import { caInstructionsHtml } from './ca-page.mjs';

/** Path at which the PeerJS server is mounted; the app's PeerJS client uses it too. */
export const PEER_PATH = '/peerjs';
/** Fixed path of the local CA certificate (HTTPS mode), for people to install. */
export const CA_CERT_PATH = '/ca/medchain-ca.crt';

/**
 * Builds the express app and the HTTP(S) server, not yet listening.
 * @param {{ root?: string, tls?: { key: string, cert: string, caCert: string } }} opts
 */
export function createMedchainServer(opts = {}) {
  const root = resolve(opts.root ?? 'build');
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`no build at ${root}: run npm run build first`);
  }
  const app = express();
  app.disable('x-powered-by');
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, app) : http.createServer(app);

  // Discovery on: the WebRTC transport finds its room's peers in GET /peerjs/peerjs/peers.
  const peerServer = ExpressPeerServer(server, { path: '/', allow_discovery: true, proxied: false });
  app.use(PEER_PATH, peerServer);

  if (opts.tls) {
    const caCert = opts.tls.caCert;
    app.get(CA_CERT_PATH, (_req, res) => {
      res.type('application/x-x509-ca-cert').set('Content-Disposition', 'attachment; filename="medchain-ca.crt"').send(caCert);
    });
    app.get(['/ca', '/ca/'], (_req, res) => res.type('html').send(caInstructionsHtml(CA_CERT_PATH)));
  }

  // The service worker and the manifest must never be cached by HTTP, so that
  // a new build is picked up; hashed assets are immutable.
  app.use((req, res, next) => {
    if (req.path === '/sw.js' || req.path === '/manifest.webmanifest') res.set('Cache-Control', 'no-cache');
    else if (req.path.startsWith('/_app/immutable/')) res.set('Cache-Control', 'public, max-age=31536000, immutable');
    next();
  });
  app.use(express.static(root, { extensions: ['html'], index: 'index.html', setHeaders: wasmHeader }));
  // SPA fallback for routes that were not prerendered.
  const fallback = readFileSync(join(root, '200.html'));
  app.use((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return res.status(405).end();
    res.status(200).type('html').set('Cache-Control', 'no-cache').send(fallback);
  });
  return { app, server, peerServer };
}

/** @param {import('node:http').ServerResponse} res @param {string} path */
function wasmHeader(res, path) {
  if (path.endsWith('.wasm')) res.setHeader('Content-Type', 'application/wasm');
}
