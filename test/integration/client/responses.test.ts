// Answers the simulator does not give on purpose, from a tiny local server.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { FakeServer, SMS, reply } from './fake-server';
import { failure } from './helpers';

const ACCT = '0000123456-00001';
const HISTORY = `/api/m2m/v1/sms/${ACCT}/history`;

describe('history answers the client must read or refuse', () => {
  let fake: FakeServer;
  let client: ThingSpaceClient;

  beforeEach(async () => {
    fake = await FakeServer.start();
    client = new ThingSpaceClient({
      server: fake.url + '/',
      accountName: ACCT,
      clientId: 'id',
      clientSecret: 'secret',
      username: 'u',
      password: 'p',
      timeoutMs: 2000,
    });
  });

  afterEach(async () => {
    client.close();
    await fake.stop();
  });

  it('strips a trailing slash from the server and sends both tokens', async () => {
    fake.handler = (_req, res) => reply(res, 200, { hasMoreData: false, messages: [SMS] });
    const block = await client.history();
    assert.equal(block.messages.length, 1);
    assert.equal(fake.calls[0].url, HISTORY);
    assert.equal(fake.calls[0].headers['authorization'], 'Bearer fake-bearer-token');
    assert.equal(fake.calls[0].headers['vz-m2m-token'], 'fake-session-token');
  });

  it('sends next exactly as it was received: 0042 travels as 0042', async () => {
    fake.handler = (req, res) =>
      req.url.includes('next=')
        ? reply(res, 200, { hasMoreData: false, messages: [] })
        : reply(res, 202, { hasMoreData: true, messages: [SMS] }, { Location: `/sms/${ACCT}/history?next=0042` });
    const first = await client.history();
    assert.equal(first.next, '0042');
    await client.history(first.next);
    assert.equal(fake.calls[1].url, `${HISTORY}?next=0042`);
  });

  it('encodes a next token with reserved characters so it cannot change the path', async () => {
    fake.handler = (_req, res) => reply(res, 200, { hasMoreData: false, messages: [] });
    await client.history('a/../b&x=1#f');
    assert.equal(fake.calls[0].url, `${HISTORY}?next=a%2F..%2Fb%26x%3D1%23f`);
  });

  it('keeps the next of a 200 that carries a Location', async () => {
    fake.handler = (_req, res) => reply(res, 200, { hasMoreData: false, messages: [SMS] }, { Location: `/sms/${ACCT}/history?next=77` });
    assert.equal((await client.history()).next, '77');
  });

  it('accepts numeric device ids as strings and ignores extra fields', async () => {
    fake.handler = (_req, res) =>
      reply(res, 200, { hasMoreData: false, extra: 1, messages: [{ ...SMS, deviceIds: [{ kind: 'esn', id: 60123, x: 1 }], note: 'n' }] });
    const block = await client.history();
    assert.deepEqual(block.messages, [{ deviceIds: [{ kind: 'esn', id: '60123' }], message: 'hello', timestamp: SMS.timestamp }]);
  });

  it('refuses a whole block when one message is malformed, rather than dropping it', async () => {
    for (const bad of [
      { ...SMS, message: 42 },
      { ...SMS, timestamp: undefined },
      { ...SMS, deviceIds: [] },
      { ...SMS, deviceIds: [{ kind: 'mdn' }] },
      null,
      'sms',
    ]) {
      fake.handler = (_req, res) => reply(res, 200, { hasMoreData: false, messages: [SMS, bad] });
      const err = await failure(client.history());
      assert.equal(err.kind, 'bad_response', JSON.stringify(bad));
    }
  });

  it('refuses a 202 without a Location, or whose Location has no next', async () => {
    fake.handler = (_req, res) => reply(res, 202, { hasMoreData: true, messages: [SMS] });
    assert.equal((await failure(client.history())).kind, 'bad_response');
    fake.handler = (_req, res) => reply(res, 202, { hasMoreData: true, messages: [SMS] }, { Location: `/sms/${ACCT}/history` });
    assert.equal((await failure(client.history())).kind, 'bad_response');
  });

  it('refuses a Location pointing at another host or path, and never requests it', async () => {
    for (const location of [`http://127.0.0.2:1/api/m2m/v1/sms/${ACCT}/history?next=1`, `/api/m2m/v1/callbacks/${ACCT}?next=1`]) {
      fake.handler = (_req, res) => reply(res, 202, { hasMoreData: true, messages: [SMS] }, { Location: location });
      const err = await failure(client.history());
      assert.equal(err.kind, 'bad_response');
      assert.match(err.message, /Location/);
    }
    assert.ok(fake.calls.every((c) => c.url === HISTORY));
  });

  it('does not follow a redirect', async () => {
    fake.handler = (req, res) =>
      req.url === HISTORY ? reply(res, 302, '', { Location: '/elsewhere' }) : reply(res, 200, { hasMoreData: false, messages: [] });
    assert.equal((await failure(client.history())).kind, 'bad_response');
    assert.equal(fake.calls.length, 1);
  });

  it('refuses HTML, an empty body and non-JSON as bad_response', async () => {
    for (const body of ['<html><body>Bad gateway</body></html>', '', '{"hasMoreData": tru']) {
      fake.handler = (_req, res) => res.writeHead(200, { 'Content-Type': body.startsWith('<') ? 'text/html' : 'application/json' }).end(body);
      assert.equal((await failure(client.history())).kind, 'bad_response', body);
    }
  });

  it('refuses a 10 MB body without reading it all', async () => {
    fake.handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"hasMoreData":false,"messages":[' + `${JSON.stringify(SMS)},`.repeat(150_000) + ']}');
    };
    const err = await failure(client.history());
    assert.equal(err.kind, 'bad_response');
    assert.match(err.message, /larger than/);
  });

  it('asks for compressed answers and reads gzip, deflate (wrapped or raw) and br bodies', async () => {
    const text = JSON.stringify({ hasMoreData: false, messages: [SMS, SMS] });
    const encoders: Record<string, (b: Buffer) => Buffer> = {
      gzip: (b) => zlib.gzipSync(b),
      deflate: (b) => zlib.deflateSync(b),
      'deflate (raw)': (b) => zlib.deflateRawSync(b),
      br: (b) => zlib.brotliCompressSync(b),
    };
    for (const [name, encode] of Object.entries(encoders)) {
      fake.handler = (req, res) => {
        assert.match(String(req.headers['accept-encoding']), /gzip/);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': name.split(' ')[0] }).end(encode(Buffer.from(text)));
      };
      const block = await client.history();
      assert.equal(block.messages.length, 2, name);
      assert.deepEqual(block.messages[0], SMS, name);
    }
  });

  it('refuses a compressed body that inflates past the size limit, or does not inflate at all', async () => {
    const small = new ThingSpaceClient({
      server: fake.url,
      accountName: ACCT,
      clientId: 'id',
      clientSecret: 'secret',
      username: 'u',
      password: 'p',
      timeoutMs: 2000,
      maxResponseBytes: 64 * 1024,
    });
    try {
      // 4 MB of JSON gzips to a few KB: under the limit on the wire, far over it inflated.
      const bomb = zlib.gzipSync(Buffer.from('{"hasMoreData":false,"messages":[' + `${JSON.stringify(SMS)},`.repeat(30_000) + ']}'));
      assert.ok(bomb.length < 64 * 1024);
      fake.handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(bomb);
      let err = await failure(small.history());
      assert.equal(err.kind, 'bad_response');
      assert.match(err.message, /larger than/);

      fake.handler = (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end('not gzip at all');
      err = await failure(small.history());
      assert.equal(err.kind, 'bad_response');
      assert.match(err.message, /not valid gzip/);

      // An error answer whose body cannot be read is still classified by its status.
      fake.handler = (_req, res) => res.writeHead(503, { 'Content-Encoding': 'gzip' }).end('garbage');
      err = await failure(small.history());
      assert.equal(err.kind, 'server');
    } finally {
      small.close();
    }
  });

  it('revokes a refused bearer that the token endpoint hands back, then asks once more', async () => {
    let current = 'same-token';
    fake.tokenHandler = (req, res) => {
      if (req.url.endsWith('/revoke')) {
        current = 'new-token';
        res.writeHead(200).end();
      } else {
        reply(res, 200, { access_token: current, token_type: 'Bearer', expires_in: 3600 });
      }
    };
    fake.handler = (req, res) =>
      req.headers['authorization'] === 'Bearer new-token'
        ? reply(res, 200, { hasMoreData: false, messages: [SMS] })
        : reply(res, 401, { fault: { code: 900901, message: 'Invalid Credentials' } });
    const block = await client.history();
    assert.equal(block.messages.length, 1);
    assert.deepEqual(
      fake.seen.map((r) => r.url.replace(/\?.*/, '')),
      [
        '/api/ts/v1/oauth2/token',
        '/api/m2m/v1/session/login',
        HISTORY,
        '/api/ts/v1/oauth2/token',
        '/api/ts/v1/oauth2/revoke',
        '/api/ts/v1/oauth2/token',
        HISTORY,
      ],
    );
    assert.equal(fake.seen[4].body, 'grant_type=client_credentials&token=same-token');
  });

  it('reads Retry-After given as an HTTP date', async () => {
    fake.handler = (_req, res) => reply(res, 429, '', { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() });
    const err = await failure(client.history());
    assert.equal(err.kind, 'rate_limited');
    assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 25_000 && err.retryAfterMs <= 30_000, String(err.retryAfterMs));
  });

  it('gives up on a server that never answers after timeoutMs, as a timeout', async () => {
    fake.handler = () => undefined;
    const quick = new ThingSpaceClient({
      server: fake.url,
      accountName: ACCT,
      clientId: 'id',
      clientSecret: 'secret',
      username: 'u',
      password: 'p',
      timeoutMs: 300,
    });
    const started = Date.now();
    const err = await failure(quick.history());
    quick.close();
    assert.equal(err.kind, 'timeout');
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 2000, `gave up after ${took} ms`);
  });

  it('reports a call cancelled through its signal as aborted', async () => {
    fake.handler = () => undefined;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await failure(client.history(undefined, { signal: controller.signal }));
    assert.equal(err.kind, 'aborted');
  });

  it('reports a refused connection as network', async () => {
    const port = new URL(fake.url).port;
    await fake.stop();
    const dead = new ThingSpaceClient({
      server: `http://127.0.0.1:${port}`,
      accountName: ACCT,
      clientId: 'id',
      clientSecret: 'secret',
      username: 'u',
      password: 'p',
    });
    const err = await failure(dead.history());
    dead.close();
    assert.equal(err.kind, 'network');
    assert.match(err.message, /ECONNREFUSED/);
    fake = await FakeServer.start(); // for afterEach
  });
});
