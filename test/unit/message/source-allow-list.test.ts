import assert from 'node:assert/strict';
import { AddressList, THINGSPACE_CALLBACK_SOURCES, clientAddress, normaliseAddress, parseAddressList } from '../../../nodes/lib/message/source-allow-list';

const list = (text: string): AddressList => {
  const l = parseAddressList(text);
  assert.ok(l instanceof AddressList, text);
  return l;
};

describe('message/source-allow-list: who may deliver callbacks', () => {
  it('holds the eight source addresses Verizon publishes', () => {
    assert.equal(THINGSPACE_CALLBACK_SOURCES.length, 8);
    const published = list(THINGSPACE_CALLBACK_SOURCES.join('\n'));
    assert.ok(published.has('3.87.163.45') && published.has('::ffff:34.216.81.234'));
    assert.ok(!published.has('3.87.163.46'));
  });

  it('matches addresses and CIDR ranges, IPv4 and IPv6, IPv4-mapped IPv6 as IPv4', () => {
    const l = list('10.0.0.0/8, 192.0.2.7; 2001:db8::/32\n::1');
    for (const yes of ['10.1.2.3', '::ffff:10.9.9.9', '192.0.2.7', '2001:db8::42', '::1', '[::1]']) assert.ok(l.has(yes), yes);
    for (const no of ['11.0.0.1', '192.0.2.8', '2001:db9::1', 'localhost', '', undefined]) assert.ok(!l.has(no), String(no));
  });

  it('refuses entries that are not addresses or have a prefix out of range, naming them', () => {
    for (const [text, why] of [
      ['10.0.0.0/33', /prefix length outside 0-32/],
      ['2001:db8::/129', /outside 0-128/],
      ['example.com', /"example.com" is not an IP address/],
      ['1.2.3.4/8/1', /not an IP address/],
    ] as const) {
      const r = parseAddressList(text);
      assert.ok(!(r instanceof AddressList) && why.test(r.reason), text);
    }
    assert.equal(list('').rules.length, 0, 'empty is an empty list');
  });

  it('strips ports, brackets and zones from addresses as proxies write them', () => {
    assert.equal(normaliseAddress('1.2.3.4:5678'), '1.2.3.4');
    assert.equal(normaliseAddress('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(normaliseAddress('fe80::1%eth0'), 'fe80::1');
  });

  it('reads X-Forwarded-For only when the peer is a trusted proxy, from the right, skipping trusted hops', () => {
    const proxies = list('127.0.0.1, 10.0.0.0/8');
    assert.equal(clientAddress('198.51.100.1', '3.87.163.45', proxies), '198.51.100.1', 'an untrusted peer is the client');
    assert.equal(clientAddress('127.0.0.1', '3.87.163.45', proxies), '3.87.163.45');
    assert.equal(clientAddress('127.0.0.1', '3.87.163.45, 10.1.1.1', proxies), '3.87.163.45', 'through two of our proxies');
    assert.equal(
      clientAddress('::ffff:127.0.0.1', ['6.6.6.6, 3.87.163.45', '198.51.100.9'], proxies),
      '198.51.100.9',
      'what the sender wrote on the left is not believed',
    );
    assert.equal(clientAddress('127.0.0.1', undefined, proxies), '127.0.0.1');
    assert.equal(clientAddress(undefined, '3.87.163.45', proxies), undefined);
  });
});
