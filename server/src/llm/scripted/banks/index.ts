import type { RoleProfile } from '../../port.js';
import { backendEngineerBank } from './backend-engineer.js';
import { dataScientistBank } from './data-scientist.js';
import { frontendEngineerBank } from './frontend-engineer.js';
import { genericBank } from './generic.js';
import { productManagerBank } from './product-manager.js';
import { siteReliabilityEngineerBank } from './site-reliability-engineer.js';
import type { QuestionBank } from './types.js';

export type { BankQuestion, QuestionBank } from './types.js';

export const BANKS: readonly QuestionBank[] = [
  backendEngineerBank,
  frontendEngineerBank,
  dataScientistBank,
  productManagerBank,
  siteReliabilityEngineerBank,
];

const BY_ROLE = new Map(BANKS.map((bank) => [bank.roleId, bank]));
const GENERIC = new Map<string, QuestionBank>();
const MAX_GENERIC = 200;

/**
 * The bank for a role. A role without a hand-written bank, or whose skills the
 * bank does not cover, gets a generated one (cached by role id and skills).
 */
const ALL_KEYWORDS = new WeakMap<QuestionBank, readonly string[]>();

/** Every keyword of every skill of the bank, in one list (computed once per bank). */
export function allKeywords(bank: QuestionBank): readonly string[] {
  let all = ALL_KEYWORDS.get(bank);
  if (!all) {
    all = Object.values(bank.keywords).flat();
    ALL_KEYWORDS.set(bank, all);
  }
  return all;
}

export function bankFor(role: RoleProfile): QuestionBank {
  const own = BY_ROLE.get(role.id);
  if (own && role.skills.every((s) => s.id in own.keywords)) return own;
  const key = `${role.id}|${role.skills.map((s) => `${s.id}=${s.name}`).join(',')}`;
  let bank = GENERIC.get(key);
  if (!bank) {
    bank = genericBank(role);
    // Bounded: custom roles come from recruiters' openings, not from a fixed list.
    if (GENERIC.size >= MAX_GENERIC) GENERIC.delete(GENERIC.keys().next().value!);
    GENERIC.set(key, bank);
  }
  return bank;
}
