/** G1 of BLS12-381 (48-byte compressed points): signatures, tags, sector bases. */
import { makeGroup, type CurvePoint } from './curve';

export type G1 = CurvePoint<'G1'>;
export const g1 = makeGroup({ name: 'G1', prefix: 'g1', compressedBytes: 48, uncompressedBytes: 96, hashBytes: 64 });
