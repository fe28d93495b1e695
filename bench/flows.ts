// Flow fragments of the benchmark. Every scenario ends in the same counting sink, so what
// differs between "ours" and a ceiling or a peer is only what sits in front of it.
import { ACCOUNT, SIM_CREDENTIALS } from '../test/e2e/harness';

export type N = Record<string, unknown>;

export const TAB = 'bench-tab';
const CFG = 'bench-cfg';
export const TRIGGER = 'bench-trigger';
/** The global context store (a memory store the harness adds) holding the sink's tallies. */
const STORE = 'e2e';

let seq = 0;
const id = (name: string): string => `bench-${name}-${++seq}`;

/** Node-RED takes a node without x and y for a config node: give every flow node a place. */
export function laidOut(nodes: N[]): N[] {
  let i = 0;
  return nodes.map((n) => (n.z === undefined || n.x !== undefined ? n : { ...n, x: 150 + 200 * (i % 5), y: 60 + 60 * Math.floor(i++ / 5) }));
}

export function tab(): N {
  return { id: TAB, type: 'tab', label: 'bench' };
}

export function configNode(server: string, extra: N = {}): N {
  return { id: CFG, type: 'thingspace-config', name: 'sim', accountName: ACCOUNT, server, credentials: SIM_CREDENTIALS, ...extra };
}

/**
 * The downstream node of every scenario: counts what reaches it and notes the time of the
 * first and last message, in the Node-RED process's own clock. A batch message (or a
 * split-less array) counts as its length. `reply` makes it answer http in requests with a
 * fixed body, so with and without sms-queue-in the http response node does the same work.
 */
export function sink(sinkId: string, wires: string[] = [], reply = false): N {
  return {
    id: sinkId,
    type: 'function',
    z: TAB,
    name: 'sink',
    func: `const s = global.get('bench', '${STORE}');
const now = Date.now();
if (s.count === 0) s.first = now;
s.count += Array.isArray(msg.payload) ? msg.payload.length : 1;
s.last = now;
${reply ? "msg.payload = 'ok';" : ''}
return msg;`,
    outputs: 1,
    wires: [wires],
  };
}

/** inject -> stamp: the stamp resets the tallies and notes t0, then passes the trigger on. */
export function trigger(wires: string[]): N[] {
  const stamp = id('stamp');
  return [
    { id: TRIGGER, type: 'inject', z: TAB, name: 'go', props: [{ p: 'payload' }], payload: '', payloadType: 'date', repeat: '', once: false, wires: [[stamp]] },
    {
      id: stamp,
      type: 'function',
      z: TAB,
      name: 'stamp',
      func: `global.set('bench', { t0: Date.now(), count: 0, first: 0, last: 0, emitted: 0, acked: 0, statuses: 0 }, '${STORE}');
return msg;`,
      initialize: `global.set('bench', { t0: 0, count: 0, first: 0, last: 0, emitted: 0, acked: 0, statuses: 0 }, '${STORE}');`,
      outputs: 1,
      wires: [wires],
    },
  ];
}

/** GET /bench/tally answers the sink's tallies. */
export function tallyEndpoint(): N[] {
  const read = id('read');
  const out = id('out');
  return [
    { id: id('tally'), type: 'http in', z: TAB, name: '', url: '/bench/tally', method: 'get', upload: false, swaggerDoc: '', wires: [[read]] },
    {
      id: read,
      type: 'function',
      z: TAB,
      name: 'read',
      func: `msg.payload = global.get('bench', '${STORE}') || null;\nreturn msg;`,
      outputs: 1,
      wires: [[out]],
    },
    { id: out, type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

export function queueNode(qid: string, wires: string[], extra: N = {}): N {
  return {
    id: qid,
    type: 'sms-queue-in',
    z: TAB,
    name: '',
    thingspace: CFG,
    interval: '0',
    ackMode: 'auto',
    ackTimeout: '30',
    output: 'single',
    dedupe: true,
    topic: '',
    wires: [wires],
    ...extra,
  };
}

/** Ours: trigger -> sms-queue-in `qid` (polls only when triggered) -> sink. */
export function oursFlow(server: string, qid: string, queueProps: N = {}, configProps: N = {}): N[] {
  return laidOut([
    tab(),
    configNode(server, configProps),
    ...trigger([qid]),
    queueNode(qid, ['bench-sink'], queueProps),
    sink('bench-sink'),
    ...tallyEndpoint(),
  ]);
}

/** A node id not used before in this bench run: a fresh node starts with fresh node context. */
export function freshId(name: string): string {
  return id(name);
}

/** The runtime alone: trigger -> bench-gen (ready-made messages, one block per turn) -> sink. */
export function generatorFlow(count: number, block = 100): N[] {
  return laidOut([
    tab(),
    ...trigger(['bench-gen']),
    { id: 'bench-gen', type: 'bench-gen', z: TAB, count, block, wires: [['bench-sink']] },
    sink('bench-sink'),
    ...tallyEndpoint(),
  ]);
}

/**
 * The peer: what a user builds today from core nodes. Token, login and the first history
 * request through three http request nodes, then a function that follows `Location` back
 * into the history request (which acknowledges the block, docs/thingspace-api.md, "History paging") and hands the block's
 * messages to a split node. Keep-alive is on in every http request node: the peer gets the
 * best the core nodes offer.
 */
export function peerFlow(server: string): N[] {
  const [tokenReq, token, loginReq, login, historyReq, history, follow, split] = [
    'tokenReq',
    'token',
    'loginReq',
    'login',
    'historyReq',
    'history',
    'follow',
    'split',
  ].map(id);
  const basic = Buffer.from(`${SIM_CREDENTIALS.clientId}:${SIM_CREDENTIALS.clientSecret}`).toString('base64');
  const http = (nid: string, method: string, wires: string[]): N => ({
    id: nid,
    type: 'http request',
    z: TAB,
    name: '',
    method,
    ret: 'obj',
    paytoqs: 'ignore',
    url: '',
    tls: '',
    persist: true,
    proxy: '',
    insecureHTTPParser: false,
    authType: '',
    senderr: false,
    headers: [],
    wires: [wires],
  });
  const fn = (nid: string, name: string, func: string, wires: string[][]): N => ({
    id: nid,
    type: 'function',
    z: TAB,
    name,
    func,
    outputs: wires.length,
    wires,
  });
  return laidOut([
    tab(),
    ...trigger([tokenReq]),
    fn(
      tokenReq,
      'token request',
      `msg.url = '${server}/api/ts/v1/oauth2/token';
msg.headers = { Authorization: 'Basic ${basic}', 'Content-Type': 'application/x-www-form-urlencoded' };
msg.payload = 'grant_type=client_credentials';
return msg;`,
      [[token]],
    ),
    http(token, 'POST', [loginReq]),
    fn(
      loginReq,
      'login request',
      `if (msg.statusCode !== 200) { node.error('token: ' + msg.statusCode, msg); return null; }
msg.bearer = msg.payload.access_token;
msg.url = '${server}/api/m2m/v1/session/login';
msg.headers = { Authorization: 'Bearer ' + msg.bearer, 'Content-Type': 'application/json' };
msg.payload = { username: '${SIM_CREDENTIALS.username}', password: '${SIM_CREDENTIALS.password}' };
return msg;`,
      [[login]],
    ),
    http(login, 'POST', [historyReq]),
    fn(
      historyReq,
      'history request',
      `if (msg.statusCode !== 200) { node.error('login: ' + msg.statusCode, msg); return null; }
return { url: '${server}/api/m2m/v1/sms/${ACCOUNT}/history', bearer: msg.bearer, session: msg.payload.sessionToken,
  headers: { Authorization: 'Bearer ' + msg.bearer, 'VZ-M2M-Token': msg.payload.sessionToken } };`,
      [[history]],
    ),
    http(history, 'GET', [follow]),
    fn(
      follow,
      'follow Location',
      `if (msg.statusCode !== 200 && msg.statusCode !== 202) { node.error('history: ' + msg.statusCode, msg); return null; }
let next = null;
if (msg.statusCode === 202) {
  next = { url: '${server}/api/m2m/v1' + msg.headers.location, bearer: msg.bearer, session: msg.session,
    headers: { Authorization: 'Bearer ' + msg.bearer, 'VZ-M2M-Token': msg.session } };
}
return [{ payload: msg.payload.messages }, next];`,
      [[split], [history]],
    ),
    {
      id: split,
      type: 'split',
      z: TAB,
      name: '',
      splt: '\\n',
      spltType: 'str',
      arraySplt: 1,
      arraySpltType: 'len',
      stream: false,
      addname: '',
      property: 'payload',
      wires: [['bench-sink']],
    },
    sink('bench-sink'),
    ...tallyEndpoint(),
  ]);
}

/** Push mode: http in -> [sms-queue-in ->] sink -> http response. */
export function pushFlow(server: string, withQueueNode: boolean): N[] {
  const httpIn = id('cb-in');
  const res = id('cb-res');
  const qid = id('q');
  const first = withQueueNode ? qid : 'bench-sink';
  return laidOut([
    tab(),
    configNode(server),
    ...trigger([]),
    { id: httpIn, type: 'http in', z: TAB, name: '', url: '/bench/callback', method: 'post', upload: false, swaggerDoc: '', wires: [[first]] },
    ...(withQueueNode ? [queueNode(qid, ['bench-sink'])] : []),
    sink('bench-sink', [res], true),
    { id: res, type: 'http response', z: TAB, name: '', statusCode: '', headers: {}, wires: [] },
    ...tallyEndpoint(),
  ]);
}

/**
 * A slow consumer in manual mode: sms-queue-in -> count emitted -> delay (one SMS per 5 ms)
 * -> count acked -> back into sms-queue-in, which acknowledges the SMS (manual ack mode).
 */
export function slowConsumerFlow(server: string, msPerSms: number): N[] {
  const emitted = id('emitted');
  const delay = id('delay');
  const acked = id('acked');
  return laidOut([
    tab(),
    configNode(server),
    ...trigger(['bench-q']),
    queueNode('bench-q', [emitted], { ackMode: 'manual', ackTimeout: '60' }),
    { id: emitted, type: 'function', z: TAB, name: 'emitted', func: `global.get('bench', '${STORE}').emitted++;\nreturn msg;`, outputs: 1, wires: [[delay]] },
    {
      id: delay,
      type: 'delay',
      z: TAB,
      name: '',
      pauseType: 'rate',
      timeout: '5',
      timeoutUnits: 'seconds',
      rate: String(Math.round(1000 / msPerSms)),
      nbRateUnits: '1',
      rateUnits: 'second',
      randomFirst: '1',
      randomLast: '5',
      randomUnits: 'seconds',
      drop: false,
      allowrate: false,
      outputs: 1,
      wires: [[acked]],
    },
    { id: acked, type: 'function', z: TAB, name: 'acked', func: `global.get('bench', '${STORE}').acked++;\nreturn msg;`, outputs: 1, wires: [['bench-q']] },
    ...tallyEndpoint(),
  ]);
}

/** Idle: sms-queue-in polling every `intervalSec`; a status node counts finished polls (the idle status) and notes the last one's time. */
export function idleFlow(server: string, intervalSec: number): N[] {
  const status = id('status');
  const count = id('count');
  return laidOut([
    tab(),
    configNode(server),
    ...trigger([]),
    queueNode('bench-q', [], { interval: String(intervalSec) }),
    { id: status, type: 'status', z: TAB, name: '', scope: ['bench-q'], wires: [[count]] },
    {
      id: count,
      type: 'function',
      z: TAB,
      name: 'polls',
      func: `if (msg.status && msg.status.fill === 'green' && msg.status.shape === 'ring') {
  const s = global.get('bench', '${STORE}');
  s.statuses++;
  s.last = Date.now();
}
return null;`,
      outputs: 1,
      wires: [[]],
    },
    ...tallyEndpoint(),
  ]);
}

export interface Tally {
  t0: number;
  count: number;
  first: number;
  last: number;
  emitted: number;
  acked: number;
  statuses: number;
}

/** The idle reference: a core http request node asking the same server as often, no more. */
export function idleReferenceFlow(server: string, intervalSec: number): N[] {
  const inject = id('every');
  const req = id('get');
  return laidOut([
    tab(),
    {
      id: inject,
      type: 'inject',
      z: TAB,
      name: '',
      props: [{ p: 'payload' }],
      repeat: String(intervalSec),
      once: true,
      onceDelay: 0.1,
      payload: '',
      payloadType: 'date',
      wires: [[req]],
    },
    {
      id: req,
      type: 'http request',
      z: TAB,
      name: '',
      method: 'GET',
      ret: 'txt',
      paytoqs: 'ignore',
      url: `${server}/api/m2m/v1/sms/${ACCOUNT}/history`,
      tls: '',
      persist: true,
      proxy: '',
      authType: '',
      senderr: false,
      headers: [],
      wires: [[]],
    },
  ]);
}

/**
 * Many accounts in one runtime: a config node and an sms-queue-in (interval 0) per account,
 * all wired to one trigger (so they start together) and to the one counting sink.
 */
export function manyAccountsFlow(server: string, accounts: string[]): N[] {
  const queues = accounts.map(() => id('q'));
  const nodes: N[] = [tab(), ...trigger(queues)];
  accounts.forEach((account, i) => {
    const cfg = id('cfg');
    nodes.push({ ...configNode(server), id: cfg, name: account, accountName: account });
    nodes.push({ ...queueNode(queues[i], ['bench-sink']), thingspace: cfg });
  });
  return laidOut([...nodes, sink('bench-sink'), ...tallyEndpoint()]);
}
