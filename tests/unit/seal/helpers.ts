/** Test inputs for seal and sharing: random bytes of any size, streams, and collecting with errors. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(out.subarray(o, Math.min(n, o + 65536)));
  return out;
}

/** A stream of `bytes` cut into chunks of the given sizes (cycled). */
export function chunked(bytes: Uint8Array, sizes: number[] = [1000]): ReadableStream<Uint8Array> {
  let o = 0;
  let k = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (o >= bytes.length) return c.close();
      const n = sizes[k++ % sizes.length];
      c.enqueue(bytes.slice(o, o + n));
      o += n;
    }
  });
}

/** Reads a stream to the end; returns what was read and the error it ended with, if any. */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; error?: unknown }> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  let error: unknown;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (e) {
    error = e;
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return { bytes, error };
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
