// HTTPS straight to the simulator, with a throwaway CA made by openssl: the client trusts
// what its `ca` option names, and a certificate it cannot trust is a 'tls' error with the
// reason in the message, never a 'network' one, and never a request sent.
import assert from 'node:assert/strict';
import { ThingSpaceSimulator } from '../../../simulator/server';
import { ThingSpaceError } from '../../../nodes/lib/client/errors';
import { makeTestCa, type KeyPair, type TestCa } from '../../support/test-ca';
import { withProxyEnv } from '../../support/proxy-env';
import { clientFor, drain, failure, tally } from './helpers';

describe('client over HTTPS (direct)', () => {
  let ca: TestCa;
  let sim: ThingSpaceSimulator | undefined;
  before(() => {
    ca = makeTestCa();
  });
  after(() => ca?.remove());
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const serve = async (pair: KeyPair): Promise<ThingSpaceSimulator> => (sim = await ThingSpaceSimulator.start({ tls: pair }));

  it('drains 1,000 SMS from an https:// simulator whose CA it is given', async () => {
    const s = await serve(ca.server);
    assert.match(s.url, /^https:\/\//);
    s.generate(1000);
    const client = withProxyEnv({}, () => clientFor(s, { ca: ca.ca }));
    const result = await drain(client);
    client.close();
    assert.equal(tally(result.messages, 1000).lost, 0);
    assert.equal(s.counters().connections, 1, 'one kept-alive TLS connection for the whole drain');
  });

  const untrusted: Array<{ what: string; pair: () => KeyPair; trust: () => string | undefined; code: RegExp; why: RegExp }> = [
    {
      what: 'a certificate from a CA it was not given',
      pair: () => ca.server,
      trust: () => undefined,
      code: /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
      why: /issuer is not trusted/,
    },
    { what: 'a self-signed certificate', pair: () => ca.selfSigned, trust: () => ca.ca, code: /DEPTH_ZERO_SELF_SIGNED_CERT/, why: /self-signed/ },
    { what: 'an expired certificate', pair: () => ca.expired, trust: () => ca.ca, code: /CERT_HAS_EXPIRED/, why: /expired/ },
    {
      what: 'a certificate for another host name',
      pair: () => ca.wrongHost,
      trust: () => ca.ca,
      code: /ERR_TLS_CERT_ALTNAME_INVALID/,
      why: /another host name/,
    },
  ];
  for (const c of untrusted) {
    it(`refuses ${c.what} as 'tls' (TLS_CERTIFICATE), before sending anything`, async () => {
      const s = await serve(c.pair());
      const client = withProxyEnv({}, () => clientFor(s, { ca: c.trust() }));
      const err = await failure(client.history());
      client.close();
      assert.equal(err.kind, 'tls', err.message);
      assert.equal(err.code, 'TLS_CERTIFICATE');
      assert.equal(err.operation, 'token');
      assert.match(err.message, /certificate of the ThingSpace server is not trusted/);
      assert.match(err.message, c.code);
      assert.match(err.message, c.why);
      assert.ok(!err.message.includes('sim-client-secret') && !err.message.includes('sim-password'));
      assert.equal(s.counters().requests.token, undefined, 'no request reached the server');
    });
  }

  it("refuses a ca that is not PEM certificate text as 'bad_config' at construction", async () => {
    const s = await serve(ca.server);
    for (const bad of ['not a certificate', [], [ca.ca, 42], ca.server.key]) {
      assert.throws(
        () => clientFor(s, { ca: bad as string }),
        (err: unknown) => err instanceof ThingSpaceError && err.kind === 'bad_config' && /ca must be PEM/.test(err.message),
        JSON.stringify(bad).slice(0, 40),
      );
    }
  });
});
