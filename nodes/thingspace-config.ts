// Config node: a user's credentials and the one client (one token, one login) its nodes share, for any of its accounts.
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ThingSpaceError } from './lib/client/errors';
import type { ThingSpaceClient } from './lib/client/thingspace-client';
import { logsDebug, makeClient } from './lib/node-red/config-client';
import { connectionTestRoute } from './lib/node-red/connection-test';
import { credentialTypes, type ThingSpaceConfigNode, type ThingSpaceCredentials } from './lib/node-red/config-node';
import { SourceFilter, makeSourceFilter, type SourceFilterProps } from './lib/node-red/source-filter';
import { coordinatorFor, type CoordinationDef } from './lib/node-red/coordination-config';
import { resolveAllRefs } from './lib/node-red/env-refs';
import { operations } from './lib/node-red/operations';
import { RuntimeShare } from './lib/node-red/runtime-share';

const DEFAULT_SERVER = 'https://thingspace.verizon.com';

interface ConfigDef extends NodeDef, SourceFilterProps, CoordinationDef {
  accountName: string;
  server: string;
}

module.exports = function (RED: NodeAPI): void {
  // The package's one registry, per runtime: what spans config nodes and deploys (nodes/lib/node-red/runtime-share.ts).
  const shared = new RuntimeShare(RED.settings.userDir as string | undefined, (text) => RED.log.warn(`[thingspace-config] ${text}`), RED.events);

  // The runtime's activity board, metrics, health endpoint and sidebar tab (docs/operations.md).
  const activity = operations(RED);

  function ThingSpaceConfig(this: ThingSpaceConfigNode, def: ConfigDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.accountName = (def.accountName ?? '').trim();
    node.server = (def.server ?? '').trim() || DEFAULT_SERVER;
    node.shared = shared;
    node.activity = activity;
    let creds: ThingSpaceCredentials = {};
    let client: ThingSpaceClient | undefined;
    try {
      // `${VAR}` references in credentials are resolved now; the flow keeps the reference.
      creds = resolveAllRefs(node.credentials ?? {});
      node.coordinator = coordinatorFor(def, creds, shared);
      client = makeClient(node.accountName, node.server, creds, shared, node.coordinator, { node, debugOn: logsDebug(RED.settings) });
      client.forAccount(node.accountName); // BAD_CONFIG for a name that is not an account name
      node.client = client;
    } catch (err) {
      node.configError = err instanceof ThingSpaceError ? err : new ThingSpaceError({ kind: 'bad_config', message: String((err as Error).message) });
    }

    const filter = makeSourceFilter(def);
    if (filter instanceof SourceFilter) node.sourceFilter = filter;
    else node.configError ??= new ThingSpaceError({ kind: 'bad_config', message: filter.reason });

    node.callbackCredentials = () => {
      const username = creds.callbackUsername || undefined;
      const password = creds.callbackPassword || undefined;
      return username || password ? { username, password } : undefined;
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      client?.removeAllListeners();
      node.coordinator?.close();
      // Sends in flight get their grace; then no socket or timer of the old client is left.
      void shared
        .sendsSettled()
        .then(() => client?.close())
        .then(done);
    });
  }

  RED.nodes.registerType('thingspace-config', ThingSpaceConfig as unknown as (this: Node, def: NodeDef) => void, {
    credentials: credentialTypes,
  });

  RED.httpAdmin.post('/thingspace-config/:id/test', RED.auth.needsPermission('thingspace-config.write'), connectionTestRoute(RED, shared, DEFAULT_SERVER));
};
