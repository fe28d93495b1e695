// The account name check and the one account key (nodes/lib/client/account.ts).
import assert from 'node:assert/strict';
import { accountKey, checkAccountName } from '../../../nodes/lib/client/account';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';

describe('client/account: the name check and the account key', () => {
  it('keeps a name as given, leading zeros included, and refuses what is not a name as bad_config', () => {
    assert.equal(checkAccountName('0000123456-00001'), '0000123456-00001');
    assert.equal(checkAccountName('007'), '007');
    for (const bad of ['', 'ab', ' 0000123456-00001', '0000/1', '..', 'a'.repeat(33), 42, undefined]) {
      assert.throws(
        () => checkAccountName(bad),
        (e: unknown) => e instanceof ThingSpaceError && e.kind === 'bad_config' && e.code === 'BAD_CONFIG',
        String(bad),
      );
    }
  });

  it('keys an account by its name and server host, however the server URL is written', () => {
    const key = accountKey('https://thingspace.verizon.com', '0000123456-00001');
    assert.equal(key, '0000123456-00001@thingspace.verizon.com');
    for (const same of ['https://ThingSpace.Verizon.com/', 'https://thingspace.verizon.com:443', 'https://thingspace.verizon.com/prefix/']) {
      assert.equal(accountKey(same, '0000123456-00001'), key, same);
    }
  });

  it('tells apart another account, another host and another port', () => {
    const key = accountKey('http://127.0.0.1:9000', '0000123456-00001');
    assert.notEqual(accountKey('http://127.0.0.1:9000', '0000123456-00002'), key);
    assert.notEqual(accountKey('http://127.0.0.1:9001', '0000123456-00001'), key);
    assert.notEqual(accountKey('http://localhost:9000', '0000123456-00001'), key);
    assert.equal(accountKey('http://127.0.0.1:9000', '0000123456-00001'), '0000123456-00001@127.0.0.1:9000', 'the Redis hash tag coordination has always used');
  });
});
