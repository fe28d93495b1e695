// The config node's Redis Sentinel choice: the sentinels list and master name are checked at
// deploy, each bad value a BAD_CONFIG error naming its field, never a secret.
import assert from 'node:assert/strict';
import { checkSentinels } from '../../../nodes/lib/coordination/redis-url';
import { coordinationSettings } from '../../../nodes/lib/node-red/coordination-config';

describe('coordination: the Redis Sentinel settings', () => {
  it('reads host:port pairs separated by commas or spaces, IPv6 in brackets, 26379 by default', () => {
    const t = checkSentinels(' 10.0.0.5:26379, sentinel-b:26380  [::1]:26381,sentinel-d ', 'mymaster');
    assert.deepEqual(t.sentinels, [
      { host: '10.0.0.5', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
      { host: '::1', port: 26381 },
      { host: 'sentinel-d', port: 26379 },
    ]);
    assert.equal(t.master, 'mymaster');
    assert.equal(t.display, 'mymaster via Sentinel');
  });

  for (const [what, list, master, pattern] of [
    ['no sentinel', ' , ', 'm', /Sentinels field is empty/],
    ['a URL with a password', 'redis://:hunter2@10.0.0.5:26379', 'm', /takes host:port pairs, not "redis:\/\/\*\*\*@10\.0\.0\.5:26379"/],
    ['a port out of range', '10.0.0.5:70000', 'm', /has "10\.0\.0\.5:70000": expected host:port/],
    ['a port that is not a number', '10.0.0.5:abc', 'm', /has "10\.0\.0\.5:abc"/],
    ['17 sentinels', Array.from({ length: 17 }, (_, i) => `h${i}:26379`).join(','), 'm', /lists 17 sentinels: at most 16/],
    ['no master name', 'h:26379', '  ', /master name is empty/],
    ['a master name with a space', 'h:26379', 'my master', /master name must be 1 to 128 printable characters, without spaces/],
  ] as Array<[string, string, string, RegExp]>) {
    it(`refuses ${what}: BAD_CONFIG, no secret`, () => {
      assert.throws(
        () => checkSentinels(list, master),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, 'BAD_CONFIG');
          assert.match(err.message, pattern);
          assert.doesNotMatch(err.message, /hunter2/);
          return true;
        },
      );
    });
  }

  it('the config node: mode sentinel takes the sentinels, the master and both passwords; ${VAR} references resolved', () => {
    const env: Record<string, string> = { SENTINELS: 's1:1,s2:2', MASTER: 'prod' };
    const s = coordinationSettings(
      { coordination: 'sentinel', sentinels: '${SENTINELS}', sentinelMaster: '${MASTER}' },
      { redisPassword: 'r', sentinelPassword: 's' },
      (n) => env[n],
    );
    assert.deepEqual(s?.url, {
      sentinels: [
        { host: 's1', port: 1 },
        { host: 's2', port: 2 },
      ],
      master: 'prod',
      display: 'prod via Sentinel',
    });
    assert.equal(s?.password, 'r');
    assert.equal(s?.sentinelPassword, 's');
    // A URL ignores the Sentinel password (left over from an earlier choice).
    const u = coordinationSettings({ coordination: 'redis', redisUrl: 'redis://h:6379' }, { redisPassword: 'r', sentinelPassword: 's' });
    assert.equal(u?.sentinelPassword, undefined);
    assert.equal(u?.password, 'r');
  });

  it('the config node: a bad mode or a bad Sentinel field is BAD_CONFIG naming it', () => {
    assert.throws(() => coordinationSettings({ coordination: 'cluster' }, undefined), /Unknown coordination "cluster": none, redis or sentinel/);
    assert.throws(
      () => coordinationSettings({ coordination: 'sentinel', sentinels: 'h:1', sentinelMaster: '' }, undefined),
      (err: Error & { code?: string }) => err.code === 'BAD_CONFIG' && /Sentinel master name is empty/.test(err.message),
    );
    assert.throws(
      () => coordinationSettings({ coordination: 'sentinel', sentinels: '${NOPE}', sentinelMaster: 'm' }, undefined, () => undefined),
      /The coordination Sentinels field refers to the environment variable NOPE/,
    );
  });
});
