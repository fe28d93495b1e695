// The client's log: the user's hook (Node-RED's log in the config node), every line masked.
// Debug lines are written per history block; when no logger prints them, callers check
// `debugOn` and do not build them at all.
import type { LogHook } from './config';
import type { Secrets } from './secrets';

export interface ClientLog {
  readonly debugOn: boolean;
  debug(text: string): void;
  info(text: string): void;
  warn(text: string): void;
}

export function clientLog(hook: LogHook | undefined, debugOn: boolean, secrets: Secrets, prefix = ''): ClientLog {
  const write = (level: 'debug' | 'info' | 'warn', text: string): void => {
    if (!hook) return;
    try {
      hook(level, secrets.redact(prefix + text));
    } catch {
      // A failing log hook must not fail the call.
    }
  };
  return {
    debugOn: hook !== undefined && debugOn,
    debug: (text) => {
      if (hook !== undefined && debugOn) write('debug', text);
    },
    info: (text) => write('info', text),
    warn: (text) => write('warn', text),
  };
}
