import assert from 'node:assert/strict';
import { VERIZON_SERVER, isCallbackPort, undeliverablePort } from '../../../nodes/lib/client/callback-url';

describe('the ports ThingSpace calls listeners on (callback-url)', () => {
  it('takes 80, 443, 9001-9006, 50551-50559 and 28200-28220, and nothing around them', () => {
    for (const ok of [80, 443, 9001, 9006, 50551, 50559, 28200, 28210, 28220]) assert.ok(isCallbackPort(ok), String(ok));
    for (const bad of [0, 79, 81, 442, 444, 1880, 8080, 9000, 9007, 50550, 50560, 28199, 28221, 65535]) assert.ok(!isCallbackPort(bad), String(bad));
  });

  it("warns of a port Verizon's server would not call, reading the default port of the scheme", () => {
    assert.equal(undeliverablePort('https://example.com:1880/thingspace/sms', VERIZON_SERVER), 1880);
    assert.equal(undeliverablePort('http://example.com:8080/sms', 'https://thingspace.verizon.com/'), 8080, 'a trailing slash is the same server');
    assert.equal(undeliverablePort('https://example.com/sms', VERIZON_SERVER), undefined, '443 by default');
    assert.equal(undeliverablePort('http://example.com/sms', VERIZON_SERVER), undefined, '80 by default');
    assert.equal(undeliverablePort('https://example.com:9003/sms', VERIZON_SERVER), undefined);
    assert.equal(undeliverablePort('https://example.com:28215/sms', VERIZON_SERVER), undefined);
  });

  it('says nothing for another server (a simulator calls any port) or a URL that is not one', () => {
    assert.equal(undeliverablePort('http://127.0.0.1:1880/thingspace/sms', 'http://127.0.0.1:9090'), undefined);
    assert.equal(undeliverablePort('https://example.com:1880/sms', 'https://thingspace.verizon.com.example.org'), undefined);
    assert.equal(undeliverablePort('not a url', VERIZON_SERVER), undefined);
    assert.equal(undeliverablePort('ftp://example.com:21/sms', VERIZON_SERVER), undefined);
  });
});
