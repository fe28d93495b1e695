export type Obj = Record<string, unknown>;

/** For JSON.parse output; values a flow may have built want isObject. */
export function isRecord(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isObject(value: unknown): value is Obj {
  return isRecord(value) && !Buffer.isBuffer(value);
}

/** What a value is, for a reason: never the value itself, which may be a password. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
