import { assertWebRtcCapableHost } from './browser';
import { expect, test } from './fixtures';

test('two pages get PeerJS ids from the bundled server and exchange a message over WebRTC', async ({ context }) => {
  assertWebRtcCapableHost();
  const a = context.pages()[0] ?? (await context.newPage());
  const b = await context.newPage();
  await a.goto('/network-check');
  await b.goto('/network-check');
  await expect(a.getByTestId('net-status')).toHaveText('ready');
  await expect(b.getByTestId('net-status')).toHaveText('ready');
  const idA = (await a.getByTestId('my-id').textContent())!.trim();
  const idB = (await b.getByTestId('my-id').textContent())!.trim();
  expect(idA).not.toBe(idB);
  // PeerJS's server only relays signalling: data arrives only over an open
  // RTCDataChannel, so b seeing a's ping and a the pong proves WebRTC works.
  await a.getByTestId('target-id').fill(idB);
  await a.getByTestId('connect').click();
  await expect(b.getByTestId('net-log')).toContainText(`ping ${idA}: hello from ${idA}`, { timeout: 30_000 });
  await expect(a.getByTestId('net-log')).toContainText(`open ${idB}`);
  await expect(a.getByTestId('net-log')).toContainText(`pong ${idB}: hello from ${idA}`);
});
