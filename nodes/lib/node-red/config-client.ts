// The client a config node makes (nodes/thingspace-config.ts), over what its runtime shares
// (runtime-share.ts): one AuthRegistry (config nodes with the same credentials share a token and
// a session) and one file of refused logins in the user directory.
import type { Node } from 'node-red';
import { ThingSpaceClient } from '../client/thingspace-client';
import type { Coordinator } from '../coordination/coordinator';
import type { ThingSpaceCredentials } from './config-node';
import { LoginMemory } from './login-memory';
import type { RuntimeShare } from './runtime-share';

/** Does any of Node-RED's loggers (settings.js `logging`) print debug lines? Default: no (info). */
export function logsDebug(settings: unknown): boolean {
  const logging = (settings as { logging?: unknown } | undefined)?.logging;
  if (logging === null || typeof logging !== 'object') return false;
  return Object.values(logging as Record<string, unknown>).some((logger) => {
    const level = (logger as { level?: unknown } | null)?.level;
    return level === 'debug' || level === 'trace';
  });
}

/** The client for these credentials; refused logins are shared with the other replicas through `coordinator`.
 *  `deployed`: a config node's own client (not Test connection's), which shares the runtime's tokens and sessions
 *  and logs to the node (debug lines only when `debugOn`). */
export function makeClient(
  accountName: string,
  server: string,
  creds: ThingSpaceCredentials,
  shared: RuntimeShare,
  coordinator?: Coordinator,
  deployed?: { node: Node; debugOn: boolean },
): ThingSpaceClient {
  const node = deployed?.node;
  return new ThingSpaceClient({
    server,
    accountName,
    clientId: creds.clientId ?? '',
    clientSecret: creds.clientSecret ?? '',
    username: creds.username ?? '',
    password: creds.password ?? '',
    // The client never puts a secret in a log line; these go to Node-RED's debug/trace log.
    log: node
      ? (level, text) => {
          if (level === 'warn') node.warn(text);
          else if (level === 'info') node.log(text);
          else node.debug(text);
        }
      : undefined,
    logDebug: deployed?.debugOn,
    auth: deployed && shared.registry,
    refusals: new LoginMemory(shared.file, coordinator?.refusals(), shared.warn),
  });
}
