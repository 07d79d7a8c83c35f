/** G2 of BLS12-381 (96-byte compressed points): public keys, R2. */
import { makeGroup, type CurvePoint } from './curve';

export type G2 = CurvePoint<'G2'>;
export const g2 = makeGroup({ name: 'G2', prefix: 'g2', compressedBytes: 96, uncompressedBytes: 192, hashBytes: 128 });
