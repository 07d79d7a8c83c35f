// Linear-memory regions shared by every wasm/ module: the I/O buffer through
// which TypeScript passes bytes in and out, and a stack of temporaries.
//
// Temporaries (no GC, no free list): a function that needs scratch space does
//
//   const mk = tmp_mark();
//   const t = tmp_alloc(FP2_SIZE);   // 8-byte aligned, contents undefined
//   ...
//   tmp_reset(mk);                   // before every return
//
// so allocations nest like a call stack and callees never clobber the caller's
// scratch. Do not keep a tmp pointer across a tmp_reset that releases it.
// Long-lived state (tables, precomputation) belongs in regions of its own.

/** Bytes of the I/O buffer. */
export const IO_SIZE: usize = 8192;
/** Bytes of the temporary stack. */
export const TMP_SIZE: usize = 65536;

const IO_BASE: usize = memory.data(8192, 16); // IO_SIZE
const TMP_BASE: usize = memory.data(65536, 16); // TMP_SIZE
let tmpTop: usize = TMP_BASE;

/** Address of the I/O buffer (IO_SIZE bytes) where TS writes inputs and reads outputs. */
export function io_ptr(): usize {
  return IO_BASE;
}

/** Size of the I/O buffer in bytes. */
export function io_size(): usize {
  return IO_SIZE;
}

/** Reserves `size` bytes (rounded up to 8) on the temporary stack; contents undefined. */
export function tmp_alloc(size: usize): usize {
  const p = tmpTop;
  tmpTop = p + ((size + 7) & ~(<usize>7));
  assert(tmpTop <= TMP_BASE + TMP_SIZE, 'tmp stack overflow');
  return p;
}

/** Current top of the temporary stack, to pass to tmp_reset. */
export function tmp_mark(): usize {
  return tmpTop;
}

/** Releases every temporary allocated since `mark` was taken. */
export function tmp_reset(mark: usize): void {
  tmpTop = mark;
}

/** Bytes of temporaries currently in use (tests check it returns to 0). */
export function tmp_used(): usize {
  return tmpTop - TMP_BASE;
}

// ---------------------------------------------------------------------------
// Bulk region for inputs larger than the I/O buffer (MSM points and scalars,
// pairing batches). One region from __heap_base up, grown on demand and
// reused: a pointer from heap_reserve is valid until the next call.

const HEAP_START: usize = (__heap_base + 63) & ~(<usize>63);

/** Pointer to at least `size` bytes of scratch memory (contents undefined). */
export function heap_reserve(size: usize): usize {
  const end = HEAP_START + size;
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) unreachable();
  }
  return HEAP_START;
}
