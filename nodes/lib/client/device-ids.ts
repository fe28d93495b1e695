// Device ids of history and pushed bodies, SOAP forms and numeric ids included (docs/thingspace-api.md, "Device ids").
// A refusal names the field, never the value: a pushed body may hold a password.
import type { DeviceId } from '../types';
import { describe, isObject, isRecord } from './json-values';

/** Most device ids per SMS in a pushed body; real ones carry 1-4. */
export const MAX_DEVICE_IDS = 100;
const MAX_KIND_LENGTH = 32;
const MAX_ID_LENGTH = 128;

/** History ids were parsed just now and are held by nobody else: clean entries are kept, not copied, and unbounded (a long
 *  id must not hold the whole queue back; the body size cap bounds it). Callback ids come from whoever can reach the endpoint. */
export type DeviceIdRules = 'history' | 'callback';
export const FROM_HISTORY: DeviceIdRules = 'history';
export const FROM_CALLBACK: DeviceIdRules = 'callback';

/** The ids in `raw` (the value of `field`), or why they cannot be read. */
export function readDeviceIds(raw: unknown, field: string, rules: DeviceIdRules): DeviceId[] | string {
  const single = !Array.isArray(raw);
  if (single && !isObject(raw)) return `${field} is ${describe(raw)}, expected an array of {kind, id}`;
  const list: unknown[] = single ? [raw] : raw;
  if (list.length === 0) return `${field} is an empty array: no device ids`;
  const owned = rules === 'history';
  if (!owned && list.length > MAX_DEVICE_IDS) return `${field} has ${list.length} entries, more than the ${MAX_DEVICE_IDS} accepted`;
  let out: DeviceId[] | undefined = owned && !single ? undefined : [];
  for (let i = 0; i < list.length; i++) {
    const given = list[i];
    if (owned && isClean(given)) {
      if (out !== undefined) out.push(given);
      continue;
    }
    const entry = readEntry(given, field, i, owned);
    if (typeof entry === 'string') return entry;
    if (out === undefined) out = (list as DeviceId[]).slice(0, i);
    out.push(entry);
  }
  return out ?? (list as DeviceId[]);
}

function isClean(entry: unknown): entry is DeviceId {
  if (!isRecord(entry)) return false;
  const { kind, id } = entry;
  return typeof kind === 'string' && kind !== '' && typeof id === 'string' && id !== '' && Object.keys(entry).length === 2;
}

function readEntry(entry: unknown, field: string, i: number, owned: boolean): DeviceId | string {
  // Owned values come from JSON text, where no Buffer can hide.
  if (!isRecord(entry) || (!owned && Buffer.isBuffer(entry))) return `${field}[${i}] is ${describe(entry)}, expected {kind, id}`;
  const kind = text(entry.kind !== undefined ? entry.kind : entry.Kind);
  if (kind === undefined) return `${field}[${i}] has no kind`;
  if (!owned && kind.length > MAX_KIND_LENGTH) return `${field}[${i}] has a kind longer than ${MAX_KIND_LENGTH} characters`;
  const id = text(entry.id !== undefined ? entry.id : entry.Identifier !== undefined ? entry.Identifier : entry.identifier);
  if (id === undefined) return `${field}[${i}] has no id`;
  if (!owned && id.length > MAX_ID_LENGTH) return `${field}[${i}] has an id longer than ${MAX_ID_LENGTH} characters`;
  return { kind, id };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
