/**
 * The BlobStore acceptance suite (src/lib/net/blob/transfer.ts interface):
 * MemoryBlobStore and DexieBlobStore must both pass it. `setup()` returns a
 * fresh, empty store and optionally `reopen()` (close, open the same data).
 * Small chunks (4 KiB) keep it fast; the 60 KiB default is covered by
 * tests/unit/net/blob.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { makeManifest, MIN_CHUNK_BYTES, sha256Sync, type BlobManifest, type BlobStore } from '../../../src/lib/net/blob';
import { randomBytes } from '../helpers/random';

export interface BlobStoreSetup {
  store: BlobStore;
  reopen?: () => Promise<BlobStore>;
  teardown?: () => Promise<void>;
}

const CB = MIN_CHUNK_BYTES;
const chunk = (b: Uint8Array, i: number) => b.subarray(i * CB, Math.min((i + 1) * CB, b.length));

export function runBlobStoreTests(name: string, setup: () => Promise<BlobStoreSetup>): void {
  describe(`BlobStore acceptance: ${name}`, () => {
    it('puts and reads back blobs of edge sizes; manifest and id are those of makeManifest', async () => {
      const { store, teardown } = await setup();
      for (const size of [0, 1, CB - 1, CB, CB + 1, 3 * CB + 100]) {
        const bytes = randomBytes(size);
        const { id, manifest } = await store.put(bytes, { chunkBytes: CB, mime: 'application/octet-stream' });
        const ref = await makeManifest(bytes, { chunkBytes: CB, mime: 'application/octet-stream' });
        expect(id).toBe(ref.id);
        expect(manifest).toEqual(ref.manifest);
        expect(await store.has(id)).toBe(true);
        expect(await store.manifest(id)).toEqual(ref.manifest);
        expect(await store.read(id)).toEqual(bytes);
        for (let i = 0; i < manifest.chunks.length; i++) expect(await store.readChunk(id, i)).toEqual(chunk(bytes, i));
        expect(await store.readChunk(id, manifest.chunks.length)).toBeUndefined();
        expect(await store.missing(id)).toEqual([]);
      }
      const list = await store.list();
      expect(list.length).toBe(6);
      expect(list.every((b) => b.mime === 'application/octet-stream')).toBe(true);
      expect(list.map((b) => b.size).sort((a, b) => a - b)).toEqual([0, 1, CB - 1, CB, CB + 1, 3 * CB + 100]);
      expect(await store.partials()).toEqual([]);
      await teardown?.();
    });

    it('put is idempotent, copies its input, and reads return copies', async () => {
      const { store, teardown } = await setup();
      const bytes = randomBytes(2 * CB + 5);
      const keep = bytes.slice();
      const { id } = await store.put(bytes, { chunkBytes: CB });
      bytes.fill(0);
      expect((await store.put(keep, { chunkBytes: CB })).id).toBe(id);
      const c0 = (await store.readChunk(id, 0))!;
      c0.fill(0);
      expect(await store.read(id)).toEqual(keep);
      expect((await store.list()).length).toBe(1);
      await teardown?.();
    });

    it('a partial is invisible until complete(), which needs every chunk; chunks are verified before they are stored', async () => {
      const { store, teardown } = await setup();
      const bytes = randomBytes(4 * CB + 17);
      const { id, manifest } = await makeManifest(bytes, { chunkBytes: CB });
      expect(await store.beginPartial(manifest)).toBe(id);
      const invisible = async () => {
        expect(await store.has(id)).toBe(false);
        expect(await store.manifest(id)).toBeUndefined();
        expect(await store.read(id)).toBeUndefined();
        expect(await store.readChunk(id, 0)).toBeUndefined();
        expect(await store.list()).toEqual([]);
      };
      await invisible();
      expect(await store.partial(id)).toEqual(manifest);
      expect(await store.partials()).toEqual([{ id, size: manifest.size, chunks: 5, received: 0 }]);
      expect(await store.missing(id)).toEqual([0, 1, 2, 3, 4]);

      const bad = chunk(bytes, 1).slice();
      bad[7] ^= 1;
      expect(await store.putChunk(id, 1, bad)).toBe('bad-hash');
      expect(await store.putChunk(id, 1, chunk(bytes, 2))).toBe('bad-hash');
      expect(await store.putChunk(id, 4, chunk(bytes, 4).subarray(1))).toBe('bad-hash');
      expect(await store.missing(id)).toEqual([0, 1, 2, 3, 4]);
      await expect(store.putChunk(id, 5, chunk(bytes, 4))).rejects.toThrow(RangeError);
      await expect(store.putChunk(id, -1, chunk(bytes, 0))).rejects.toThrow(RangeError);

      expect(await store.putChunk(id, 1, chunk(bytes, 1))).toBe('stored');
      expect(await store.putChunk(id, 1, chunk(bytes, 1))).toBe('duplicate');
      expect(await store.putChunk(id, 3, chunk(bytes, 3))).toBe('stored');
      expect(await store.missing(id)).toEqual([0, 2, 4]);
      expect((await store.partials())[0].received).toBe(2);
      expect(await store.complete(id)).toBe(false);
      await invisible();

      for (const i of [0, 2, 4]) expect(await store.putChunk(id, i, chunk(bytes, i))).toBe('stored');
      // Every chunk is stored, and still nothing is visible before complete().
      await invisible();
      expect(await store.missing(id)).toEqual([]);
      expect(await store.complete(id)).toBe(true);
      expect(await store.has(id)).toBe(true);
      expect(await store.read(id)).toEqual(bytes);
      expect(await store.partial(id)).toBeUndefined();
      expect(await store.partials()).toEqual([]);
      expect(await store.list()).toEqual([{ id, size: bytes.length, chunks: 5 }]);
      expect(await store.complete(id)).toBe(true);
      expect(await store.putChunk(id, 0, chunk(bytes, 0))).toBe('duplicate');
      await teardown?.();
    });

    it('beginPartial keeps stored chunks, is a no-op on a complete blob, and refuses an invalid manifest', async () => {
      const { store, teardown } = await setup();
      const bytes = randomBytes(3 * CB);
      const { id, manifest } = await makeManifest(bytes, { chunkBytes: CB });
      await store.beginPartial(manifest);
      await store.putChunk(id, 2, chunk(bytes, 2));
      await store.beginPartial(manifest);
      expect(await store.missing(id)).toEqual([0, 1]);
      const other = randomBytes(CB + 1);
      const { id: id2, manifest: m2 } = await store.put(other, { chunkBytes: CB });
      expect(await store.beginPartial(m2)).toBe(id2);
      expect(await store.has(id2)).toBe(true);
      expect(await store.missing(id2)).toEqual([]);
      expect(await store.partials()).toEqual([{ id, size: 3 * CB, chunks: 3, received: 1 }]);
      const broken = { ...manifest, size: manifest.size + CB } as BlobManifest;
      await expect(store.beginPartial(broken)).rejects.toThrow(RangeError);
      await teardown?.();
    });

    it('put of a blob with a partial download completes it', async () => {
      const { store, teardown } = await setup();
      const bytes = randomBytes(2 * CB + 3);
      const { id, manifest } = await makeManifest(bytes, { chunkBytes: CB });
      await store.beginPartial(manifest);
      await store.putChunk(id, 0, chunk(bytes, 0));
      await store.put(bytes, { chunkBytes: CB });
      expect(await store.has(id)).toBe(true);
      expect(await store.partials()).toEqual([]);
      expect(await store.read(id)).toEqual(bytes);
      await teardown?.();
    });

    it('delete forgets complete and partial blobs; unknown ids are answered, not thrown', async () => {
      const { store, teardown } = await setup();
      const a = randomBytes(CB + 9);
      const { id: ida } = await store.put(a, { chunkBytes: CB });
      const b = randomBytes(2 * CB);
      const { id: idb, manifest: mb } = await makeManifest(b, { chunkBytes: CB });
      await store.beginPartial(mb);
      await store.putChunk(idb, 0, chunk(b, 0));
      await store.delete(ida);
      await store.delete(idb);
      expect(await store.has(ida)).toBe(false);
      expect(await store.read(ida)).toBeUndefined();
      expect(await store.partial(idb)).toBeUndefined();
      expect(await store.missing(idb)).toBeUndefined();
      expect(await store.putChunk(idb, 1, chunk(b, 1))).toBe('no-partial');
      expect(await store.complete(idb)).toBe(false);
      expect(await store.list()).toEqual([]);
      expect(await store.partials()).toEqual([]);
      const unknown = Array.from(sha256Sync(randomBytes(8)), (x) => x.toString(16).padStart(2, '0')).join('');
      expect(await store.has(unknown)).toBe(false);
      expect(await store.missing(unknown)).toBeUndefined();
      expect(await store.putChunk(unknown, 0, randomBytes(10))).toBe('no-partial');
      await store.delete(unknown);
      await teardown?.();
    });

    it('concurrent writes of the same chunk store it once', async () => {
      const { store, teardown } = await setup();
      const bytes = randomBytes(2 * CB);
      const { id, manifest } = await makeManifest(bytes, { chunkBytes: CB });
      await store.beginPartial(manifest);
      const r = await Promise.all([store.putChunk(id, 0, chunk(bytes, 0)), store.putChunk(id, 0, chunk(bytes, 0)), store.putChunk(id, 1, chunk(bytes, 1))]);
      expect(r.filter((x) => x === 'stored').length).toBe(2);
      expect(r.filter((x) => x === 'duplicate').length).toBe(1);
      expect(await store.complete(id)).toBe(true);
      expect(await store.read(id)).toEqual(bytes);
      await teardown?.();
    });

    it('keeps complete blobs and partial chunks across a reopen', async () => {
      const s = await setup();
      if (!s.reopen) {
        // In-memory stores have nothing to reopen; the assertion says so instead of skipping.
        expect(name).toContain('memory');
        await s.teardown?.();
        return;
      }
      const bytes = randomBytes(CB + 1);
      const { id } = await s.store.put(bytes, { chunkBytes: CB });
      const part = randomBytes(3 * CB);
      const { id: pid, manifest } = await makeManifest(part, { chunkBytes: CB });
      await s.store.beginPartial(manifest);
      await s.store.putChunk(pid, 1, chunk(part, 1));
      const again = await s.reopen();
      expect(await again.read(id)).toEqual(bytes);
      expect(await again.partial(pid)).toEqual(manifest);
      expect(await again.missing(pid)).toEqual([0, 2]);
      expect(await again.has(pid)).toBe(false);
      await s.teardown?.();
    });
  });
}
