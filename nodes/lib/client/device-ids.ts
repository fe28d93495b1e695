// The device ids of one SMS, read the same way from a history answer (docs/thingspace-api.md,
// "SMS history") and from a pushed callback body ("MO-SMS callback payload"):
//   - a list of `{kind, id}`; one such object instead of a list is taken as a list of one
//     (the legacy SOAP `Device` may be single);
//   - the SOAP-like field names `Kind` and `Identifier` (or `identifier`) stand in for
//     `kind` and `id`;
//   - a kind or id sent as a number becomes its decimal string (older SDKs type some ids as
//     numbers); anything else that is not a non-empty string is refused;
//   - kinds are kept as received (compared case-insensitively elsewhere);
//   - only `kind` and `id` are kept.
// A refusal is a reason naming the field and entry, never the value (a body may hold a
// password).
import type { DeviceId } from '../types';
import { describe, hasKeys, isObject, isRecord } from './json-values';

/** Most device ids per SMS in a pushed body; real ones carry 1-4. */
export const MAX_DEVICE_IDS = 100;
const MAX_KIND_LENGTH = 32;
const MAX_ID_LENGTH = 128;

export interface DeviceIdRules {
  /** The value was parsed from a response text just now and nobody else holds it, so what
   *  needs no change may be returned as it is: without bounds, entries that already are
   *  exactly `{kind, id}` as strings are kept, and a list of only those is returned itself.
   *  Every SMS of a history block passes here, so the common case allocates nothing.
   *  Otherwise (a flow's message object) every entry is copied. */
  owned: boolean;
  /** Refuse absurd counts and lengths. */
  bounded: boolean;
}

/** A history answer: ours alone, and already bounded by the client's response size limit
 *  (refusing it for a long id would hold the whole queue back). */
export const FROM_HISTORY: DeviceIdRules = { owned: true, bounded: false };

/** A pushed callback body: a flow's message, from whoever can reach the flow's endpoint. */
export const FROM_CALLBACK: DeviceIdRules = { owned: false, bounded: true };

/** The ids in `raw` (the value of `field`), or why they cannot be read. */
export function readDeviceIds(raw: unknown, field: string, rules: DeviceIdRules): DeviceId[] | string {
  const single = !Array.isArray(raw);
  if (single && !isObject(raw)) return `${field} is ${describe(raw)}, expected an array of {kind, id}`;
  const list: unknown[] = single ? [raw] : raw;
  if (list.length === 0) return `${field} is an empty array: no device ids`;
  if (rules.bounded && list.length > MAX_DEVICE_IDS) {
    return `${field} has ${list.length} entries, more than the ${MAX_DEVICE_IDS} accepted`;
  }
  // Until an entry needs copying, `out` stays unset and the list itself is the answer.
  let out: DeviceId[] | undefined = rules.owned && !single ? undefined : [];
  const keepClean = rules.owned && !rules.bounded;
  for (let i = 0; i < list.length; i++) {
    const given = list[i];
    // The common case, kept small enough to be inlined: nothing to check further or copy.
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

/** Exactly `{kind, id}`, both non-empty strings. */
function isClean(entry: unknown): entry is DeviceId {
  if (!isRecord(entry)) return false;
  const { kind, id } = entry;
  return typeof kind === 'string' && kind !== '' && typeof id === 'string' && id !== '' && hasKeys(entry, 2);
}

/** An entry that is not clean: read, bounded and copied, or refused. */
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
