/** Random test inputs from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Uniform-enough bigint in [lo, hi] (64 extra bits, bias < 2^-64). */
export function randomBigInt(lo: bigint, hi: bigint): bigint {
  const span = hi - lo + 1n;
  const bytes = randomBytes(Math.ceil(span.toString(16).length / 2) + 8);
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return lo + (x % span);
}
