// Small checks of decoded JSON values, shared by the response checks and the callback body
// parser: is it a plain object, has it exactly the fields we know, and what is it, in words
// for a reason ("deviceIds is a string"), never the value itself: it may be a password.

export type Obj = Record<string, unknown>;

/** An object that is not null and not an array: what JSON.parse makes of `{...}`. Cheap
 *  enough for every SMS of a block; for values a flow may have built, use isObject. */
export function isRecord(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A plain object: not null, not an array, not a Buffer. */
export function isObject(value: unknown): value is Obj {
  return isRecord(value) && !Buffer.isBuffer(value);
}

/** Exactly `n` own enumerable keys (JSON.parse makes no others): nothing to strip. */
export function hasKeys(o: Obj, n: number): boolean {
  let count = 0;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || ++count > n) return false;
  }
  return count === n;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  switch (typeof value) {
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    case 'undefined': return 'missing';
    case 'object': return 'an object';
    default: return `a ${typeof value}`;
  }
}
