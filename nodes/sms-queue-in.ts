// sms-queue-in: a thin adapter from Node-RED (send, status, error, close) to the queue
// consumer (nodes/lib/consumer), which owns polling, draining, acknowledgement and dedupe.
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import type { ThingSpaceConfigNode } from './thingspace-config';
import { ThingSpaceError } from './lib/client/errors';
import { QueueConsumer, type ConsumerBlock, type ConsumerState, type ConsumerStore, type PersistedState } from './lib/consumer/queue-consumer';
import { compileTopic } from './lib/message/topic';
import { toSingleMessage, toBatchMessage, type SingleContext } from './lib/message/output';
import { parseCallbackBody, looksLikeCallbackBody, redactCallbackBody } from './lib/message/callback-body';
import { claimReader, releaseReader } from './lib/node-red/readers';
import { ReportedError, toReported, errorMessage, shortText } from './lib/node-red/report';
import { answerHttp } from './lib/node-red/http-reply';
import { readSettings, type Settings, type SmsQueueInDef } from './lib/node-red/queue-settings';

const CONTEXT_KEY = 'thingspace';
/** The editor's status is for people: a drain of thousands of blocks updates it at most this often. */
const STATUS_EVERY_MS = 250;

/**
 * Node context as the consumer's store: works with any context store, sync or async.
 * A save settles once a write that began after it has finished (for a file store without
 * cache: on disk). Writes are coalesced, one in flight and one waiting: the state is one
 * live object, so the waiting write carries every change made meanwhile, and a burst of
 * acknowledgements costs two writes of the context file, not one each.
 */
function contextStore(node: Node, onError: (err: Error) => void): ConsumerStore {
  const ctx = node.context();
  let writing = false;
  let waiting: Array<() => void> = [];
  let latest: PersistedState | undefined;
  const write = (state: PersistedState, settle: Array<() => void>): void => {
    writing = true;
    ctx.set(CONTEXT_KEY, state, (err: Error) => {
      if (err) onError(err);
      for (const done of settle) done();
      if (waiting.length > 0) {
        const next = waiting;
        waiting = [];
        write(latest!, next);
      } else {
        writing = false;
      }
    });
  };
  return {
    load: () =>
      new Promise<PersistedState | undefined>((resolve) => {
        ctx.get(CONTEXT_KEY, (err: Error, value: unknown) => {
          if (err) onError(err);
          resolve(err ? undefined : (value as PersistedState | undefined));
        });
      }),
    save: (state) =>
      new Promise<void>((resolve) => {
        latest = state;
        if (writing) waiting.push(resolve);
        else write(state, [resolve]);
      }),
  };
}

module.exports = function (RED: NodeAPI): void {
  function SmsQueueIn(this: Node, def: SmsQueueInDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.thingspace) as ThingSpaceConfigNode | null;
    // Status texts cost an i18next lookup each: those without variables are looked up once.
    const fixedTexts = new Map<string, string>();
    const t = (key: string, vars?: Record<string, string | number>): string => {
      if (vars) return RED._(`sms-queue-in.status.${key}`, vars);
      let text = fixedTexts.get(key);
      if (text === undefined) fixedTexts.set(key, (text = RED._(`sms-queue-in.status.${key}`)));
      return text;
    };
    // Date.toLocaleTimeString builds a formatter per call (about a millisecond in Node-RED):
    // one per node for the "idle since" of every poll.
    const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });

    let claimed = false;
    let stopped = false;
    let lastStatusAt = 0;
    let statusTimer: NodeJS.Timeout | undefined;
    let pendingStatus: (() => NodeStatus) | undefined;
    let received = 0;
    /** Callback SMS emitted (push mode); the status counts them with the queue's. */
    let pushed = 0;

    // A status is made (translated) only when it is shown: a drain changes state twice per
    // block, and a translation costs more than the rest of the block's bookkeeping.
    const setStatus = (make: () => NodeStatus, throttle = false): void => {
      if (stopped) return;
      const now = Date.now();
      if (throttle && now - lastStatusAt < STATUS_EVERY_MS) {
        pendingStatus = make;
        statusTimer ??= setTimeout(() => {
          statusTimer = undefined;
          if (pendingStatus) setStatus(pendingStatus);
        }, STATUS_EVERY_MS);
        return;
      }
      pendingStatus = undefined;
      lastStatusAt = now;
      node.status(make());
    };

    const fail = (err: unknown, msg: NodeMessage): void => {
      const reported = toReported(err);
      node.error(reported, msg);
    };

    /** An unusable node: says why (status, Catch, and to every input) and does nothing else. */
    function idleWithError(r: ReportedError, account: string, status: NodeStatus): void {
      node.status(status);
      // Reported on the next turn: Catch and Status nodes later in the flow may not exist
      // yet (a status set while the flow starts reaches the editor, not a Status node).
      const report = setImmediate(() => {
        node.status(status);
        node.error(r, errorMessage(account, 'config'));
      });
      node.on('input', (_msg: NodeMessageInFlow, _send: unknown, done: (err?: Error) => void) => {
        done(r);
      });
      node.on('close', (_removed: boolean, done: () => void) => {
        clearImmediate(report);
        node.status({});
        done();
      });
    }

    // --- configuration ---------------------------------------------------------------
    let settings: Settings;
    try {
      settings = readSettings(def);
      if (!config) throw new ReportedError('No ThingSpace account (config node) selected', 'BAD_CONFIG');
      if (config.configError) throw config.configError;
    } catch (err) {
      const r = toReported(err);
      idleWithError(r, config?.accountName ?? '', { fill: 'red', shape: 'ring', text: t('badConfig', { reason: shortText(r.message) }) });
      return;
    }
    const api = config.api!;
    const accountName = config.accountName;
    const topic = compileTopic(settings.topic);

    const holder = claimReader(config.server, accountName, node.id);
    if (holder !== undefined) {
      const r = new ReportedError(
        `Another sms-queue-in node (${holder}) already reads account ${accountName}; this one stays idle`,
        'BAD_CONFIG',
      );
      idleWithError(r, accountName, { fill: 'red', shape: 'ring', text: t('duplicateReader') });
      return;
    }
    claimed = true;

    // --- the consumer ----------------------------------------------------------------
    const consumer = new QueueConsumer({
      api,
      intervalMs: settings.intervalMs,
      ackMode: settings.ackMode,
      ackTimeoutMs: settings.ackTimeoutMs,
      dedupe: settings.dedupe,
      store: contextStore(node, (err) => fail(new ReportedError(`Context store: ${err.message}`, 'ERROR'), errorMessage(accountName, 'context'))),
    });

    consumer.on('block', (block: ConsumerBlock) => {
      if (settings.output === 'batch') {
        node.send(toBatchMessage(block.items, { accountName, source: 'queue', topic, block: block.id }));
        return;
      }
      // One context for the block, its index and key set per SMS (toSingleMessage copies them).
      // In auto mode the consumer keeps no SMS of a block it read once emitted (a restored
      // block's SMS come from node context, so they are still copied).
      const shareDeviceIds = settings.ackMode === 'auto' && !block.restored;
      const ctx: SingleContext = { accountName, source: 'queue', topic, block: block.id, index: 0, key: '', shareDeviceIds };
      for (let i = 0; i < block.items.length; i++) {
        const item = block.items[i];
        ctx.index = item.ref.index;
        ctx.key = item.key;
        // One send per message, not node.send([msgs]): given an array, the runtime deep-clones
        // every message but the first (Node.prototype.send), and these are fresh objects
        // nobody else holds. Several wires still get their clones, as for any single send.
        node.send(toSingleMessage(item.sms, ctx));
      }
    });

    consumer.on('state', (s: ConsumerState) => {
      switch (s.state) {
        case 'polling':
          setStatus(() => ({ fill: 'blue', shape: 'dot', text: t('polling') }), true);
          break;
        case 'received':
          received = s.total;
          setStatus(() => ({ fill: 'green', shape: 'dot', text: t('received', { count: s.total + pushed }) }), true);
          break;
        case 'waiting-ack':
          setStatus(() => ({ fill: 'yellow', shape: 'dot', text: t('waitingAck', { count: s.pending }) }), true);
          break;
        case 'idle':
          setStatus(() => ({ fill: 'green', shape: 'ring', text: t('idle', { since: clock.format(s.since), count: received + pushed }) }));
          break;
        case 'listening':
          setStatus(() => ({ fill: 'green', shape: 'ring', text: t('listening') }));
          break;
        case 'retrying':
          setStatus(() => ({ fill: 'yellow', shape: 'ring', text: t('retrying', { seconds: Math.ceil(s.inMs / 1000), code: s.error.code }) }));
          break;
        case 'credentials-rejected':
          config.reportFailure(s.error);
          setStatus(() => ({ fill: 'red', shape: 'ring', text: t('credentialsRejected') }));
          break;
        case 'failed':
          setStatus(() => ({ fill: 'red', shape: 'ring', text: t('errorCode', { code: s.error.code }) }));
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
      setStatus(() => ({ fill: 'red', shape: 'ring', text: t('credentialsRejected') }));
    };
    config.events.on('rejected', onRejected);

    void consumer.start().catch((err) => fail(err, errorMessage(accountName, 'start')));

    // --- input: acknowledgement, push, or a poll trigger (SPEC.md order) ----------------
    node.on('input', function (msg: NodeMessageInFlow, send: (m: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void, done: (err?: Error) => void) {
      const c = consumer;
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
        const receivedAt = new Date();
        const parsed = parseCallbackBody(msg.payload, { receivedAt, expected: config.callbackCredentials() });
        if (!parsed.ok) {
          answerHttp(msg, parsed.code === 'CALLBACK_UNAUTHORIZED' ? 401 : 400);
          // Catch gets the whole message so the user can see and report the body, with the
          // callback credentials masked and without the http in request/response objects.
          const shown: NodeMessage = { ...msg, payload: redactCallbackBody(msg.payload) };
          delete shown.req;
          delete shown.res;
          node.error(new ReportedError(parsed.reason, parsed.code), shown);
          done();
          return;
        }
        const item = c.pushed(parsed.sms);
        if (!item) {
          // Already delivered: ThingSpace gets its 2xx so it stops retrying, the flow gets nothing.
          answerHttp(msg, 200);
          done();
          return;
        }
        const out: NodeMessage =
          settings.output === 'batch'
            ? toBatchMessage([item], { accountName, source: 'callback', topic, block: item.ref.block })
            : toSingleMessage(item.sms, {
                accountName,
                source: 'callback',
                topic,
                block: item.ref.block,
                index: item.ref.index,
                key: item.key,
                receivedAt: receivedAt.toISOString(),
                timestampLocal: parsed.timestampLocal,
              });
        // A batch of one callback SMS acknowledges that SMS: its ref, not a whole block.
        if (settings.output === 'batch') (out.thingspace as { index: number }).index = item.ref.index;
        // Keep the http in request/response so an http response node downstream can answer.
        out._msgid = msg._msgid;
        if (msg.req !== undefined) {
          // http in keeps the parsed body on req: mask the callback credentials there too, or
          // a debug node showing the whole message would print them (SPEC: no secret in a
          // debug message). Nothing downstream needs them: they were checked above.
          const req = msg.req as { body?: unknown };
          if (req.body !== undefined) req.body = redactCallbackBody(req.body);
          out.req = msg.req;
        }
        if (msg.res !== undefined) out.res = msg.res;
        send(out);
        pushed++;
        setStatus(() => ({ fill: 'green', shape: 'dot', text: t('received', { count: received + pushed }) }), true);
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
      consumer.stop().then(finish, finish);
    });
  }

  RED.nodes.registerType('sms-queue-in', SmsQueueIn as unknown as (this: Node, def: NodeDef) => void);
};
