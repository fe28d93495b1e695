// Device ids of history and pushed bodies, SOAP forms and numeric ids included (docs/thingspace-api.md, "Device ids").
// A refusal names the field, never the value: a pushed body may hold a password.
import type { DeviceId } from '../types';
import { describe, hasKeys, isObject, isRecord } from './json-values';

/** Most device ids per SMS in a pushed body; real ones carry 1-4. */
export const MAX_DEVICE_IDS = 100;
const MAX_KIND_LENGTH = 32;
const MAX_ID_LENGTH = 128;

export interface DeviceIdRules {
  /** Parsed just now and held by nobody else: clean entries are kept, not copied. */
  owned: boolean;
  bounded: boolean;
}

/** Unbounded: a long id must not hold the whole queue back (the body size cap bounds it). */
export const FROM_HISTORY: DeviceIdRules = { owned: true, bounded: false };

/** From whoever can reach the flow's endpoint. */
export const FROM_CALLBACK: DeviceIdRules = { owned: false, bounded: true };

/** The ids in `raw` (the value of `field`), or why they cannot be read. */
export function readDeviceIds(raw: unknown, field: string, rules: DeviceIdRules): DeviceId[] | string {
  const single = !Array.isArray(raw);
  if (single && !isObject(raw)) return `${field} is ${describe(raw)}, expected an array of {kind, id}`;
  const list: unknown[] = single ? [raw] : raw;
  if (list.length === 0) return `${field} is an empty array: no device ids`;
  if (rules.bounded && list.length > MAX_DEVICE_IDS) return `${field} has ${list.length} entries, more than the ${MAX_DEVICE_IDS} accepted`;
  let out: DeviceId[] | undefined = rules.owned && !single ? undefined : [];
  const keepClean = rules.owned && !rules.bounded;
  for (let i = 0; i < list.length; i++) {
    const given = list[i];
    if (keepClean && isClean(given)) {
      if (out !== undefined) out.push(given);
      continue;
    }
    const entry = readEntry(given, field, i, rules);
    if (typeof entry === 'string') return entry;
    if (out === undefined) out = (list as DeviceId[]).slice(0, i);
    out.push(entry);
  }
  return out ?? (list as DeviceId[]);
}

function isClean(entry: unknown): entry is DeviceId {
  if (!isRecord(entry)) return false;
  const { kind, id } = entry;
  return typeof kind === 'string' && kind !== '' && typeof id === 'string' && id !== '' && hasKeys(entry, 2);
}

function readEntry(entry: unknown, field: string, i: number, rules: DeviceIdRules): DeviceId | string {
  // Owned values come from JSON text, where no Buffer can hide.
  if (!isRecord(entry) || (!rules.owned && Buffer.isBuffer(entry))) return `${field}[${i}] is ${describe(entry)}, expected {kind, id}`;
  const kind = text(entry.kind !== undefined ? entry.kind : entry.Kind);
  if (kind === undefined) return `${field}[${i}] has no kind`;
  if (rules.bounded && kind.length > MAX_KIND_LENGTH) return `${field}[${i}] has a kind longer than ${MAX_KIND_LENGTH} characters`;
  const id = text(entry.id !== undefined ? entry.id : entry.Identifier !== undefined ? entry.Identifier : entry.identifier);
  if (id === undefined) return `${field}[${i}] has no id`;
  if (rules.bounded && id.length > MAX_ID_LENGTH) return `${field}[${i}] has an id longer than ${MAX_ID_LENGTH} characters`;
  return { kind, id };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
