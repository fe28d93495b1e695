// Config node: the account's credentials and the one shared API client every node uses.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { Request, Response } from 'express';
import { ThingSpaceClient } from './lib/client/thingspace-client';
import { ThingSpaceError } from './lib/client/errors';
import type { ThingSpaceConfigNode, ThingSpaceCredentials } from './lib/node-red/config-node';
import { SourceFilter, makeSourceFilter, type SourceFilterProps } from './lib/node-red/source-filter';
import { coordinatorFor, type CoordinationDef } from './lib/node-red/coordination-config';
import { resolveAllRefs } from './lib/node-red/env-refs';

const DEFAULT_SERVER = 'https://thingspace.verizon.com';

interface ConfigDef extends NodeDef, SourceFilterProps, CoordinationDef {
  accountName: string;
  server: string;
}

const credentialTypes = {
  clientId: { type: 'text' },
  clientSecret: { type: 'password' },
  username: { type: 'text' },
  password: { type: 'password' },
  callbackUsername: { type: 'text' },
  callbackPassword: { type: 'password' },
  redisPassword: { type: 'password' },
  sentinelPassword: { type: 'password' },
} as const;

// The editor shows a saved password as this placeholder; it means "keep the saved one".
const SAVED_PASSWORD = '__PWRD__';

/** Does any of Node-RED's loggers (settings.js `logging`) print debug lines? Default: no (info). */
function logsDebug(settings: unknown): boolean {
  const logging = (settings as { logging?: unknown } | undefined)?.logging;
  if (logging === null || typeof logging !== 'object') return false;
  return Object.values(logging as Record<string, unknown>).some((logger) => {
    const level = (logger as { level?: unknown } | null)?.level;
    return level === 'debug' || level === 'trace';
  });
}

/** The client for these credentials; with `node`, its log lines go to Node-RED's log
 *  (debug lines only when a logger prints them: `debugOn`). */
function makeClient(accountName: string, server: string, creds: ThingSpaceCredentials, node?: Node, debugOn = true): ThingSpaceClient {
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
    logDebug: debugOn,
  });
}

module.exports = function (RED: NodeAPI): void {
  function ThingSpaceConfig(this: ThingSpaceConfigNode, def: ConfigDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.accountName = (def.accountName ?? '').trim();
    node.server = (def.server ?? '').trim() || DEFAULT_SERVER;
    let creds: ThingSpaceCredentials = {};
    try {
      // `${VAR}` references in credentials are resolved now; the flow keeps the reference.
      creds = resolveAllRefs(node.credentials ?? {});
      node.coordinator = coordinatorFor(def, creds);
      node.api = makeClient(node.accountName, node.server, creds, node, logsDebug(RED.settings));
    } catch (err) {
      node.configError =
        err instanceof ThingSpaceError ? err : new ThingSpaceError({ kind: 'bad_config', message: String((err as Error).message) });
    }

    // Which addresses may deliver callbacks (pushed SMS, delivery notices) to the nodes using it.
    const filter = makeSourceFilter(def);
    if (filter instanceof SourceFilter) node.sourceFilter = filter;
    else node.configError ??= new ThingSpaceError({ kind: 'bad_config', message: filter.reason });

    node.callbackCredentials = () => {
      const username = creds.callbackUsername || undefined;
      const password = creds.callbackPassword || undefined;
      return username || password ? { username, password } : undefined;
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      node.api?.removeAllListeners();
      // Frees the keep-alive sockets, aborts what is in flight: no socket or timer outlives a redeploy.
      node.api?.close();
      node.coordinator?.close();
      done();
    });
  }

  RED.nodes.registerType('thingspace-config', ThingSpaceConfig as unknown as (this: Node, def: NodeDef) => void, {
    credentials: credentialTypes,
  });

  // "Test connection": token and login once each, with what the dialog holds now.
  RED.httpAdmin.post(
    '/thingspace-config/:id/test',
    RED.auth.needsPermission('thingspace-config.write'),
    (req: Request, res: Response) => {
      void (async () => {
        const body = (req.body ?? {}) as { accountName?: unknown; server?: unknown; credentials?: Record<string, unknown> };
        const saved = (RED.nodes.getCredentials(String(req.params.id)) ?? {}) as ThingSpaceCredentials;
        const given = body.credentials ?? {};
        const pick = (name: keyof ThingSpaceCredentials): string => {
          const v = given[name];
          if (typeof v !== 'string' || v === SAVED_PASSWORD) return saved[name] ?? '';
          return v;
        };
        const accountName = typeof body.accountName === 'string' ? body.accountName.trim() : '';
        const server = (typeof body.server === 'string' && body.server.trim()) || DEFAULT_SERVER;
        let client: ThingSpaceClient;
        try {
          client = makeClient(accountName, server, resolveAllRefs({
            clientId: pick('clientId'),
            clientSecret: pick('clientSecret'),
            username: pick('username'),
            password: pick('password'),
          }));
        } catch (err) {
          const e = err instanceof ThingSpaceError ? err : undefined;
          res.json({
            token: { ok: false, code: e?.code ?? 'BAD_CONFIG', message: e?.message ?? 'Invalid configuration' },
            login: { ok: false, skipped: true },
          });
          return;
        }
        try {
          res.json(await client.testConnection());
        } catch (err) {
          const e = err instanceof ThingSpaceError ? err : undefined;
          res.status(500).json({ error: { code: e?.code ?? 'ERROR', message: e?.message ?? 'Connection test failed' } });
        } finally {
          client.close();
        }
      })();
    },
  );
};
