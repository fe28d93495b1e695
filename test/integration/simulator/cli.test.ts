import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseCli } from '../../../simulator/cli';
import { request } from './helpers';

describe('simulator: thingspace-sim command', () => {
  it('maps every flag to its option', () => {
    const { options, generate } = parseCli([
      '--host',
      '0.0.0.0',
      '--port',
      '9999',
      '--devices',
      '7',
      '--every',
      '2.5',
      '--latency',
      '40',
      '--block-size',
      '50',
      '--token-ttl',
      '60',
      '--session-idle',
      '30',
      '--lockout-after',
      '3',
      '--without-next',
      'consume',
      '--final-block',
      'ack-on-delivery',
      '--location',
      'absolute',
      '--token-style',
      'alnum',
      '--callback-shape',
      'flat',
      '--has-more-data',
      'absent',
      '--client-id',
      'id',
      '--client-secret',
      'secret',
      '--username',
      'u',
      '--password',
      'p',
      '--accounts',
      'ACC-1,ACC-2',
      '--generate',
      '500',
      '--seed',
      '42',
      '--quiet',
    ]);
    assert.deepEqual(options, {
      host: '0.0.0.0',
      port: 9999,
      devices: 7,
      deviceEverySec: 2.5,
      latencyMs: 40,
      blockSize: 50,
      tokenTtlSec: 60,
      sessionIdleSec: 30,
      lockoutAfter: 3,
      withoutNext: 'consume',
      finalBlock: 'ack-on-delivery',
      locationForm: 'absolute',
      tokenStyle: 'alnum',
      callbackShape: 'flat',
      hasMoreData: 'absent',
      clientId: 'id',
      clientSecret: 'secret',
      username: 'u',
      password: 'p',
      accounts: ['ACC-1', 'ACC-2'],
      seed: 42,
      quiet: true,
    });
    assert.equal(generate, 500);
  });

  it('refuses unknown flags and bad values', () => {
    assert.throws(() => parseCli(['--colour', 'red']));
    assert.throws(() => parseCli(['--without-next', 'sometimes']), /withoutNext/);
    assert.throws(() => parseCli(['--port', 'eighty']), /--port/);
  });

  it('prints the URL and credentials, serves, and stops cleanly on SIGTERM', async () => {
    const cli = path.join(__dirname, '..', '..', '..', 'simulator', 'cli.js');
    const child = spawn(process.execPath, [cli, '--port', '0', '--devices', '0', '--generate', '5', '--quiet']);
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m && out.includes('Ctrl-C')) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    assert.match(out, /Client secret\s+sim-client-secret/);
    assert.match(out, /Account name\s+0000123456-00001/);
    const counters = (await request(url, 'GET', '/_sim/counters')).json();
    assert.equal(counters.queued, 5);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
