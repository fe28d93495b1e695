// sms-queue-in: a thin adapter from Node-RED (send, status, error, close) to the queue
// consumer (nodes/lib/consumer), which owns polling, draining, acknowledgement and dedupe.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { ThingSpaceConfigNode } from './thingspace-config';
import { ThingSpaceError } from './lib/client/errors';
import { QueueConsumer, type ConsumerBlock, type ConsumerState, type ConsumerStore, type PersistedState, type AckMode } from './lib/consumer/queue-consumer';
import { compileTopic } from './lib/message/topic';
import { toSingleMessage, toBatchMessage } from './lib/message/output';
import { parseCallbackBody, looksLikeCallbackBody } from './lib/message/callback-body';
import { claimReader, releaseReader } from './lib/node-red/readers';
import { ReportedError, toReported, errorMessage, shortText } from './lib/node-red/report';
import { answerHttp } from './lib/node-red/http-reply';

interface SmsQueueInDef extends NodeDef {
  thingspace: string;
  interval: string | number;
  ackMode: string;
  ackTimeout: string | number;
  output: string;
  dedupe: boolean | string;
  topic: string;
}

type OutputMode = 'single' | 'batch';

interface Settings {
  intervalMs: number;
  ackMode: AckMode;
  ackTimeoutMs: number;
  output: OutputMode;
  dedupe: boolean;
  topic: string;
}

const DEFAULT_TOPIC = 'thingspace/{account}/sms/{id}';
const CONTEXT_KEY = 'thingspace';
/** The editor's status is for people: a drain of thousands of blocks updates it at most this often. */
const STATUS_EVERY_MS = 250;

/** Reads the node's properties; throws a BAD_CONFIG ReportedError naming the bad one. */
export function readSettings(def: Partial<SmsQueueInDef>): Settings {
  const num = (v: unknown, dflt: number): number => (v === undefined || v === null || v === '' ? dflt : Number(v));
  const interval = num(def.interval, 60);
  if (!Number.isFinite(interval) || interval < 0) {
    throw new ReportedError(`Invalid interval "${String(def.interval)}": a number of seconds >= 0`, 'BAD_CONFIG');
  }
  const ackTimeout = num(def.ackTimeout, 60);
  if (!Number.isFinite(ackTimeout) || ackTimeout <= 0) {
    throw new ReportedError(`Invalid ackTimeout "${String(def.ackTimeout)}": a number of seconds > 0`, 'BAD_CONFIG');
  }
  const ackMode = (def.ackMode || 'auto') as AckMode;
  if (ackMode !== 'auto' && ackMode !== 'manual') throw new ReportedError(`Invalid ackMode "${String(def.ackMode)}"`, 'BAD_CONFIG');
  const output = (def.output || 'single') as OutputMode;
  if (output !== 'single' && output !== 'batch') throw new ReportedError(`Invalid output "${String(def.output)}"`, 'BAD_CONFIG');
  return {
    intervalMs: Math.round(interval * 1000),
    ackMode,
    ackTimeoutMs: Math.round(ackTimeout * 1000),
    output,
    dedupe: !(def.dedupe === false || def.dedupe === 'false'),
    topic: typeof def.topic === 'string' && def.topic.trim() ? def.topic.trim() : DEFAULT_TOPIC,
  };
}

/** Node context as the consumer's store: works with any context store, sync or async. */
function contextStore(node: Node, onError: (err: Error) => void): ConsumerStore {
  const ctx = node.context();
  return {
    load: () =>
      new Promise<PersistedState | undefined>((resolve) => {
        ctx.get(CONTEXT_KEY, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve(err ? undefined : (value as PersistedState | undefined));
        });
      }),
    save: (state) => {
      ctx.set(CONTEXT_KEY, state, (err: Error) => {
        if (err) onError(err);
      });
    },
  };
}

module.exports = function (RED: NodeAPI): void {
  function SmsQueueIn(this: Node, def: SmsQueueInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
    const t = (key: string, vars?: Record<string, unknown>): string => RED._(`sms-queue-in.status.${key}`, vars);

    let consumer: QueueConsumer | undefined;
    let claimed = false;
    let stopped = false;
    let lastStatusAt = 0;
    let statusTimer: NodeJS.Timeout | undefined;
    let pendingStatus: NodeStatus | undefined;

    const setStatus = (s: NodeStatus, throttle = false): void => {
      if (stopped) return;
      const now = Date.now();
      if (throttle && now - lastStatusAt < STATUS_EVERY_MS) {
        pendingStatus = s;
        statusTimer ??= setTimeout(() => {
          statusTimer = undefined;
          if (pendingStatus) setStatus(pendingStatus);
        }, STATUS_EVERY_MS);
        return;
      }
      pendingStatus = undefined;
      lastStatusAt = now;
      node.status(s);
    };

    const fail = (err: unknown, msg: NodeMessage): void => {
      const reported = toReported(err);
      node.error(reported, msg);
    };

    // --- configuration ---------------------------------------------------------------
    let settings: Settings;
    try {
      settings = readSettings(def);
      if (!config) throw new ReportedError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
      if (config.configError) throw config.configError;
    } catch (err) {
      const r = toReported(err);
      node.status({ fill: 'red', shape: 'ring', text: t('badConfig', { reason: shortText(r.message) }) });
      node.error(r, errorMessage(config?.accountName ?? '', 'config'));
      node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
        done(r);
      });
      node.on('close', (_removed: boolean, done: () => void) => {
        node.status({});
        done();
      });
      return;
    }
    const api = config.api!;
    const accountName = config.accountName;
    const topicOf = compileTopic(settings.topic);
    const ctx = { accountName, topicOf };

    const holder = claimReader(config.server, accountName, node.id);
    if (holder !== undefined) {
      const r = new ReportedError(
        `Another sms-queue-in node (${holder}) already reads account ${accountName}; this one stays idle`,
        'BAD_CONFIG',
      );
      node.status({ fill: 'red', shape: 'ring', text: t('duplicateReader') });
      node.error(r, errorMessage(accountName, 'config'));
      node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
        done(r);
      });
      node.on('close', (_removed: boolean, done: () => void) => {
        node.status({});
        done();
      });
      return;
    }
    claimed = true;

    // --- the consumer ----------------------------------------------------------------
    consumer = new QueueConsumer({
      api,
      intervalMs: settings.intervalMs,
      ackMode: settings.ackMode,
      ackTimeoutMs: settings.ackTimeoutMs,
      dedupe: settings.dedupe,
      store: contextStore(node, (err) => fail(new ReportedError(`Context store: ${err.message}`, 'ERROR'), errorMessage(accountName, 'context'))),
    });

    consumer.on('block', (block: ConsumerBlock) => {
      if (settings.output === 'batch') {
        node.send(toBatchMessage(block.items, 'queue', ctx));
      } else {
        const msgs = new Array<NodeMessage>(block.items.length);
        for (let i = 0; i < block.items.length; i++) msgs[i] = toSingleMessage(block.items[i], 'queue', ctx);
        node.send([msgs]);
      }
    });

    consumer.on('state', (s: ConsumerState) => {
      switch (s.state) {
        case 'polling':
          setStatus({ fill: 'blue', shape: 'dot', text: t('polling') }, true);
          break;
        case 'received':
          setStatus({ fill: 'green', shape: 'dot', text: t('received', { count: s.total }) }, true);
          break;
        case 'waiting-ack':
          setStatus({ fill: 'yellow', shape: 'dot', text: t('waitingAck', { count: s.pending }) }, true);
          break;
        case 'idle':
          setStatus({ fill: 'green', shape: 'ring', text: t('idle', { since: s.since.toLocaleTimeString() }) });
          break;
        case 'listening':
          setStatus({ fill: 'green', shape: 'ring', text: t('listening') });
          break;
        case 'retrying':
          setStatus({ fill: 'yellow', shape: 'ring', text: t('retrying', { seconds: Math.ceil(s.inMs / 1000), code: s.error.code }) });
          break;
        case 'credentials-rejected':
          config.reportFailure(s.error);
          setStatus({ fill: 'red', shape: 'ring', text: t('credentialsRejected') });
          break;
        case 'stopped':
          break;
      }
    });

    consumer.on('error', (err: ThingSpaceError) => {
      config.reportFailure(err);
      fail(err, errorMessage(accountName, err.operation ?? 'history'));
    });

    // Another node on the same config was told the credentials are wrong: say so here too,
    // the consumer will not try again either (the client refuses every call from now on).
    const onRejected = (): void => {
      setStatus({ fill: 'red', shape: 'ring', text: t('credentialsRejected') });
    };
    config.events.on('rejected', onRejected);

    void consumer.start().catch((err) => fail(err, errorMessage(accountName, 'start')));

    // --- input: acknowledgement, push, or a poll trigger (SPEC.md order) ----------------
    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) {
      const c = consumer!;
      const ts = (msg as { thingspace?: unknown }).thingspace;
      if (ts !== undefined && ts !== null && typeof ts === 'object' && 'source' in ts) {
        const ref = ts as { accountName?: unknown; source?: unknown; block?: unknown; index?: unknown };
        if (settings.ackMode !== 'manual') {
          // Auto mode acknowledged it already; a routed-back message needs nothing.
          done();
          return;
        }
        if (ref.accountName !== accountName || typeof ref.block !== 'string' || typeof ref.index !== 'number') {
          done(new ReportedError('msg.thingspace is not an acknowledgement from this node (account, block or index missing or foreign)', 'BAD_INPUT'));
          return;
        }
        if (!c.ack({ block: ref.block, index: ref.index })) {
          done(
            new ReportedError(
              `Acknowledgement for an SMS this node no longer waits for (block ${ref.block}): it was acknowledged already, or re-read after ackTimeout`,
              'BAD_INPUT',
            ),
          );
          return;
        }
        done();
        return;
      }

      if (msg.req !== undefined || looksLikeCallbackBody(msg.payload)) {
        const parsed = parseCallbackBody(msg.payload, { receivedAt: new Date(), expected: config.callbackCredentials() });
        if (!parsed.ok) {
          answerHttp(msg, parsed.code === 'CALLBACK_UNAUTHORIZED' ? 401 : 400);
          done(new ReportedError(parsed.reason, parsed.code));
          return;
        }
        const item = c.pushed(parsed.sms);
        if (!item) {
          // Already delivered: ThingSpace gets its 2xx so it stops retrying, the flow gets nothing.
          answerHttp(msg, 200);
          done();
          return;
        }
        const out =
          settings.output === 'batch'
            ? toBatchMessage([item], 'callback', ctx)
            : toSingleMessage(item, 'callback', ctx, parsed.timestampLocal);
        // Keep the http in request/response so an http response node downstream can answer.
        out._msgid = msg._msgid;
        if (msg.req !== undefined) out.req = msg.req;
        if (msg.res !== undefined) out.res = msg.res;
        send(out);
        done();
        return;
      }

      c.poll();
      done();
    });

    node.on('close', function (removed: boolean, done: () => void) {
      void removed;
      stopped = true;
      if (statusTimer) clearTimeout(statusTimer);
      config.events.off('rejected', onRejected);
      const finish = (): void => {
        if (claimed) releaseReader(config.server, accountName, node.id);
        node.status({});
        done();
      };
      if (consumer) consumer.stop().then(finish, finish);
      else finish();
    });
  }

  RED.nodes.registerType('sms-queue-in', SmsQueueIn as unknown as (this: Node, def: NodeDef) => void);
};
