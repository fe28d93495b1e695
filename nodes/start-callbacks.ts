// start-callbacks: PUT /sms/{accountName}/startCallbacks, so ThingSpace replays the queue
// to the registered EnhancedConnectivityService listener (api §5), optionally registering
// that listener first (api §6.1).
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { ThingSpaceConfigNode } from './thingspace-config';
import { SMS_CALLBACK_SERVICE } from './lib/types';
import { ThingSpaceError } from './lib/client/errors';
import { ReportedError, toReported, shortText } from './lib/node-red/report';
import { checkCallbackUrl } from './lib/node-red/callback-url';

interface StartCallbacksDef extends NodeDef {
  thingspace: string;
  callbackUrl: string;
  onDeploy: boolean | string;
}

module.exports = function (RED: NodeAPI): void {
  function StartCallbacks(this: Node, def: StartCallbacksDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
    const t = (key: string, vars?: Record<string, string | number>): string => RED._(`start-callbacks.status.${key}`, vars);

    let callbackUrl: string | undefined;
    let configError: ReportedError | undefined;
    try {
      if (!config) throw new ReportedError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
      if (config.configError) throw config.configError;
      callbackUrl = checkCallbackUrl((def.callbackUrl ?? '').trim());
    } catch (err) {
      configError = toReported(err);
      node.status({ fill: 'red', shape: 'ring', text: t('badConfig', { reason: shortText(configError.message) }) });
    }
    // Reported on the next turn: Catch and Status nodes later in the flow may not exist yet.
    const configReport = configError
      ? setImmediate((e: ReportedError) => {
          node.status({ fill: 'red', shape: 'ring', text: t('badConfig', { reason: shortText(e.message) }) });
          node.error(e, { payload: undefined });
        }, configError)
      : undefined;

    const inFlight = new Set<AbortController>();
    let closed = false;

    async function run(): Promise<{ success: boolean }> {
      if (configError) throw configError;
      const api = config!.api!;
      const abort = new AbortController();
      inFlight.add(abort);
      try {
        if (callbackUrl) {
          node.status({ fill: 'blue', shape: 'dot', text: t('registering') });
          const creds = config!.callbackCredentials();
          const listeners = await api.listCallbacks({ signal: abort.signal });
          const current = listeners.find((l) => l.serviceName === SMS_CALLBACK_SERVICE);
          // Confirm rather than re-register when ThingSpace already has this URL and user.
          if (!current || current.url !== callbackUrl || (current.username ?? undefined) !== creds?.username) {
            await api.registerCallback(callbackUrl, creds, { signal: abort.signal });
          }
        }
        node.status({ fill: 'blue', shape: 'dot', text: t('requesting') });
        return await api.startCallbacks({ signal: abort.signal });
      } finally {
        inFlight.delete(abort);
      }
    }

    function handle(msg: NodeMessage, send: (m: NodeMessage) => void, done: (err?: Error) => void): void {
      run().then(
        (result) => {
          if (closed) return done();
          node.status({ fill: 'green', shape: 'dot', text: t('started', { time: new Date().toLocaleTimeString() }) });
          msg.payload = result;
          msg.statusCode = 200;
          send(msg);
          done();
        },
        (err: unknown) => {
          if (err instanceof ThingSpaceError && err.kind === 'aborted') return done();
          config?.reportFailure(err);
          const r = toReported(err);
          if (!closed) {
            const rejected = err instanceof ThingSpaceError && err.kind === 'credentials_rejected';
            node.status({ fill: 'red', shape: 'ring', text: rejected ? t('credentialsRejected') : t('failed', { code: r.code }) });
          }
          done(r);
        },
      );
    }

    const onRejected = (): void => {
      if (!closed) node.status({ fill: 'red', shape: 'ring', text: t('credentialsRejected') });
    };
    config?.events.on('rejected', onRejected);

    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage) => void, done: (err?: Error) => void) {
      handle(msg, send, done);
    });

    if (def.onDeploy === true || def.onDeploy === 'true') {
      // Once when the flow starts, as if an inject node had fired; the result goes out too.
      const start = setImmediate(() => {
        const msg: NodeMessage = { payload: undefined };
        handle(msg, (m) => node.send(m), (err) => {
          if (err) node.error(err, msg);
        });
      });
      node.on('close', function (_removed: boolean, done: () => void) {
        clearImmediate(start);
        done();
      });
    }

    node.on('close', function (_removed: boolean, done: () => void) {
      closed = true;
      if (configReport) clearImmediate(configReport);
      config?.events.off('rejected', onRejected);
      for (const a of inFlight) a.abort();
      node.status({});
      done();
    });
  }

  RED.nodes.registerType('start-callbacks', StartCallbacks as unknown as (this: Node, def: NodeDef) => void);
};
