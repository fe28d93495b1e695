import assert from 'node:assert/strict';
import { nextFromLocation } from '../../../nodes/lib/client/shapes';

const SERVER = 'https://thingspace.verizon.com';
const ACCT = '0000123456-00001';

function next(location: string | undefined, server = SERVER): string | undefined {
  const r = nextFromLocation(location, server, ACCT);
  return r.ok ? r.next : undefined;
}

describe('reading next from a Location header', () => {
  it('takes next from the documented relative form', () => {
    assert.equal(next(`/sms/${ACCT}/history?next=48213`), '48213');
  });

  it('takes next from the form prefixed with /api/m2m/v1', () => {
    assert.equal(next(`/api/m2m/v1/sms/${ACCT}/history?next=48213`), '48213');
  });

  it('takes next from an absolute URL on the same host', () => {
    assert.equal(next(`${SERVER}/api/m2m/v1/sms/${ACCT}/history?next=abc123`), 'abc123');
  });

  it('keeps leading zeros: 0042 stays 0042', () => {
    assert.equal(next(`/sms/${ACCT}/history?next=0042`), '0042');
  });

  it('keeps a token longer than a JavaScript number can hold, digit for digit', () => {
    assert.equal(next(`/sms/${ACCT}/history?next=123456789012345678901234567890`), '123456789012345678901234567890');
  });

  it('accepts the account name percent-encoded in the path', () => {
    assert.equal(next(`/sms/0000123456%2D00001/history?next=7`), '7');
  });

  it('refuses an absolute URL on another host', () => {
    assert.equal(next(`https://evil.example/api/m2m/v1/sms/${ACCT}/history?next=1`), undefined);
  });

  it('refuses a protocol-relative URL on another host', () => {
    assert.equal(next(`//evil.example/sms/${ACCT}/history?next=1`), undefined);
  });

  it('refuses the same host on another port or scheme', () => {
    assert.equal(next(`http://thingspace.verizon.com/sms/${ACCT}/history?next=1`), undefined);
    assert.equal(next(`https://thingspace.verizon.com:8443/sms/${ACCT}/history?next=1`), undefined);
  });

  it("refuses another account's history", () => {
    assert.equal(next('/sms/0000999999-00001/history?next=1'), undefined);
  });

  it('refuses another path, including one that climbs out with ..', () => {
    assert.equal(next(`/callbacks/${ACCT}?next=1`), undefined);
    assert.equal(next(`/sms/${ACCT}/history/../../callbacks?next=1`), undefined);
    assert.equal(next(`/other/api/m2m/v1/sms/${ACCT}/history?next=1`), undefined);
  });

  it('refuses a Location without next, with an empty next or with two of them', () => {
    assert.equal(next(`/sms/${ACCT}/history`), undefined);
    assert.equal(next(`/sms/${ACCT}/history?next=`), undefined);
    assert.equal(next(`/sms/${ACCT}/history?next=1&next=2`), undefined);
    assert.equal(next(undefined), undefined);
    assert.equal(next(''), undefined);
  });

  it('refuses a path that is not absolute', () => {
    assert.equal(next(`sms/${ACCT}/history?next=1`), undefined);
  });

  it('accepts the prefixed form under a server with a path prefix', () => {
    assert.equal(next(`/proxy/api/m2m/v1/sms/${ACCT}/history?next=9`, 'https://gw.example/proxy'), '9');
  });
});
