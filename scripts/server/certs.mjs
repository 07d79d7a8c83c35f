// HTTPS for LAN use: a local certificate authority made on first start (kept
// in .certs/, git-ignored) and a server certificate signed by it for localhost
// and every LAN address. A click-through self-signed certificate is not enough:
// Chromium refuses service workers on certificate errors. node-forge does the
// X.509 work we would otherwise write by hand.
import forge from 'node-forge';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { pki, md } = forge;

function serial() {
  return forge.util.bytesToHex(forge.random.getBytesSync(16)).replace(/^[89a-f]/, '7');
}

function makeCa() {
  const keys = pki.rsa.generateKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 86_400_000);
  const attrs = [{ name: 'commonName', value: 'MedChain local CA' }, { name: 'organizationName', value: 'MedChain (this machine only)' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' }
  ]);
  cert.sign(keys.privateKey, md.sha256.create());
  return { key: pki.privateKeyToPem(keys.privateKey), cert: pki.certificateToPem(cert) };
}

/** @param {{ key: string, cert: string }} ca @param {string[]} hosts */
function makeLeaf(ca, hosts) {
  const caKey = pki.privateKeyFromPem(ca.key);
  const caCert = pki.certificateFromPem(ca.cert);
  const keys = pki.rsa.generateKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  // Browsers reject leaf certificates valid for more than 398 days.
  cert.validity.notAfter = new Date(Date.now() + 397 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'MedChain server' }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = hosts.map((/** @type {string} */ h) => (/^[\d.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames }
  ]);
  cert.sign(caKey, md.sha256.create());
  return { key: pki.privateKeyToPem(keys.privateKey), cert: pki.certificateToPem(cert), hosts };
}

/**
 * Loads or creates the CA in `dir` and a server certificate covering `hosts`
 * (re-issued when the set of addresses changes).
 * @param {string} dir
 * @param {string[]} hosts
 * @returns {{ key: string, cert: string, caCert: string, created: boolean }}
 */
export function ensureCertificates(dir, hosts) {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'ca.json');
  let created = false;
  let ca;
  if (existsSync(caPath)) ca = JSON.parse(readFileSync(caPath, 'utf8'));
  else {
    ca = makeCa();
    writeFileSync(caPath, JSON.stringify(ca), { mode: 0o600 });
    created = true;
  }
  const leafPath = join(dir, 'server.json');
  const wanted = [...new Set(hosts)].sort();
  let leaf = existsSync(leafPath) ? JSON.parse(readFileSync(leafPath, 'utf8')) : undefined;
  if (!leaf || created || JSON.stringify([...leaf.hosts].sort()) !== JSON.stringify(wanted)) {
    leaf = makeLeaf(ca, wanted);
    writeFileSync(leafPath, JSON.stringify(leaf), { mode: 0o600 });
  }
  return { key: leaf.key, cert: leaf.cert + ca.cert, caCert: ca.cert, created };
}
