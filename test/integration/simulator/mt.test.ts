// The simulator's POST /sms: ThingSpace's validation, and what follows an accepted SMS:
// delivery notices to the SMSDeliveryConfirmation listener and the device's answer.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { parseCli } from '../../../simulator/cli';
import type { SimulatorOptions } from '../../../simulator/options';
import { ThingSpaceClient } from '../../../nodes/lib/client/thingspace-client';
import { SMS_DELIVERY_SERVICE, type SmsSendRequest } from '../../../nodes/lib/types';
import { clientFor, failure } from '../client/helpers';
import { until } from '../../support/wait';

type Body = Omit<SmsSendRequest, 'accountName'>;
const DEVICE = [{ kind: 'mdn', id: '15551230002' }];

describe('simulator: sending SMS (POST /sms)', () => {
  let sim: ThingSpaceSimulator;
  let client: ThingSpaceClient;
  let listener: http.Server | undefined;
  let notices: Array<Record<string, unknown>>;
  let answer: number;

  async function start(opts: SimulatorOptions = {}): Promise<void> {
    sim = await ThingSpaceSimulator.start({ noticeDelayMs: 5, ...opts });
    client = clientFor(sim);
  }

  /** A listener registered for delivery notices, answering `answer`. */
  async function listen(creds: { username?: string; password?: string } = {}): Promise<void> {
    notices = [];
    answer = 200;
    listener = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        notices.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => listener!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/notices`;
    await client.registerCallback(url, creds, { serviceName: SMS_DELIVERY_SERVICE });
  }

  afterEach(async () => {
    client?.close();
    await sim?.stop();
    if (listener) await new Promise((r) => listener!.close(r));
    listener = undefined;
  });

  const REFUSED: Array<[string, Body, string]> = [
    ['161 septets', { deviceIds: DEVICE, smsMessage: 'x'.repeat(161) }, 'SmsMessage.TooLong'],
    ['81 characters of the extension table', { deviceIds: DEVICE, smsMessage: '['.repeat(81) }, 'SmsMessage.TooLong'],
    ['a character outside GSM in 7-bit', { deviceIds: DEVICE, smsMessage: 'snow ☃' }, 'SmsMessage.Invalid'],
    ['141 UTF-8 bytes', { deviceIds: DEVICE, smsMessage: 'ü'.repeat(70) + '!', dataEncoding: '8-bit-UTF-8' }, 'SmsMessage.TooLong'],
    ['a character above one byte in 8-bit-ASCII', { deviceIds: DEVICE, smsMessage: 'price €5', dataEncoding: '8-bit-ASCII' }, 'SmsMessage.Invalid'],
    ['141 bytes of data', { deviceIds: DEVICE, smsMessage: Buffer.alloc(141).toString('base64'), dataEncoding: '8-bit-DATA' }, 'SmsMessage.TooLong'],
    ['data that is not base64', { deviceIds: DEVICE, smsMessage: 'not base64!', dataEncoding: '8-bit-DATA' }, 'SmsMessage.Invalid'],
    ['an empty text', { deviceIds: DEVICE, smsMessage: '' }, 'SmsMessage.Invalid'],
    ['an unknown encoding', { deviceIds: DEVICE, smsMessage: 'hi', dataEncoding: 'UCS-2' as never }, 'DataEncoding.Invalid'],
    ['no target', { smsMessage: 'hi' }, 'DeviceIds.Invalid'],
    ['devices and a group', { deviceIds: DEVICE, groupName: 'pumps', smsMessage: 'hi' }, 'DeviceIds.Invalid'],
    ['an unknown id kind', { deviceIds: [{ kind: 'phone', id: '1' }], smsMessage: 'hi' }, 'DeviceIds.Invalid'],
  ];

  it('refuses with HTTP 400 and an errorCode what ThingSpace would refuse: length, alphabet, encoding, target', async () => {
    await start();
    for (const [what, body, code] of REFUSED) {
      const err = await failure(client.sendSms(body));
      assert.equal(err.status, 400, what);
      assert.equal(err.errorCode, `UnifiedWebService.INPUT_INVALID.${code}`, what);
    }
    assert.equal(sim.counters().smsRefused, REFUSED.length);
    assert.equal(sim.sentSms().length, 0);
  });

  it('refuses an account it does not know', async () => {
    await start();
    const other = clientFor(sim, { accountName: '0000999999-00001' });
    const err = await failure(other.sendSms({ deviceIds: DEVICE, smsMessage: 'hi' }));
    other.close();
    assert.equal(err.errorCode, 'UnifiedWebService.REQUEST_FAILED.AccountNotFound');
  });

  it('accepts exactly 160 septets, a group or a service plan, and answers a requestId each', async () => {
    await start();
    const ids = [
      (await client.sendSms({ deviceIds: DEVICE, smsMessage: '{'.repeat(80) })).requestId,
      (await client.sendSms({ groupName: 'pumps', smsMessage: 'hi' })).requestId,
      (await client.sendSms({ servicePlan: 'IoT-1GB', customFields: [{ key: 'site', value: 'north' }], smsMessage: 'hi' })).requestId,
    ];
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual(
      sim.sentSms().map((s) => s.requestId),
      ids,
    );
    assert.equal(sim.sentSms()[1].groupName, 'pumps');
    assert.deepEqual(
      sim.sentSms('MDN:15551230002').map((s) => s.requestId),
      [ids[0]],
      "one device's MT queue",
    );
    const res = await fetch(`${sim.url}/_sim/sent?device=mdn:15551230002`);
    assert.equal(((await res.json()) as { accepted: number }).accepted, 1);
  });

  it('posts a delivery notice per device to the SMSDeliveryConfirmation listener, with the registered credentials', async () => {
    await start();
    await listen({ username: 'cb', password: 'pw' });
    const { requestId } = await client.sendSms({ deviceIds: [...DEVICE, { kind: 'imei', id: '356938035600003' }], smsMessage: 'PING' });
    await until(() => notices.length === 2, 'two notices');
    const n = notices.find((x) => (x.deviceIds as Array<{ kind: string }>)[0].kind === 'mdn')!;
    assert.equal(n.requestId, requestId);
    assert.equal(n.username, 'cb');
    assert.equal(n.password, 'pw');
    assert.deepEqual(n.deviceIds, DEVICE);
    assert.equal((n.deliveryConfirmationResponse as Record<string, unknown>).status, 'Delivered');
    assert.equal(sim.counters().noticesPosted, 2);
  });

  it('in the flat shape, with failures and repeats at the configured rates', async () => {
    await start({ noticeShape: 'flat', noticeFailureRate: 1, noticeDuplicateRate: 1, seed: 7 });
    await listen();
    const { requestId } = await client.sendSms({ deviceIds: DEVICE, smsMessage: 'PING' });
    await until(() => notices.length === 2, 'the notice and its repeat');
    assert.deepEqual(notices[0], notices[1]);
    assert.equal(notices[0].requestId, requestId);
    assert.equal(notices[0].status, 'Failed');
    assert.equal(notices[0].reason, 'Device not reachable');
  });

  it('tries a notice the listener refused three times in all, then gives up', async () => {
    await start();
    await listen();
    answer = 500;
    await client.sendSms({ deviceIds: DEVICE, smsMessage: 'PING' });
    await until(() => sim.counters().noticeFailures === 3, 'three failed tries');
    assert.equal(notices.length, 3);
    assert.equal(sim.counters().noticesPosted, 0);
  });

  it('lets a device answer: the echo, or a command from its table, as an MO SMS from all its ids', async () => {
    await start({ deviceReplies: 'commands' });
    await client.sendSms({ deviceIds: DEVICE, smsMessage: 'ping' });
    await client.sendSms({ deviceIds: DEVICE, smsMessage: 'STATUS' });
    await client.sendSms({ deviceIds: DEVICE, smsMessage: 'FLY' });
    await until(() => sim.queued() === 3, 'three answers queued');
    const answers = sim.peek(undefined, 3);
    assert.deepEqual(
      answers.map((a) => a.message).sort(),
      ['ERR unknown command FLY', 'PONG', answers.find((a) => a.message.startsWith('T='))!.message].sort(),
    );
    assert.match(answers.find((a) => a.message.startsWith('T='))!.message, /^T=\d+\.\dC BAT=\d+$/);
    assert.deepEqual(
      answers[0].deviceIds.map((d) => d.kind),
      ['mdn', 'imei', 'iccid'],
      'device 2 of the fleet, with all its ids',
    );
    sim.configure({ deviceReplies: 'echo' });
    await client.sendSms({ deviceIds: DEVICE, smsMessage: 'hello' });
    await until(() => sim.queued() === 4, 'the echo');
    assert.equal(sim.peek(undefined, 4)[3].message, 'ECHO hello');
  });

  it('maps the CLI flags of sent SMS to their options', () => {
    const { options } = parseCli([
      '--notice-delay',
      '200',
      '--notice-jitter',
      '50',
      '--notice-failure-rate',
      '0.1',
      '--notice-duplicate-rate',
      '0.2',
      '--notice-shape',
      'flat',
      '--device-replies',
      'echo',
      '--seed',
      '42',
    ]);
    assert.deepEqual(
      [
        options.noticeDelayMs,
        options.noticeJitterMs,
        options.noticeFailureRate,
        options.noticeDuplicateRate,
        options.noticeShape,
        options.deviceReplies,
        options.seed,
      ],
      [200, 50, 0.1, 0.2, 'flat', 'echo', 42],
    );
    assert.throws(() => parseCli(['--notice-failure-rate', '2']), /noticeFailureRate/);
  });
});
