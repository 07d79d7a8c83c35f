// The page at /ca/ (HTTPS mode): how to trust the local certificate authority
// on each platform, so that service workers and offline install work on a LAN.

/** The same instructions as plain text, printed by `npm start -- --https`. */
/** @param {string} certUrl */
export function caInstructionsText(certUrl) {
  return [
    `Trust the local CA once per device, then open the https:// URL: download ${certUrl}`,
    '  Windows: open the file, Install Certificate, Local Machine, "Trusted Root Certification Authorities".',
    '  macOS: open the file in Keychain Access (System), then set "When using this certificate" to Always Trust.',
    '  Linux (Chromium/Chrome): Settings, Privacy and security, Security, Manage certificates, Authorities, Import, tick "Trust this certificate for identifying websites".',
    '  Android: Settings, Security, Encryption & credentials, Install a certificate, CA certificate.',
    '  iOS: open the file in Safari, install the profile in Settings, then Settings, General, About, Certificate Trust Settings, enable it.'
  ].join('\n');
}

/** @param {string} certPath */
export function caInstructionsHtml(certPath) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>MedChain local certificate authority</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;line-height:1.5}</style></head><body>
<h1>Trust this MedChain server</h1>
<p>This server made its own certificate authority (CA) on first start. Browsers only allow offline install (service workers) over HTTPS with a trusted certificate, so install the CA once on each device, then open the https:// address again. The CA is used only by this MedChain server; remove it when the class or project ends.</p>
<p><a href="${certPath}" download>Download medchain-ca.crt</a></p>
<h2>Windows</h2><p>Open the downloaded file, choose <em>Install Certificate</em>, <em>Local Machine</em>, and place it in <em>Trusted Root Certification Authorities</em>. Restart the browser.</p>
<h2>macOS</h2><p>Open the file: Keychain Access adds it to the System keychain. Double-click the certificate, open <em>Trust</em>, and set <em>When using this certificate</em> to <em>Always Trust</em>.</p>
<h2>Linux (Chromium, Chrome)</h2><p>Settings, Privacy and security, Security, Manage certificates, Authorities, Import; tick <em>Trust this certificate for identifying websites</em>. Firefox: Settings, Privacy &amp; Security, View Certificates, Authorities, Import.</p>
<h2>Android</h2><p>Settings, Security, Encryption &amp; credentials, Install a certificate, <em>CA certificate</em>, and pick the downloaded file.</p>
<h2>iOS / iPadOS</h2><p>Open the download link in Safari and allow the profile; install it in Settings, General, VPN &amp; Device Management; then enable it under Settings, General, About, Certificate Trust Settings.</p>
</body></html>`;
}
