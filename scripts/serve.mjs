// `npm start` (after the build): serves the PWA and the PeerJS signalling
// server on one port, on every interface, and prints the URLs to open.
//   PORT (default 8080), HOST (default 0.0.0.0), HTTPS=1 or --https.
import { networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import { caInstructionsText } from './server/ca-page.mjs';
import { ensureCertificates } from './server/certs.mjs';
import { CA_CERT_PATH, createMedchainServer, PEER_PATH } from './server/app.mjs';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const useHttps = process.argv.includes('--https') || /^(1|true|yes)$/i.test(process.env.HTTPS ?? '');

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got ${process.env.PORT}`);
  process.exit(1);
}

/** IPv4 addresses of this machine other than loopback. */
function lanAddresses() {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => /** @type {import('node:os').NetworkInterfaceInfo} */ (a).address);
}

const lan = lanAddresses();
const tls = useHttps ? ensureCertificates('.certs', ['localhost', '127.0.0.1', ...lan]) : undefined;
const { server } = createMedchainServer({ tls });

server.on('error', (/** @type {NodeJS.ErrnoException} */ err) => {
  console.error(err.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one, e.g. PORT=8081 npm start` : err);
  process.exit(1);
});

server.listen(port, host, async () => {
  const actualPort = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const scheme = useHttps ? 'https' : 'http';
  const urls = [`${scheme}://localhost:${actualPort}`, ...lan.map((a) => `${scheme}://${a}:${actualPort}`)];
  console.log(`MedChain is running (PeerJS signalling at ${PEER_PATH}). Open:`);
  for (const u of urls) console.log(`  ${u}`);
  if (lan.length > 0) {
    console.log(`\nScan to open ${urls[1]} on a phone or laptop on this network:`);
    console.log(await QRCode.toString(urls[1], { type: 'terminal', small: true }));
  }
  if (tls) {
    console.log(caInstructionsText(`${urls[lan.length > 0 ? 1 : 0]}${CA_CERT_PATH}`));
    if (tls.created) console.log('(A new local CA was created in .certs/.)');
  } else if (lan.length > 0) {
    console.log('On LAN addresses plain http is not a secure context: everything works but offline install.');
    console.log('For that, run npm start -- --https and trust the local CA once per device.');
  }
});

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
