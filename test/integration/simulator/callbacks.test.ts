import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ACCOUNT, request, session, sms } from './helpers';
import { until } from '../../support/wait';

/** A callback listener: records each pushed body; `fail` decides the status per push. */
class Receiver {
  readonly bodies: Record<string, unknown>[] = [];
  fail: (n: number) => boolean = () => false;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = this.bodies.length;
      this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(this.fail(n) ? 500 : 200).end();
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  async until(count: number): Promise<void> {
    const deadline = Date.now() + 5000;
    while (this.bodies.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.bodies.length} of ${count} pushes arrived`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('simulator: callbacks (docs/thingspace-api.md, "startCallbacks", §6)', () => {
  let sim: ThingSpaceSimulator;
  let auth: Record<string, string>;
  let receiver: Receiver;
  const base = `/api/m2m/v1/callbacks/${ACCOUNT}`;
  const start = `/api/m2m/v1/sms/${ACCOUNT}/startCallbacks`;

  beforeEach(async () => {
    sim = await ThingSpaceSimulator.start();
    auth = await session(sim);
    receiver = new Receiver();
    await receiver.start();
  });
  afterEach(async () => {
    await sim.stop();
    await receiver.stop();
  });

  function register(body: Record<string, unknown>) {
    return request(sim.url, 'POST', base, { headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  it('registers one listener per service name, replacing it on re-registration, and lists it', async () => {
    const res = await register({ name: 'EnhancedConnectivityService', url: 'http://127.0.0.1:1/old' });
    assert.deepEqual(res.json(), { accountName: ACCOUNT, serviceName: 'EnhancedConnectivityService' });
    await register({ name: 'EnhancedConnectivityService', url: receiver.url, username: 'cb', password: 'pw' });
    const list = (await request(sim.url, 'GET', base, { headers: auth })).json();
    assert.deepEqual(list, [{ accountName: ACCOUNT, serviceName: 'EnhancedConnectivityService', url: receiver.url, username: 'cb', password: 'pw' }]);
    assert.equal(sim.callbacks().length, 1);
  });

  it('deletes a registration, and refuses to delete one that does not exist', async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url });
    const del = await request(sim.url, 'DELETE', `${base}/name/EnhancedConnectivityService`, { headers: auth });
    assert.deepEqual(del.json(), { accountName: ACCOUNT, serviceName: 'EnhancedConnectivityService' });
    assert.deepEqual(sim.callbacks(ACCOUNT), []);
    const again = await request(sim.url, 'DELETE', `${base}/name/EnhancedConnectivityService`, { headers: auth });
    assert.equal(again.status, 400);
    assert.equal(again.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.Callback.NotFound');
  });

  it('refuses a registration without a usable url', async () => {
    const res = await register({ name: 'EnhancedConnectivityService', url: 'ftp://example' });
    assert.equal(res.status, 400);
    assert.equal(res.json().errorCode, 'UnifiedWebService.INPUT_INVALID.Callback.Invalid');
  });

  it('refuses startCallbacks without an EnhancedConnectivityService registration', async () => {
    const res = await request(sim.url, 'PUT', start, { headers: auth });
    assert.equal(res.status, 400);
    assert.equal(res.json().errorCode, 'UnifiedWebService.REQUEST_FAILED.Callback.NotRegistered');
  });

  it('accepts startCallbacks without a content type and with an empty form body, answering at once', async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url });
    const bare = await request(sim.url, 'PUT', start, { headers: auth });
    assert.equal(bare.status, 200);
    assert.deepEqual(bare.json(), { success: true });
    const form = await request(sim.url, 'PUT', start, { headers: { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
    assert.deepEqual(form.json(), { success: true });
  });

  it("pushes each queued SMS as its own 'nested' body with the registered credentials, emptying the queue", async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url, username: 'cb', password: 'pw' });
    sim.enqueue([sms('one'), sms('two'), sms('three')]);
    const res = await request(sim.url, 'PUT', start, { headers: auth });
    assert.equal(res.status, 200);
    await receiver.until(3);
    const first = receiver.bodies[0] as { username: string; password: string; deviceIds: unknown; smsResponse: { message: string; timestamp: string } };
    assert.equal(first.username, 'cb');
    assert.equal(first.password, 'pw');
    assert.deepEqual(first.deviceIds, [{ kind: 'mdn', id: '15551230001' }]);
    assert.deepEqual(first.smsResponse, { message: 'one', timestamp: '2024-05-02T09:15:07-07:00' });
    assert.equal(sim.queued(), 0);
    assert.equal(sim.counters().callbacksPushed, 3);
  });

  it("pushes 'flat' and 'soap-like' bodies when configured", async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url, username: 'cb' });
    sim.configure({ callbackShape: 'flat' });
    sim.enqueue(sms('flat one'));
    await request(sim.url, 'PUT', start, { headers: auth });
    await receiver.until(1);
    const flat = receiver.bodies[0];
    assert.equal(flat.message, 'flat one');
    assert.equal(flat.username, 'cb');
    assert.ok(!('password' in flat));
    assert.ok(Array.isArray(flat.deviceIds));
    sim.configure({ callbackShape: 'soap-like' });
    sim.enqueue(sms('soap one'));
    await receiver.until(2);
    assert.deepEqual(receiver.bodies[1], { Username: 'cb', Device: [{ Kind: 'mdn', Identifier: '15551230001' }], SmsMessage: 'soap one' });
  });

  it('stops at the first failed push, keeping that SMS queued, and pushes nothing more until startCallbacks', async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url });
    receiver.fail = (n) => n === 2;
    sim.enqueue([sms('a'), sms('b'), sms('c'), sms('d')]);
    await request(sim.url, 'PUT', start, { headers: auth });
    await receiver.until(3);
    // The failure ends the push (and deactivates the account) in the same step.
    await until(() => sim.counters().callbackFailures === 1, 'the failure to count');
    assert.equal(receiver.bodies.length, 3);
    assert.equal(sim.queued(), 2);
    assert.equal(sim.counters().callbackFailures, 1);
    assert.equal(sim.peek(ACCOUNT, 1)[0].message, 'c');
    sim.enqueue(sms('e'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.bodies.length, 3, 'a failed listener is not pushed to on its own');
    receiver.fail = () => false;
    await request(sim.url, 'PUT', start, { headers: auth });
    await receiver.until(6);
    assert.equal(sim.queued(), 0);
  });

  it('pushes SMS arriving after startCallbacks at once while the listener keeps accepting', async () => {
    await register({ name: 'EnhancedConnectivityService', url: receiver.url });
    await request(sim.url, 'PUT', start, { headers: auth });
    sim.enqueue(sms('late'));
    await receiver.until(1);
    assert.equal((receiver.bodies[0].smsResponse as { message: string }).message, 'late');
  });
});
