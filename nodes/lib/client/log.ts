// Every line masked. Debug lines come per history block: callers check `debugOn` before building them.
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
