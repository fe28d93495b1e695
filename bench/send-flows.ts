// Flow fragments of the send row (S1): sms-out against what a user builds today from core
// nodes, the same POST /sms calls at the same number in flight. Both end in the counting sink.
import { ACCOUNT, SIM_CREDENTIALS } from '../test/e2e/harness';
import { TAB, configNode, freshId, laidOut, sink, tab, trigger, tallyEndpoint, type N } from './flows';

const fn = (id: string, name: string, func: string, wires: string[][]): N => ({ id, type: 'function', z: TAB, name, func, outputs: wires.length, wires });

const httpRequest = (id: string, method: string, wires: string[]): N => ({
  id,
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

/** Ours: trigger -> `count` messages at once -> sms-out (`inFlight` at a time) -> sink. */
export function sendOursFlow(server: string, count: number, inFlight: number): N[] {
  const make = freshId('make');
  const out = freshId('out');
  return laidOut([
    tab(),
    configNode(server),
    ...trigger([make]),
    fn(make, 'make the commands', `for (let i = 0; i < ${count}; i++) node.send({ payload: 'CMD ' + i, topic: 'mdn:15551230001' });\nreturn null;`, [[out]]),
    {
      id: out,
      type: 'sms-out',
      z: TAB,
      name: '',
      thingspace: 'bench-cfg',
      targetType: 'msg',
      deviceKind: 'mdn',
      deviceId: '',
      groupName: '',
      servicePlan: '',
      encoding: '7-bit',
      timeToLive: '',
      concurrency: inFlight,
      queueLimit: count,
      keep: '_msgid',
      outcomeTimeout: 86400,
      wires: [['bench-sink'], []],
    },
    sink('bench-sink'),
    ...tallyEndpoint(),
  ]);
}

/**
 * The bare flow: token and login through http request nodes, then `inFlight` loops, each
 * sending its share one after the other: function (builds the request) -> http request
 * (POST /sms, keep-alive) -> function (counts it and loops back while its share lasts).
 */
export function sendBareFlow(server: string, count: number, inFlight: number): N[] {
  const [tokenReq, token, loginReq, login, fan, build, post, after] = ['tokenReq', 'token', 'loginReq', 'login', 'fan', 'build', 'post', 'after'].map(freshId);
  const basic = Buffer.from(`${SIM_CREDENTIALS.clientId}:${SIM_CREDENTIALS.clientSecret}`).toString('base64');
  const share = Math.ceil(count / inFlight);
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
    httpRequest(token, 'POST', [loginReq]),
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
    httpRequest(login, 'POST', [fan]),
    fn(
      fan,
      'start the loops',
      `if (msg.statusCode !== 200) { node.error('login: ' + msg.statusCode, msg); return null; }
const auth = { bearer: msg.bearer, session: msg.payload.sessionToken };
const loops = [];
for (let k = 0; k < ${inFlight}; k++) loops.push({ auth, left: Math.min(${share}, ${count} - k * ${share}), n: k * ${share} });
return [loops.filter((l) => l.left > 0)];`,
      [[build]],
    ),
    fn(
      build,
      'send request',
      `msg.url = '${server}/api/m2m/v1/sms';
msg.headers = { Authorization: 'Bearer ' + msg.auth.bearer, 'VZ-M2M-Token': msg.auth.session, 'Content-Type': 'application/json' };
msg.payload = { accountName: '${ACCOUNT}', smsMessage: 'CMD ' + msg.n, deviceIds: [{ kind: 'mdn', id: '15551230001' }], dataEncoding: '7-bit' };
return msg;`,
      [[post]],
    ),
    httpRequest(post, 'POST', [after]),
    fn(
      after,
      'count, next',
      `if (msg.statusCode !== 200) { node.error('send: ' + msg.statusCode, msg); return null; }
const next = msg.left > 1 ? { auth: msg.auth, left: msg.left - 1, n: msg.n + 1 } : null;
return [{ payload: msg.payload }, next];`,
      [['bench-sink'], [build]],
    ),
    sink('bench-sink'),
    ...tallyEndpoint(),
  ]);
}
