/**
 * PKG set-up (SPEC §3 "Setup (PKG)"): the system parameters and the PKG's keys.
 *
 * | paper | here | value / size |
 * | --- | --- | --- |
 * | q | `SystemParams.q` | BLS12-381 group order, 32 B big-endian when encoded |
 * | P1 (the paper's g) | `P1` | G1 generator, 48 B |
 * | P2 | `P2` | G2 generator, 96 B (the paper's symmetric pairing split, SPEC §2) |
 * | g1 | `g1` | paramG1() = hash_to_curve("g1", MEDCHAIN-V1-PARAM), 48 B; nobody knows log_P1 g1 |
 * | H1, H2, H3 | `dst.H1/H2/H3` | expand_message_xmd / hash_to_curve / hash_to_field DSTs |
 * | n (H1 output bits) | `idBytes * 8` | 512 |
 * | E | `escrowScheme` | ECIES-G1-HKDF-SHA256-AES256GCM (escrow.ts), `escrowBytes` = 128 |
 * | (pkR, skR) | the PKG's encryption key pair | G1 48 B / 32 B |
 * | (PKG signing key) | the PKG's signing key pair | G2 96 B / 32 B, with PoP |
 *
 * Every value except the PKG's record is a constant of the code, so
 * `verifySystemParams` recomputes them and rejects parameters that differ
 * (a different generator or DST would silently change every hash). The PKG's
 * public keys travel in `pkg`, a participant record (participant.ts) with role
 * "pkg", whose proofs verify.
 *
 * Encoding (canonical DAG-CBOR, at most MAX_PARAMS_BYTES):
 *   { t: "medchain/params", v: 1, curve: "BLS12-381", q: 32 B, P1, P2, g1,
 *     dst: { H1, H2, H3 }, idBytes: 64, escrow: scheme name, escrowBytes: 128,
 *     pkg: participant record map }
 *
 * | operation | cost |
 * | --- | --- |
 * | pkgSetup | createParticipant (≈ 6 mul) + paramG1 (1 hash-to-G1, cached) |
 * | verifySystemParams | verifyParticipant (4 P + 2 mulPublic) |
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { fr, g1, g2 } from '$lib/crypto';
import { decode, encode, expectBytes, expectHeader, expectMap, expectString, expectUint, FormatError } from '$lib/codec';
import { DST, paramG1 } from '$lib/hashes';
import { ESCROW_BYTES, ESCROW_SCHEME, ID_BYTES } from './escrow';
import { fail, OK, type Verdict } from './errors';
import { createParticipant, participantFromValue, participantToValue, verifyParticipant, type ParticipantIdentity, type ParticipantKeys } from './participant';

export const PARAMS_TYPE = 'medchain/params';
export const PARAMS_VERSION = 1;
export const MAX_PARAMS_BYTES = 2048;

export interface SystemParams {
  readonly version: typeof PARAMS_VERSION;
  readonly curve: 'BLS12-381';
  readonly q: bigint;
  readonly P1: Uint8Array;
  readonly P2: Uint8Array;
  readonly g1: Uint8Array;
  readonly dst: { readonly H1: string; readonly H2: string; readonly H3: string };
  readonly idBytes: number;
  readonly escrowScheme: string;
  readonly escrowBytes: number;
  /** The PKG's public record: signing pk (+PoP) and pkR (+proof). */
  readonly pkg: ParticipantIdentity;
}

/** The system parameters with the given PKG record. */
export function systemParams(pkg: ParticipantIdentity): SystemParams {
  return {
    version: PARAMS_VERSION,
    curve: 'BLS12-381',
    q: fr.ORDER,
    P1: g1.toBytes(g1.generator()),
    P2: g2.toBytes(g2.generator()),
    g1: g1.toBytes(paramG1()),
    dst: { H1: DST.H1, H2: DST.H2, H3: DST.H3 },
    idBytes: ID_BYTES,
    escrowScheme: ESCROW_SCHEME,
    escrowBytes: ESCROW_BYTES,
    pkg
  };
}

/**
 * Setup: the PKG's two key pairs (signing, and the escrow key pkR/skR) and
 * the public system parameters. `keys` is secret (export with exportKeys).
 */
export function pkgSetup(name = 'PKG'): { params: SystemParams; keys: ParticipantKeys } {
  const keys = createParticipant('pkg', name);
  return { params: systemParams(keys.identity), keys };
}

/** q as 32 bytes big-endian (q itself is not a scalar < q, so not fr.toBytes). */
function uint256(x: bigint): Uint8Array {
  if (x < 0n || x >= 1n << 256n) throw new RangeError('q: does not fit 32 bytes');
  return hexToBytes(x.toString(16).padStart(64, '0'));
}

export function encodeSystemParams(p: SystemParams): Uint8Array {
  return encode({
    t: PARAMS_TYPE,
    v: p.version,
    curve: p.curve,
    q: uint256(p.q),
    P1: p.P1,
    P2: p.P2,
    g1: p.g1,
    dst: { H1: p.dst.H1, H2: p.dst.H2, H3: p.dst.H3 },
    idBytes: p.idBytes,
    escrow: p.escrowScheme,
    escrowBytes: p.escrowBytes,
    pkg: participantToValue(p.pkg)
  });
}

/** Decodes parameters (shape only; FormatError / DecodeError). Check them with verifySystemParams. */
export function decodeSystemParams(bytes: Uint8Array): SystemParams {
  const m = expectMap(decode(bytes, MAX_PARAMS_BYTES), 'params');
  expectHeader(m, PARAMS_TYPE, PARAMS_VERSION);
  const known = ['t', 'v', 'curve', 'q', 'P1', 'P2', 'g1', 'dst', 'idBytes', 'escrow', 'escrowBytes', 'pkg'];
  for (const k of Object.keys(m)) if (!known.includes(k)) throw new FormatError('malformed', `params: unknown field ${k}`);
  const curve = expectString(m.curve, 'params.curve', 32);
  if (curve !== 'BLS12-381') throw new FormatError('out-of-range', `params.curve: ${curve} is not supported`);
  const dst = expectMap(m.dst, 'params.dst');
  return {
    version: PARAMS_VERSION,
    curve,
    q: BigInt('0x' + bytesToHex(expectBytes(m.q, 'params.q', 32))),
    P1: expectBytes(m.P1, 'params.P1', 48),
    P2: expectBytes(m.P2, 'params.P2', 96),
    g1: expectBytes(m.g1, 'params.g1', 48),
    dst: { H1: expectString(dst.H1, 'params.dst.H1', 255), H2: expectString(dst.H2, 'params.dst.H2', 255), H3: expectString(dst.H3, 'params.dst.H3', 255) },
    idBytes: expectUint(m.idBytes, 'params.idBytes', 1024),
    escrowScheme: expectString(m.escrow, 'params.escrow', 64),
    escrowBytes: expectUint(m.escrowBytes, 'params.escrowBytes', 4096),
    pkg: participantFromValue(m.pkg)
  };
}

export type ParamsFailure = 'wrong-constant' | 'not-a-pkg' | 'bad-pkg-record';

/** Checks that every constant is this code's and that the PKG record verifies. */
export function verifySystemParams(p: SystemParams): Verdict<ParamsFailure> {
  const want = systemParams(p.pkg);
  const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
  const checks: [string, boolean][] = [
    ['version', p.version === want.version],
    ['curve', p.curve === want.curve],
    ['q', p.q === want.q],
    ['P1', eq(p.P1, want.P1)],
    ['P2', eq(p.P2, want.P2)],
    ['g1', eq(p.g1, want.g1)],
    ['dst', p.dst.H1 === want.dst.H1 && p.dst.H2 === want.dst.H2 && p.dst.H3 === want.dst.H3],
    ['idBytes', p.idBytes === want.idBytes],
    ['escrow', p.escrowScheme === want.escrowScheme && p.escrowBytes === want.escrowBytes]
  ];
  for (const [name, ok] of checks) if (!ok) return fail('wrong-constant', `parameter ${name} differs from this program's`);
  if (p.pkg.role !== 'pkg') return fail('not-a-pkg', `the PKG record has role ${p.pkg.role}`);
  const v = verifyParticipant(p.pkg);
  if (!v.ok) return fail('bad-pkg-record', `the PKG record does not verify: ${v.detail}`);
  return OK;
}
