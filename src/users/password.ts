import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import argon2 from 'argon2';
import { ValidateBy } from 'class-validator';
import { Turns } from '../common/turns.js';
import { keyed } from '../common/validation.js';

/**
 * argon2id at the cost OWASP recommends (19 MiB, two passes, one lane). Each hash holds its memory
 * outside the JS heap while it runs; the library's default (64 MiB, four lanes) took a server past
 * 400 MB with four people signing in at once.
 */
export const HASH_COST = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Two hashes computed at once; more wait their turn (a few milliseconds each). */
const hashing = new Turns(2);

export function hashPassword(plain: string): Promise<string> {
  return hashing.run(() => argon2.hash(plain, HASH_COST));
}

export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await hashing.run(() => argon2.verify(hash, plain));
  } catch {
    return false;
  }
}

/** Whether `hash` was made at another cost than today's (then signing in hashes the password again). */
export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, HASH_COST);
  } catch {
    return false;
  }
}

/** A real hash to verify against when the account does not exist, so timing does not reveal it. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword('kehu-decoy-password'));
}

/** The bundled list of the most common passwords (common-passwords.txt beside this file in src/). */
const HERE = dirname(fileURLToPath(import.meta.url));
const LIST_FILE = ['common-passwords.txt', '../../../src/users/common-passwords.txt']
  .map((p) => join(HERE, p))
  .find((p) => existsSync(p));
const COMMON = new Set(
  (LIST_FILE ? readFileSync(LIST_FILE, 'utf8') : '')
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line && !line.startsWith('#')),
);

/**
 * Runs a guesser tries first: digits, the alphabet and the rows and columns of a keyboard, each given
 * twice so that a run may wrap (`7890123`). A password inside one, either way round, is a run.
 */
const RUNS = [
  '0123456789',
  'abcdefghijklmnopqrstuvwxyz',
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  'qwertyuiopasdfghjklzxcvbnm',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'qazwsxedcrfvtgbyhnujmikolp',
  '!@#$%^&*()',
].map((run) => run + run);

/**
 * Whether `password` is one a guesser tries early: on the bundled list of the most common, one
 * character or a short group of up to three repeated (`aaaaaaaaaa`, `abcabcabca`, `1212121212`), or a
 * run of digits, letters or keys (`1234567890`, `qwertyuiop`, `0987654321`).
 */
export function isGuessablePassword(password: string): boolean {
  const p = password.trim().toLowerCase();
  if (COMMON.has(p)) return true;
  for (let unit = 1; unit <= 3; unit++) {
    if (
      p.length > unit &&
      p ===
        p
          .slice(0, unit)
          .repeat(Math.ceil(p.length / unit))
          .slice(0, p.length)
    )
      return true;
  }
  const reversed = p.split('').reverse().join('');
  return RUNS.some((run) => run.includes(p) || run.includes(reversed));
}

/** A new password's rule beside its minimum length: not one a guesser tries early (isGuessablePassword). */
export const NotGuessable = () =>
  ValidateBy(
    {
      name: 'notGuessable',
      validator: { validate: (v: unknown) => typeof v !== 'string' || !isGuessablePassword(v) },
    },
    { message: keyed('validation.passwordCommon') },
  );
