// `${VAR}` in credentials: Node-RED substitutes it in plain properties only, and with this an exported flow holds
// the reference while the secret stays in the environment.
import { configError } from './report';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Lookup = (name: string) => string | undefined;

/** `text` with every `${NAME}` replaced by the variable's value. `what` names the field in errors. */
export function resolveRefs(text: string, what: string, lookup: Lookup = (name) => process.env[name]): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (_ref, name: string) => {
    const value = lookup(name);
    if (value === undefined) throw configError(`${what} refers to the environment variable ${name}, which is not set where Node-RED runs`);
    return value;
  });
}

/** Every string field of `values` resolved; the first unset variable throws. */
export function resolveAllRefs<T extends object>(values: T): T {
  const out = { ...values } as Record<string, unknown>;
  for (const [field, value] of Object.entries(out)) {
    if (typeof value === 'string') out[field] = resolveRefs(value, `The credential "${field}"`);
  }
  return out as T;
}
