// Every random choice of a test comes from a seeded PRNG, so a failure can be replayed: each
// test file or scenario takes its seed from the environment or draws a fresh one, and prints
// it. TEST_SEED_<NAME> (e.g. TEST_SEED_CRASH) replays one of them, TEST_SEED all of them.
import { randomInt } from 'node:crypto';
import { MAX_SEED, mulberry32 } from '../../simulator/random';

export interface Seeded {
  readonly name: string;
  readonly seed: number;
  /** Uniform in [0, 1), like Math.random. */
  random(): number;
  /** A whole number in [min, max). */
  int(min: number, max: number): number;
  /** `name seed=N (replay with ...)`, for reports and failure messages. */
  readonly replay: string;
}

const taken = new Map<string, Seeded>();

function envName(name: string): string {
  return `TEST_SEED_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

function parse(variable: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > MAX_SEED) throw new Error(`${variable}=${text}: a seed is a whole number 0..${MAX_SEED}`);
  return n;
}

/**
 * The seeded randomness of one test file or scenario (`name`, e.g. 'crash'), its seed printed
 * unless the caller prints it itself. Asked twice for the same name, it returns the same
 * sequence object, so the draws stay in one order.
 */
export function seedFromEnv(name: string, print = true): Seeded {
  const known = taken.get(name);
  if (known) return known;
  const own = envName(name);
  const text = process.env[own] ?? process.env.TEST_SEED;
  const variable = process.env[own] !== undefined ? own : 'TEST_SEED';
  const seed = text !== undefined && text !== '' ? parse(variable, text) : randomInt(MAX_SEED + 1);
  const random = mulberry32(seed);
  const replay = `${name} seed=${seed} (replay with TEST_SEED=${seed} or ${own}=${seed})`;
  const s: Seeded = {
    name,
    seed,
    random,
    int: (min, max) => min + Math.floor(random() * (max - min)),
    replay,
  };
  taken.set(name, s);
  if (print) console.log(`      ${replay}`);
  return s;
}
