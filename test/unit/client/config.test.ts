import assert from 'node:assert/strict';
import { ThingSpaceClient, type ThingSpaceClientOptions } from '../../../nodes/lib/client/thingspace-client';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';

const GOOD: ThingSpaceClientOptions = {
  server: 'https://thingspace.verizon.com',
  accountName: '0000123456-00001',
  clientId: 'id',
  clientSecret: 'secret',
  username: 'user',
  password: 'pass',
};

function configError(patch: Partial<Record<keyof ThingSpaceClientOptions, unknown>>): ThingSpaceError | undefined {
  try {
    new ThingSpaceClient({ ...GOOD, ...patch } as ThingSpaceClientOptions).close();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ThingSpaceError, 'throws a ThingSpaceError');
    return err;
  }
}

describe('client configuration', () => {
  it('accepts the documented account name and server', () => {
    assert.equal(configError({}), undefined);
  });

  for (const name of ['0000/123456', 'acct?x=1', '..', '0000%2F1', 'a', 'x'.repeat(33), 'acct#1', 'acct 1', '']) {
    it(`rejects the account name ${JSON.stringify(name)} as bad_config`, () => {
      assert.equal(configError({ accountName: name })?.kind, 'bad_config');
    });
  }

  it('allows plain http only on loopback hosts', () => {
    assert.equal(configError({ server: 'http://127.0.0.1:1880' }), undefined);
    assert.equal(configError({ server: 'http://127.1.2.3' }), undefined);
    assert.equal(configError({ server: 'http://localhost:9000' }), undefined);
    assert.equal(configError({ server: 'http://[::1]:9000' }), undefined);
    assert.equal(configError({ server: 'http://thingspace.verizon.com' })?.kind, 'bad_config');
    assert.equal(configError({ server: 'http://127.0.0.1.example.com' })?.kind, 'bad_config');
  });

  it('rejects other schemes, credentials, queries and fragments in the server URL', () => {
    for (const server of [
      'ftp://thingspace.verizon.com',
      'https://u:p@thingspace.verizon.com',
      'https://thingspace.verizon.com/?a=1',
      'https://thingspace.verizon.com/#x',
      'not a url',
      '',
    ]) {
      assert.equal(configError({ server })?.kind, 'bad_config', server);
    }
  });

  it('never echoes the server URL, which could hold a password', () => {
    const err = configError({ server: 'https://user:hunter22@thingspace.verizon.com' });
    assert.ok(err && !err.message.includes('hunter22'));
  });

  it('requires every credential', () => {
    for (const key of ['clientId', 'clientSecret', 'username', 'password'] as const) {
      assert.equal(configError({ [key]: '' })?.kind, 'bad_config', key);
    }
  });

  it('rejects a timeout or size cap that is not a positive integer', () => {
    assert.equal(configError({ timeoutMs: 0 })?.kind, 'bad_config');
    assert.equal(configError({ maxResponseBytes: -1 })?.kind, 'bad_config');
  });
});
