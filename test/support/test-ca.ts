// A throwaway certificate authority for TLS tests, made with Debian's `openssl` in a temp
// directory: a CA, a server certificate it signed for 127.0.0.1 and localhost, and the bad
// certificates a client must refuse (expired, issued for another host, self-signed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCa {
  /** The CA certificate (PEM), for the client's `ca` option. */
  ca: string;
  /** Signed by the CA for 127.0.0.1 and localhost, valid for a day. */
  server: KeyPair;
  /** Signed by the CA for 127.0.0.1, expired yesterday. */
  expired: KeyPair;
  /** Signed by the CA for another host name only. */
  wrongHost: KeyPair;
  /** Signs itself, for 127.0.0.1. */
  selfSigned: KeyPair;
  /** Removes the temp directory (the keys never leave it otherwise). */
  remove(): void;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(dir: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new Error('openssl is not installed: the TLS tests make their certificates with it (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() ?? e.message}`);
  }
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'thingspace-test-ca-'));
  const read = (name: string): string => readFileSync(path.join(dir, name), 'utf8');
  openssl(dir, [
    'req',
    '-x509',
    ...CURVE,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-subj',
    '/CN=ThingSpace test CA',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 1;
  /** A certificate signed by the CA; negative `days` makes one that has already expired. */
  const signed = (name: string, altNames: string, days: number): KeyPair => {
    writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`);
    openssl(dir, ['req', '-new', ...CURVE, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(++serial),
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ]);
    return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
  };
  const server = signed('server', 'IP:127.0.0.1,DNS:localhost', 1);
  const expired = signed('expired', 'IP:127.0.0.1,DNS:localhost', -1);
  const wrongHost = signed('wrong-host', 'DNS:thingspace.invalid', 1);
  openssl(dir, [
    'req',
    '-x509',
    ...CURVE,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-subj',
    '/CN=127.0.0.1',
    '-days',
    '1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return {
    ca: read('ca.pem'),
    server,
    expired,
    wrongHost,
    selfSigned: { key: read('self.key'), cert: read('self.pem') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
