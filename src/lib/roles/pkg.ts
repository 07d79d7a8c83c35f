/**
 * The PKG sets up a consortium (SPEC §1 "PKG: system parameters", §6
 * "members ... from genesis"): it collects the member cards of the
 * hospitals and other participants, gives every hospital a rating and a
 * tier, chooses the chain parameters, and signs the genesis block. The
 * genesis id names the room (`roomIdOf`), and the links it hands out are
 * `/<role>?room=<id>`.
 *
 * A draft is plain data the page edits; `checkDraft` explains every problem
 * as an i18n key with values (plain language, never a stack trace);
 * `createConsortium` refuses a draft with problems and checks the block it
 * made with the ledger's own `genesisState` before returning it.
 *
 * Defaults: V = 50 (the paper's), credits as consensus `DEFAULT_CREDITS`
 * (start 100, qualified at 50), 2 s slots, 8 slots a round, and slot 0
 * 30 s after the click so everyone invited can open their link before the
 * first block is due.
 */
import { genesisState, hex, makeGenesis, makeMember, MAX_RATING, TIERS, type Block, type ChainParams, type MemberRecord, type Tier } from '$lib/chain';
import { consensusConfigFromGenesis, DEFAULT_CREDITS, initialCredits, selectValidators, type ConsensusConfig } from '$lib/chain/consensus';
import type { KeyRing } from '$lib/identity';
import { roomIdOf } from '$lib/net/room';
import { appRoleOf, readMemberCard, type MemberCard } from './member-card';
import { ROLES } from './catalog';

/** Roles the PKG lists in genesis (patients are registered later, under a PID). */
export const GENESIS_CARD_ROLES = ['hospital', 'data-user', 'tpa', 'cloud'] as const;

export interface ConsortiumSettings {
  /** V: how many validators (top V qualified hospitals). */
  validators: number;
  slotMs: number;
  roundSlots: number;
  initialCredit: number;
  creditThreshold: number;
  /** Slot 0 starts this long after the genesis is made. */
  startDelayMs: number;
}

export const DEFAULT_SETTINGS: ConsortiumSettings = {
  validators: 50,
  slotMs: 2000,
  roundSlots: 8,
  initialCredit: DEFAULT_CREDITS.initial,
  creditThreshold: DEFAULT_CREDITS.threshold,
  startDelayMs: 30_000
};

/** Bounds the form enforces (the ledger's own limits, or what a classroom needs). */
export const LIMITS = {
  validators: [1, 1024],
  slotMs: [200, 600_000],
  roundSlots: [1, 10_000],
  initialCredit: [0, 1_000_000],
  creditThreshold: [0, 1_000_000],
  startDelayMs: [0, 24 * 3600_000]
} as const satisfies Record<keyof ConsortiumSettings, readonly [number, number]>;

/** One member of the draft: a checked card and, for hospitals, the PKG's rating and tier. */
export interface DraftMember {
  card: MemberCard;
  rating: number;
  tier: Tier;
}

export interface ConsortiumDraft {
  name: string;
  settings: ConsortiumSettings;
  members: DraftMember[];
}

/** A problem with a draft: an i18n key under `pkg.problem.` and its values. */
export interface Problem {
  key: string;
  values?: Record<string, string | number>;
}

export function emptyDraft(): ConsortiumDraft {
  return { name: '', settings: { ...DEFAULT_SETTINGS }, members: [] };
}

export class DraftError extends Error {
  constructor(
    readonly problem: Problem,
    message: string
  ) {
    super(message);
    this.name = 'DraftError';
  }
}

/**
 * Reads a card and adds it to the draft (returns the new member). Throws
 * MemberCardError (not a card, bad signature, wrong role: a patient or a
 * PKG) or DraftError `duplicate` / `own-key` without changing the draft.
 */
export function addCard(draft: ConsortiumDraft, input: string | Uint8Array, pkgKey?: Uint8Array): DraftMember {
  const card = readMemberCard(input, { roles: GENESIS_CARD_ROLES });
  const k = hex(card.member.key);
  const dup = draft.members.find((m) => hex(m.card.member.key) === k);
  if (dup) throw new DraftError({ key: 'duplicate', values: { name: dup.card.member.name } }, `${dup.card.member.name} is already listed`);
  if (pkgKey && hex(pkgKey) === k) throw new DraftError({ key: 'own-key' }, 'this is the PKG’s own key');
  const m: DraftMember = { card, rating: 900, tier: '3A' };
  draft.members.push(m);
  return m;
}

/** The members' ledger records as they go into genesis (rating and tier on hospitals only). */
export function memberRecords(draft: ConsortiumDraft): MemberRecord[] {
  return draft.members.map(({ card, rating, tier }) => (card.member.role === 'hospital' ? { ...card.member, rating, tier } : { ...card.member }));
}

const int = (x: number, [lo, hi]: readonly [number, number]) => Number.isSafeInteger(x) && x >= lo && x <= hi;

/** Every problem that stops `createConsortium`, in the order of the form. Empty = ready. */
export function checkDraft(draft: ConsortiumDraft): Problem[] {
  const out: Problem[] = [];
  const name = draft.name.trim();
  if (!name) out.push({ key: 'name-empty' });
  else if (name.length > 128) out.push({ key: 'name-long', values: { n: 128 } });
  const s = draft.settings;
  for (const k of Object.keys(LIMITS) as (keyof ConsortiumSettings)[]) {
    if (!int(s[k], LIMITS[k])) out.push({ key: `range.${k}`, values: { min: LIMITS[k][0], max: LIMITS[k][1] } });
  }
  if (int(s.initialCredit, LIMITS.initialCredit) && int(s.creditThreshold, LIMITS.creditThreshold) && s.initialCredit < s.creditThreshold) out.push({ key: 'credit' });
  for (const m of draft.members) {
    if (m.card.member.role !== 'hospital') continue;
    if (!int(m.rating, [0, MAX_RATING])) out.push({ key: 'rating', values: { name: m.card.member.name, max: MAX_RATING } });
    if (!(TIERS as readonly string[]).includes(m.tier)) out.push({ key: 'tier', values: { name: m.card.member.name } });
  }
  const hospitals = draft.members.filter((m) => m.card.member.role === 'hospital');
  if (hospitals.length === 0) out.push({ key: 'no-hospital' });
  else if (!hospitals.some((m) => m.tier === '3A')) out.push({ key: 'no-3a' });
  else if (out.length === 0) {
    // The validators are the top V by rating (no votes yet); at least one must produce.
    const vals = initialValidators(draft);
    if (!vals.some((m) => m.tier === '3A')) out.push({ key: 'no-3a-validator', values: { v: s.validators } });
  }
  return out;
}

/** Notes that do not stop the genesis but that the PKG should read. */
export function draftNotes(draft: ConsortiumDraft): Problem[] {
  const out: Problem[] = [];
  const hospitals = draft.members.filter((m) => m.card.member.role === 'hospital').length;
  if (hospitals > 0 && hospitals < draft.settings.validators) out.push({ key: 'fewer-hospitals', values: { n: hospitals, v: draft.settings.validators } });
  return out;
}

/** The hospitals that will validate the first rounds: top V qualified by rating, ties by key (consensus `selectValidators`). */
export function initialValidators(draft: ConsortiumDraft): DraftMember[] {
  const s = draft.settings;
  const hospitals = draft.members.filter((m) => m.card.member.role === 'hospital');
  const config: ConsensusConfig = {
    chain: new Uint8Array(32),
    validators: s.validators,
    slotMs: s.slotMs,
    genesisTime: 0,
    roundSlots: s.roundSlots,
    credits: { ...DEFAULT_CREDITS, initial: s.initialCredit, threshold: s.creditThreshold },
    members: hospitals.map((m) => ({ key: m.card.member.key, pop: m.card.member.pop, rating: m.rating, tier: m.tier, name: m.card.member.name })),
    approvals: new Map()
  };
  const chosen = new Set(selectValidators(config, initialCredits(config)).map((m) => hex(m.key)));
  return hospitals.filter((m) => chosen.has(hex(m.card.member.key)));
}

export interface Consortium {
  genesis: Block;
  room: string;
}

/**
 * Signs the genesis block of `draft` with the PKG's signing key (the PKG is
 * listed as member 0 with its own encryption key). Throws DraftError with
 * the first problem of `checkDraft`, or `genesis` if the ledger refuses the
 * block (it should not).
 */
export function createConsortium(pkg: KeyRing, draft: ConsortiumDraft, now = Date.now()): Consortium {
  const id = pkg.participant.identity;
  if (id.role !== 'pkg') throw new RangeError(`pkg: expected a PKG identity, got ${id.role}`);
  const problems = checkDraft(draft);
  if (problems.length) throw new DraftError(problems[0], `the draft is not ready: ${problems.map((p) => p.key).join(', ')}`);
  const s = draft.settings;
  const params: ChainParams = {
    validators: s.validators,
    slotMs: s.slotMs,
    genesisTime: now + s.startDelayMs,
    initialCredit: s.initialCredit,
    creditThreshold: s.creditThreshold,
    roundSlots: s.roundSlots
  };
  const sk = pkg.participant.signing.sk;
  const members = [makeMember(sk, { role: 'pkg', enc: id.encryptionPk.toBytes(), name: id.name }), ...memberRecords(draft)];
  const genesis = makeGenesis(sk, { name: draft.name.trim(), params, members, time: now });
  const check = genesisState(genesis);
  if (!check.ok) throw new DraftError({ key: 'genesis', values: { detail: check.error.message } }, `the ledger refuses this genesis: ${check.error.message}`);
  return { genesis, room: roomIdOf(consensusConfigFromGenesis(genesis).chain) };
}

/** The invitation links of a room: one per role page, and `/join` where a person chooses. */
export function roomLinks(origin: string, room: string): { role: string; url: string }[] {
  const q = `?room=${encodeURIComponent(room)}`;
  return [...ROLES.map((r) => ({ role: r.id as string, url: `${origin}${r.path}${q}` })), { role: 'join', url: `${origin}/join${q}` }];
}

/** The app route of a member (for showing which page a member uses). */
export function memberRoute(m: MemberRecord): string {
  return `/${appRoleOf(m.role)}`;
}
