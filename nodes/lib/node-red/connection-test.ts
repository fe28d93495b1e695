// "Test connection": token and login once each, with what the dialog holds now. A password refused before is
// answered from memory unless `force`: five failed logins lock the Verizon user.
import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { ThingSpaceError } from '../client/errors';
import type { ThingSpaceClient } from '../client/thingspace-client';
import { makeClient } from './config-client';
import type { ThingSpaceConfigNode, ThingSpaceCredentials } from './config-node';
import { resolveAllRefs } from './env-refs';
import type { RuntimeShare } from './runtime-share';

// The editor shows a saved password as this placeholder; it means "keep the saved one".
const SAVED_PASSWORD = '__PWRD__';

export function connectionTestRoute(RED: NodeAPI, shared: RuntimeShare, defaultServer: string) {
  return (req: Request, res: Response): void => {
    void (async () => {
      const id = String(req.params.id);
      const body = (req.body ?? {}) as { accountName?: unknown; server?: unknown; credentials?: Record<string, unknown>; force?: unknown };
      const saved = (RED.nodes.getCredentials(id) ?? {}) as ThingSpaceCredentials;
      const given = body.credentials ?? {};
      const pick = (name: keyof ThingSpaceCredentials): string => {
        const v = given[name];
        return typeof v === 'string' && v !== SAVED_PASSWORD ? v : (saved[name] ?? '');
      };
      const accountName = typeof body.accountName === 'string' ? body.accountName.trim() : '';
      const server = (typeof body.server === 'string' && body.server.trim()) || defaultServer;
      // The deployed config node's coordination, if any: the replicas' refusals count too.
      const coordinator = (RED.nodes.getNode(id) as ThingSpaceConfigNode | null)?.coordinator;
      let client: ThingSpaceClient | undefined;
      try {
        const creds = resolveAllRefs(Object.fromEntries((['clientId', 'clientSecret', 'username', 'password'] as const).map((k) => [k, pick(k)])));
        client = makeClient(accountName, server, creds, shared, coordinator);
        res.json(await client.testConnection({ force: body.force === true }));
      } catch (err) {
        const e = err instanceof ThingSpaceError ? err : undefined;
        // No client: the dialog's configuration is unusable, said as the token step's failure.
        if (!client)
          res.json({
            token: { ok: false, code: e?.code ?? 'BAD_CONFIG', message: e?.message ?? 'Invalid configuration' },
            login: { ok: false, skipped: true },
          });
        else res.status(500).json({ error: { code: e?.code ?? 'ERROR', message: e?.message ?? 'Connection test failed' } });
      } finally {
        client?.close();
      }
    })();
  };
}
