import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createMedchainServer, CA_CERT_PATH } from '../../../scripts/server/app.mjs';
import { ensureCertificates } from '../../../scripts/server/certs.mjs';

// A tiny static root standing in for build/.
import { writeFileSync, mkdirSync } from 'node:fs';
const root = mkdtempSync(join(tmpdir(), 'medchain-root-'));
mkdirSync(join(root, 'deep'));
writeFileSync(join(root, 'index.html'), '<p>home</p>');
writeFileSync(join(root, '200.html'), '<p>spa</p>');
writeFileSync(join(root, 'tpa.html'), '<p>tpa</p>');
writeFileSync(join(root, 'core.wasm'), new Uint8Array([0, 97, 115, 109]));

function get(url: string, opts: https.RequestOptions = {}): Promise<{ status: number; type: string; body: string }> {
  const mod = url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    mod
      .get(url, opts, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      })
      .on('error', reject);
  });
}

describe('one-port server over HTTP', () => {
  let base = '';
  let server: http.Server | https.Server;
  beforeAll(async () => {
    ({ server } = createMedchainServer({ root }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves prerendered pages with and without .html, and the SPA fallback', async () => {
    expect((await get(`${base}/`)).body).toBe('<p>home</p>');
    expect((await get(`${base}/tpa`)).body).toBe('<p>tpa</p>');
    const deep = await get(`${base}/patient/records/42`);
    expect(deep.status).toBe(200);
    expect(deep.body).toBe('<p>spa</p>');
  });

  it('serves wasm with its MIME type (needed for streaming compilation)', async () => {
    expect((await get(`${base}/core.wasm`)).type).toBe('application/wasm');
  });

  it('hands out PeerJS ids at /peerjs on the same port', async () => {
    const r = await get(`${base}/peerjs/peerjs/id`);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists connected PeerJS ids at /peerjs/peerjs/peers (discovery for the WebRTC transport)', async () => {
    const peers = async () => JSON.parse((await get(`${base}/peerjs/peerjs/peers`)).body) as string[];
    expect(await peers()).toEqual([]);
    const ws = new WebSocket(`${base.replace('http', 'ws')}/peerjs/peerjs?key=peerjs&id=mc-test-1&token=t1`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m) => resolve(String(m)));
      ws.once('error', reject);
    });
    expect(JSON.parse(first).type).toBe('OPEN');
    expect(await peers()).toEqual(['mc-test-1']);
    ws.close();
    await vi.waitFor(async () => expect(await peers()).toEqual([]), { timeout: 5000, interval: 20 });
  });

  it('has no CA download in plain HTTP mode', async () => {
    expect((await get(`${base}${CA_CERT_PATH}`)).body).toBe('<p>spa</p>');
  });
});

describe('one-port server over HTTPS with a local CA', () => {
  const certDir = mkdtempSync(join(tmpdir(), 'medchain-certs-'));
  let tls: { key: string; cert: string; caCert: string; created: boolean };
  let base = '';
  let server: http.Server | https.Server;
  beforeAll(async () => {
    tls = ensureCertificates(certDir, ['localhost', '127.0.0.1']);
    ({ server } = createMedchainServer({ root, tls }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(certDir, { recursive: true, force: true });
  });

  it('creates the CA once and reuses it', () => {
    expect(tls.created).toBe(true);
    const again = ensureCertificates(certDir, ['localhost', '127.0.0.1']);
    expect(again.created).toBe(false);
    expect(again.caCert).toBe(tls.caCert);
  });

  it('is trusted by a client that trusts only the CA, for IP and name', async () => {
    const r = await get(`${base}/tpa`, { ca: tls.caCert });
    expect(r.body).toBe('<p>tpa</p>');
    const byName = await get(`${base.replace('127.0.0.1', 'localhost')}/`, { ca: tls.caCert, lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]) } as https.RequestOptions);
    expect(byName.body).toBe('<p>home</p>');
  });

  it('is rejected by a client that does not trust the CA', async () => {
    await expect(get(`${base}/`)).rejects.toThrow(/self.signed|unable to verify|certificate/i);
  });

  it('offers the CA certificate at its fixed path and instructions at /ca/', async () => {
    const crt = await get(`${base}${CA_CERT_PATH}`, { ca: tls.caCert });
    expect(crt.body).toBe(tls.caCert);
    const page = await get(`${base}/ca/`, { ca: tls.caCert });
    expect(page.body).toContain('Windows');
    expect(page.body).toContain(CA_CERT_PATH);
  });

  it('re-issues the server certificate when the LAN addresses change', () => {
    const more = ensureCertificates(certDir, ['localhost', '127.0.0.1', '10.1.2.3']);
    expect(more.cert).not.toBe(tls.cert);
    expect(more.caCert).toBe(tls.caCert);
  });
});
