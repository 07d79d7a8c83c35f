// Generates wasm/h2c_consts.ts: the constants of RFC 9380 hash-to-curve for
// BLS12-381 (suites BLS12381G1_XMD:SHA-256_SSWU_* and BLS12381G2_XMD:SHA-256_SSWU_*).
//
//   node wasm/gen/h2c-consts.mjs
//
// Sources: RFC 9380 §8.8.1 (E': A', B', Z = 11 for G1), §8.8.2 (E2': A' = 240i,
// B' = 1012(1+i), Z = -(2+i) for G2), Appendix E.2 (11-isogeny E' -> E) and
// E.3 (3-isogeny E2' -> E2). Coefficients are listed in ascending order
// k_(.,0) .. k_(.,d); the monic leading 1 of x_den and y_den is omitted from
// the tables (the evaluator adds it). The script checks every constant it can
// (E' parameters against the isogeny, square roots, Z non-square) so a typo
// fails here rather than in a test.
//
// Constants are stored as 48-byte big-endian integers and converted to the
// field layer's Montgomery form once at start-up (h2c_consts_init), so the
// tables do not depend on the limb width chosen in wasm/gen/gen-field.mjs.
// The exponent (p-3)/4 of sqrt_ratio is stored as a sliding-window schedule.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const P = 0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaabn;
const mod = (a) => ((a % P) + P) % P;
function modpow(b, e) {
  let r = 1n;
  b = mod(b);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return r;
}
const legendre = (a) => modpow(a, (P - 1n) / 2n);
function sqrtFp(a) {
  const r = modpow(a, (P + 1n) / 4n);
  if ((r * r) % P !== mod(a)) throw new Error(`no square root of ${a}`);
  return r;
}

// ---------------------------------------------------------------- G1 (RFC 9380 §8.8.1, E.2)
const G1_A = 0x144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1dn;
const G1_B = 0x12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0n;
const G1_Z = 11n;
const G1_XNUM = [
  '0x11a05f2b1e833340b809101dd99815856b303e88a2d7005ff2627b56cdb4e2c85610c2d5f2e62d6eaeac1662734649b7',
  '0x17294ed3e943ab2f0588bab22147a81c7c17e75b2f6a8417f565e33c70d1e86b4838f2a6f318c356e834eef1b3cb83bb',
  '0xd54005db97678ec1d1048c5d10a9a1bce032473295983e56878e501ec68e25c958c3e3d2a09729fe0179f9dac9edcb0',
  '0x1778e7166fcc6db74e0609d307e55412d7f5e4656a8dbf25f1b33289f1b330835336e25ce3107193c5b388641d9b6861',
  '0xe99726a3199f4436642b4b3e4118e5499db995a1257fb3f086eeb65982fac18985a286f301e77c451154ce9ac8895d9',
  '0x1630c3250d7313ff01d1201bf7a74ab5db3cb17dd952799b9ed3ab9097e68f90a0870d2dcae73d19cd13c1c66f652983',
  '0xd6ed6553fe44d296a3726c38ae652bfb11586264f0f8ce19008e218f9c86b2a8da25128c1052ecaddd7f225a139ed84',
  '0x17b81e7701abdbe2e8743884d1117e53356de5ab275b4db1a682c62ef0f2753339b7c8f8c8f475af9ccb5618e3f0c88e',
  '0x80d3cf1f9a78fc47b90b33563be990dc43b756ce79f5574a2c596c928c5d1de4fa295f296b74e956d71986a8497e317',
  '0x169b1f8e1bcfa7c42e0c37515d138f22dd2ecb803a0c5c99676314baf4bb1b7fa3190b2edc0327797f241067be390c9e',
  '0x10321da079ce07e272d8ec09d2565b0dfa7dccdde6787f96d50af36003b14866f69b771f8c285decca67df3f1605fb7b',
  '0x6e08c248e260e70bd1e962381edee3d31d79d7e22c837bc23c0bf1bc24c6b68c24b1b80b64d391fa9c8ba2e8ba2d229'
];
const G1_XDEN = [
  '0x8ca8d548cff19ae18b2e62f4bd3fa6f01d5ef4ba35b48ba9c9588617fc8ac62b558d681be343df8993cf9fa40d21b1c',
  '0x12561a5deb559c4348b4711298e536367041e8ca0cf0800c0126c2588c48bf5713daa8846cb026e9e5c8276ec82b3bff',
  '0xb2962fe57a3225e8137e629bff2991f6f89416f5a718cd1fca64e00b11aceacd6a3d0967c94fedcfcc239ba5cb83e19',
  '0x3425581a58ae2fec83aafef7c40eb545b08243f16b1655154cca8abc28d6fd04976d5243eecf5c4130de8938dc62cd8',
  '0x13a8e162022914a80a6f1d5f43e7a07dffdfc759a12062bb8d6b44e833b306da9bd29ba81f35781d539d395b3532a21e',
  '0xe7355f8e4e667b955390f7f0506c6e9395735e9ce9cad4d0a43bcef24b8982f7400d24bc4228f11c02df9a29f6304a5',
  '0x772caacf16936190f3e0c63e0596721570f5799af53a1894e2e073062aede9cea73b3538f0de06cec2574496ee84a3a',
  '0x14a7ac2a9d64a8b230b3f5b074cf01996e7f63c21bca68a81996e1cdf9822c580fa5b9489d11e2d311f7d99bbdcc5a5e',
  '0xa10ecf6ada54f825e920b3dafc7a3cce07f8d1d7161366b74100da67f39883503826692abba43704776ec3a79a1d641',
  '0x95fc13ab9e92ad4476d6e3eb3a56680f682b4ee96f7d03776df533978f31c1593174e4b4b7865002d6384d168ecdd0a'
  // k_(2,10) = 1 (monic, implicit)
];
const G1_YNUM = [
  '0x90d97c81ba24ee0259d1f094980dcfa11ad138e48a869522b52af6c956543d3cd0c7aee9b3ba3c2be9845719707bb33',
  '0x134996a104ee5811d51036d776fb46831223e96c254f383d0f906343eb67ad34d6c56711962fa8bfe097e75a2e41c696',
  '0xcc786baa966e66f4a384c86a3b49942552e2d658a31ce2c344be4b91400da7d26d521628b00523b8dfe240c72de1f6',
  '0x1f86376e8981c217898751ad8746757d42aa7b90eeb791c09e4a3ec03251cf9de405aba9ec61deca6355c77b0e5f4cb',
  '0x8cc03fdefe0ff135caf4fe2a21529c4195536fbe3ce50b879833fd221351adc2ee7f8dc099040a841b6daecf2e8fedb',
  '0x16603fca40634b6a2211e11db8f0a6a074a7d0d4afadb7bd76505c3d3ad5544e203f6326c95a807299b23ab13633a5f0',
  '0x4ab0b9bcfac1bbcb2c977d027796b3ce75bb8ca2be184cb5231413c4d634f3747a87ac2460f415ec961f8855fe9d6f2',
  '0x987c8d5333ab86fde9926bd2ca6c674170a05bfe3bdd81ffd038da6c26c842642f64550fedfe935a15e4ca31870fb29',
  '0x9fc4018bd96684be88c9e221e4da1bb8f3abd16679dc26c1e8b6e6a1f20cabe69d65201c78607a360370e577bdba587',
  '0xe1bba7a1186bdb5223abde7ada14a23c42a0ca7915af6fe06985e7ed1e4d43b9b3f7055dd4eba6f2bafaaebca731c30',
  '0x19713e47937cd1be0dfd0b8f1d43fb93cd2fcbcb6caf493fd1183e416389e61031bf3a5cce3fbafce813711ad011c132',
  '0x18b46a908f36f6deb918c143fed2edcc523559b8aaf0c2462e6bfe7f911f643249d9cdf41b44d606ce07c8a4d0074d8e',
  '0xb182cac101b9399d155096004f53f447aa7b12a3426b08ec02710e807b4633f06c851c1919211f20d4c04f00b971ef8',
  '0x245a394ad1eca9b72fc00ae7be315dc757b3b080d4c158013e6632d3c40659cc6cf90ad1c232a6442d9d3f5db980133',
  '0x5c129645e44cf1102a159f748c4a3fc5e673d81d7e86568d9ab0f5d396a7ce46ba1049b6579afb7866b1e715475224b',
  '0x15e6be4e990f03ce4ea50b3b42df2eb5cb181d8f84965a3957add4fa95af01b2b665027efec01c7704b456be69c8b604'
];
const G1_YDEN = [
  '0x16112c4c3a9c98b252181140fad0eae9601a6de578980be6eec3232b5be72e7a07f3688ef60c206d01479253b03663c1',
  '0x1962d75c2381201e1a0cbd6c43c348b885c84ff731c4d59ca4a10356f453e01f78a4260763529e3532f6102c2e49a03d',
  '0x58df3306640da276faaae7d6e8eb15778c4855551ae7f310c35a5dd279cd2eca6757cd636f96f891e2538b53dbf67f2',
  '0x16b7d288798e5395f20d23bf89edb4d1d115c5dbddbcd30e123da489e726af41727364f2c28297ada8d26d98445f5416',
  '0xbe0e079545f43e4b00cc912f8228ddcc6d19c9f0f69bbb0542eda0fc9dec916a20b15dc0fd2ededda39142311a5001d',
  '0x8d9e5297186db2d9fb266eaac783182b70152c65550d881c5ecd87b6f0f5a6449f38db9dfa9cce202c6477faaf9b7ac',
  '0x166007c08a99db2fc3ba8734ace9824b5eecfdfa8d0cf8ef5dd365bc400a0051d5fa9c01a58b1fb93d1a1399126a775c',
  '0x16a3ef08be3ea7ea03bcddfabba6ff6ee5a4375efa1f4fd7feb34fd206357132b920f5b00801dee460ee415a15812ed9',
  '0x1866c8ed336c61231a1be54fd1d74cc4f9fb0ce4c6af5920abc5750c4bf39b4852cfe2f7bb9248836b233d9d55535d4a',
  '0x167a55cda70a6e1cea820597d94a84903216f763e13d87bb5308592e7ea7d4fbc7385ea3d529b35e346ef48bb8913f55',
  '0x4d2f259eea405bd48f010a01ad2911d9c6dd039bb61a6290e591b36e636a5c871a5c29f4f83060400f8b49cba8f6aa8',
  '0xaccbb67481d033ff5852c1e48c50c477f94ff8aefce42d28c0f9a88cea7913516f968986f7ebbea9684b529e2561092',
  '0xad6b9514c767fe3c3613144b45f1496543346d98adf02267d5ceef9a00d9b8693000763e3b90ac11e99b138573345cc',
  '0x2660400eb2e4f3b628bdd0d53cd76f2bf565b94e72927c1cb748df27942480e420517bd8714cc80d1fadc1326ed06f7',
  '0xe0fa1d816ddc03e6b24255e0d7819c171c40f65e273b853324efcd6356caa205ca2f570f13497804415473a1d634b8f'
  // k_(4,15) = 1 (monic, implicit)
];

// ---------------------------------------------------------------- G2 (RFC 9380 §8.8.2, E.3)
// Fp2 constants as [c0, c1] (element c0 + c1*i).
const G2_XNUM = [
  ['0x5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6', '0x5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97d6'],
  ['0x0', '0x11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71a'],
  ['0x11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71e', '0x8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38d'],
  ['0x171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38d0f671c7188e2aaaaaaaa5ed1', '0x0']
];
const G2_XDEN = [
  ['0x0', '0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa63'],
  ['0xc', '0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa9f']
  // k_(2,2) = 1 (monic, implicit)
];
const G2_YNUM = [
  ['0x1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706', '0x1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25ebf8c92f6812cfc71c71c6d706'],
  ['0x0', '0x5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e343d9c71c6238aaaaaaaa97be'],
  ['0x11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa9cb8d555526a9ffffffffc71c', '0x8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554e5c6aaaa9354ffffffffe38f'],
  ['0x124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097a56dc4bd9e1b371c71c718b10', '0x0']
];
const G2_YDEN = [
  ['0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb', '0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa8fb'],
  ['0x0', '0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffa9d3'],
  ['0x12', '0x1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaa99']
  // k_(4,3) = 1 (monic, implicit)
];

// ---------------------------------------------------------------- checks
// Fp2 arithmetic on [c0, c1] bigints.
const f2 = {
  add: (a, b) => [mod(a[0] + b[0]), mod(a[1] + b[1])],
  mul: (a, b) => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])],
  eq: (a, b) => mod(a[0]) === mod(b[0]) && mod(a[1]) === mod(b[1])
};
const big = (s) => BigInt(s);
// p = 3 mod 4 (sqrt_ratio F.2.1.2 applies), Z = 11 non-square, -Z square.
if (P % 4n !== 3n) throw new Error('p != 3 mod 4');
if (legendre(G1_Z) !== P - 1n) throw new Error('Z = 11 must be a non-square');
const G1_C2 = sqrtFp(mod(-G1_Z)); // sqrt(-Z), RFC 9380 F.2.1.2 c2
// G2: Z = -(2+i) is a non-square in Fp2 iff its norm 5 is a non-square in Fp; then -5 is a square.
if (legendre(5n) !== P - 1n) throw new Error('N(Z) = 5 must be a non-square');
const SQRT_M5 = sqrtFp(mod(-5n));
// The isogenies map E' to E: check on a few points of E' (x from small integers).
function checkG1Iso() {
  const ev = (cs, x, monic) => {
    let acc = monic ? 1n : 0n;
    const all = cs.map(big);
    if (!monic) acc = all.pop();
    for (let i = all.length - 1; i >= 0; i--) acc = mod(acc * x + all[i]);
    return acc;
  };
  let checked = 0;
  for (let x = 1n; checked < 3; x++) {
    const gx = mod(x * x * x + G1_A * x + G1_B);
    if (legendre(gx) !== 1n) continue;
    const y = sqrtFp(gx);
    const X = mod(ev(G1_XNUM, x, false) * modpow(ev(G1_XDEN, x, true), P - 2n));
    const Y = mod(y * ev(G1_YNUM, x, false) * modpow(ev(G1_YDEN, x, true), P - 2n));
    if (mod(Y * Y) !== mod(X * X * X + 4n)) throw new Error('G1 isogeny does not map E1\' to E1');
    checked++;
  }
}
checkG1Iso();
function checkG2Iso() {
  // E2': y^2 = x^3 + 240i x + 1012(1+i); E2: y^2 = x^3 + 4(1+i). Use x in Fp with g(x) having a square root
  // found by brute force over small x via the norm (square in Fp2 iff norm square in Fp).
  const A = [0n, 240n];
  const B = [1012n, 1012n];
  const inv2 = (a) => {
    const n = mod(a[0] * a[0] + a[1] * a[1]);
    const ni = modpow(n, P - 2n);
    return [mod(a[0] * ni), mod(-a[1] * ni)];
  };
  const sqrt2 = (a) => {
    // complex method; returns undefined if not a square
    const n = mod(a[0] * a[0] + a[1] * a[1]);
    if (legendre(n) !== 1n) return undefined;
    const s = sqrtFp(n);
    for (const sg of [s, mod(-s)]) {
      const t = mod((a[0] + sg) * modpow(2n, P - 2n));
      if (legendre(t) === 1n) {
        const x0 = sqrtFp(t);
        const x1 = mod(a[1] * modpow(mod(2n * x0), P - 2n));
        if (f2.eq(f2.mul([x0, x1], [x0, x1]), a)) return [x0, x1];
      }
    }
    return undefined;
  };
  const ev = (cs, x, monic) => {
    const all = cs.map((c) => [big(c[0]), big(c[1])]);
    let acc = monic ? [1n, 0n] : all.pop();
    for (let i = all.length - 1; i >= 0; i--) acc = f2.add(f2.mul(acc, x), all[i]);
    return acc;
  };
  let checked = 0;
  for (let k = 1n; checked < 3; k++) {
    const x = [k, 1n];
    const gx = f2.add(f2.add(f2.mul(f2.mul(x, x), x), f2.mul(A, x)), B);
    const y = sqrt2(gx);
    if (!y) continue;
    const X = f2.mul(ev(G2_XNUM, x, false), inv2(ev(G2_XDEN, x, true)));
    const Y = f2.mul(y, f2.mul(ev(G2_YNUM, x, false), inv2(ev(G2_YDEN, x, true))));
    const rhs = f2.add(f2.mul(f2.mul(X, X), X), [4n, 4n]);
    if (!f2.eq(f2.mul(Y, Y), rhs)) throw new Error('G2 isogeny does not map E2\' to E2');
    checked++;
  }
}
checkG2Iso();

// ---------------------------------------------------------------- sliding-window schedule for (p-3)/4
const W = 5;
const EXP = (P - 3n) / 4n;
function schedule(e, w) {
  const bits = e.toString(2);
  const ops = [];
  let i = 0;
  let sq = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      sq++;
      i++;
      continue;
    }
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === '0') j--;
    const val = parseInt(bits.slice(i, j + 1), 2);
    sq += j + 1 - i;
    ops.push([ops.length === 0 ? 0 : sq, (val - 1) / 2]);
    sq = 0;
    i = j + 1;
  }
  // verify
  let acc = 0n;
  for (const [s, idx] of ops) acc = (acc << BigInt(s)) + BigInt(2 * idx + 1);
  acc <<= BigInt(sq);
  if (acc !== e) throw new Error('schedule does not reproduce the exponent');
  return { ops, tail: sq };
}
const sched = schedule(EXP, W);
for (const [s] of sched.ops) if (s > 255) throw new Error('squaring run too long for u8');

// ---------------------------------------------------------------- emit
const list = [];
const index = {};
function add(name, vals) {
  index[name] = list.length;
  for (const v of vals) {
    const x = mod(typeof v === 'bigint' ? v : big(v));
    list.push(x);
  }
}
add('G1_A', [G1_A]);
add('G1_B', [G1_B]);
add('G1_Z', [G1_Z]);
add('G1_C2', [G1_C2]);
add('G1_XNUM', G1_XNUM);
add('G1_XDEN', G1_XDEN);
add('G1_YNUM', G1_YNUM);
add('G1_YDEN', G1_YDEN);
add('G2_240', [240n]);
add('G2_1012', [1012n]);
add('G2_SQRT_M5', [SQRT_M5]);
add('G2_XNUM', G2_XNUM.flat());
add('G2_XDEN', G2_XDEN.flat());
add('G2_YNUM', G2_YNUM.flat());
add('G2_YDEN', G2_YDEN.flat());

const bytes = [];
for (const x of list) {
  const h = x.toString(16).padStart(96, '0');
  for (let i = 0; i < 96; i += 2) bytes.push('0x' + h.slice(i, i + 2));
}
const rows = [];
for (let i = 0; i < bytes.length; i += 24) rows.push('  ' + bytes.slice(i, i + 24).join(', '));
const schedBytes = sched.ops.flat();

const out = `// GENERATED by wasm/gen/h2c-consts.mjs - do not edit by hand.
// RFC 9380 hash-to-curve constants for BLS12-381 (§8.8.1, §8.8.2, Appendix E.2, E.3),
// as 48-byte big-endian integers; h2c_g1.ts converts them to Montgomery form once
// (h2c_consts_init). Isogeny tables are ascending k_(.,0)..k_(.,d); the monic
// leading 1 of x_den / y_den is omitted. Fp2 entries take two slots (c0, c1).

/** Number of 48-byte constants in H2C_CONST_BE. */
export const H2C_CONST_COUNT: i32 = ${list.length};
/** The constants, 48 bytes big-endian each. */
export const H2C_CONST_BE: usize = memory.data<u8>([
${rows.join(',\n')}
]);

${Object.entries(index)
  .map(([k, v]) => `export const C_${k}: i32 = ${v};`)
  .join('\n')}

/** Degrees of the isogeny polynomials (number of table entries = degree + 1, or degree if monic). */
export const G1_XNUM_LEN: i32 = ${G1_XNUM.length};
export const G1_XDEN_LEN: i32 = ${G1_XDEN.length};
export const G1_YNUM_LEN: i32 = ${G1_YNUM.length};
export const G1_YDEN_LEN: i32 = ${G1_YDEN.length};
export const G2_XNUM_LEN: i32 = ${G2_XNUM.length};
export const G2_XDEN_LEN: i32 = ${G2_XDEN.length};
export const G2_YNUM_LEN: i32 = ${G2_YNUM.length};
export const G2_YDEN_LEN: i32 = ${G2_YDEN.length};

/** Sliding-window (width ${W}) schedule of c1 = (p-3)/4: pairs (squarings, table index) with
 *  table index i standing for a^(2i+1); the first pair's squarings are 0 (it initialises the
 *  accumulator). ${sched.ops.length} multiplications + ${1 << (W - 1)} for the table,
 *  ${sched.ops.reduce((a, o) => a + o[0], 0) + sched.tail} squarings. */
export const SQRT_EXP_W: i32 = ${W};
export const SQRT_EXP_OPS: i32 = ${sched.ops.length};
export const SQRT_EXP_TAIL: i32 = ${sched.tail};
export const SQRT_EXP_SCHED: usize = memory.data<u8>([${schedBytes.join(', ')}]);
`;
const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, '..', 'h2c_consts.ts'), out);
console.log(`wrote wasm/h2c_consts.ts: ${list.length} constants, schedule ${sched.ops.length} windows`);
