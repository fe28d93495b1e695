#!/usr/bin/env node
// `thingspace-sim`: the simulator as a command, so a user can try the nodes without a
// Verizon account. Every SimulatorOptions field has a flag.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SimulatorOptions } from './options';
import { ThingSpaceSimulator } from './server';
import { DEFAULT_OPTIONS, validateOptions } from './settings';

/** The CLI's own defaults where they differ from the programmatic ones. */
const CLI_PORT = 8870;
const CLI_DEVICES = 3;

const HELP = `Usage: thingspace-sim [options]

A local ThingSpace (Verizon M2M) simulator for node-red-contrib-thingspace-sms.

  --host <addr>              listen address (default ${DEFAULT_OPTIONS.host})
  --port <n>                 port, 0 = any free port (default ${CLI_PORT})
  --accounts <a,b>           known billing accounts (default ${DEFAULT_OPTIONS.accounts.join(',')})
  --client-id <id>           OAuth app key (default ${DEFAULT_OPTIONS.clientId})
  --client-secret <secret>   OAuth app secret (default ${DEFAULT_OPTIONS.clientSecret})
  --username <user>          UWS username (default ${DEFAULT_OPTIONS.username})
  --password <pw>            UWS password (default ${DEFAULT_OPTIONS.password})
  --devices <n>              simulated devices sending SMS (default ${CLI_DEVICES})
  --every <sec>              seconds between SMS of one device (default ${DEFAULT_OPTIONS.deviceEverySec})
  --generate <n>             SMS to put in the queue at start (default 0)
  --latency <ms>             delay added to every API response (default 0)
  --block-size <n>           SMS per history block (default ${DEFAULT_OPTIONS.blockSize})
  --token-ttl <sec>          bearer token lifetime (default ${DEFAULT_OPTIONS.tokenTtlSec})
  --session-idle <sec>       session idle timeout (default ${DEFAULT_OPTIONS.sessionIdleSec})
  --lockout-after <n>        failed logins before the user is locked (default ${DEFAULT_OPTIONS.lockoutAfter})
  --without-next <mode>      redeliver | consume (default ${DEFAULT_OPTIONS.withoutNext})
  --final-block <mode>       redeliver | ack-on-delivery (default ${DEFAULT_OPTIONS.finalBlock})
  --stale-next <mode>        ignore | refuse: a next whose block was acknowledged already (default ${DEFAULT_OPTIONS.staleNext})
  --location <form>          relative | prefixed | absolute (default ${DEFAULT_OPTIONS.locationForm})
  --token-style <style>      numeric | integer | int64 | alnum (default ${DEFAULT_OPTIONS.tokenStyle})
  --has-more-data <mode>     present | absent | contradicts (default ${DEFAULT_OPTIONS.hasMoreData})
  --callback-shape <shape>   nested | flat | soap-like (default ${DEFAULT_OPTIONS.callbackShape})
  --notice-delay <ms>        delivery notice of a sent SMS after this long (default ${DEFAULT_OPTIONS.noticeDelayMs})
  --notice-jitter <ms>       plus up to this much, so notices overtake each other (default ${DEFAULT_OPTIONS.noticeJitterMs})
  --notice-failure-rate <r>  share of sent SMS that fail, 0..1 (default ${DEFAULT_OPTIONS.noticeFailureRate})
  --notice-duplicate-rate <r> share of notices posted twice, 0..1 (default ${DEFAULT_OPTIONS.noticeDuplicateRate})
  --notice-shape <shape>     nested | flat (default ${DEFAULT_OPTIONS.noticeShape})
  --device-replies <mode>    off | echo | commands: devices answer SMS sent to them (default ${DEFAULT_OPTIONS.deviceReplies})
  --tls-key <file>           serve HTTPS with this PEM private key (with --tls-cert)
  --tls-cert <file>          serve HTTPS with this PEM certificate (with --tls-key)
  --seed <n>                 seed of the random choices (faults, delivery notices), 0..4294967295 (default: unseeded)
  --quiet                    no log lines
  -h, --help                 this text

Control interface: http://<host>:<port>/_sim/ (see simulator/README.md).
`;

const NUMBER_FLAGS: Record<string, keyof SimulatorOptions> = {
  port: 'port',
  devices: 'devices',
  every: 'deviceEverySec',
  latency: 'latencyMs',
  'block-size': 'blockSize',
  'token-ttl': 'tokenTtlSec',
  'session-idle': 'sessionIdleSec',
  'lockout-after': 'lockoutAfter',
  'notice-delay': 'noticeDelayMs',
  'notice-jitter': 'noticeJitterMs',
  'notice-failure-rate': 'noticeFailureRate',
  'notice-duplicate-rate': 'noticeDuplicateRate',
  seed: 'seed',
};

const STRING_FLAGS: Record<string, keyof SimulatorOptions> = {
  host: 'host',
  'client-id': 'clientId',
  'client-secret': 'clientSecret',
  username: 'username',
  password: 'password',
  'without-next': 'withoutNext',
  'final-block': 'finalBlock',
  'stale-next': 'staleNext',
  location: 'locationForm',
  'token-style': 'tokenStyle',
  'has-more-data': 'hasMoreData',
  'callback-shape': 'callbackShape',
  'notice-shape': 'noticeShape',
  'device-replies': 'deviceReplies',
};

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${flag}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function parseCli(argv: string[]): { options: SimulatorOptions; generate: number; help: boolean } {
  const flags = [...Object.keys(NUMBER_FLAGS), ...Object.keys(STRING_FLAGS), 'accounts', 'generate', 'tls-key', 'tls-cert'];
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(flags.map((f) => [f, { type: 'string' as const }])),
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const options: Record<string, unknown> = { port: CLI_PORT, devices: CLI_DEVICES, quiet: false };
  const v = values as Record<string, string | boolean | undefined>;
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    if (v[flag] === undefined) continue;
    const n = Number(v[flag]);
    if (v[flag] === '' || Number.isNaN(n)) throw new Error(`--${flag} must be a number`);
    options[key] = n;
  }
  for (const [flag, key] of Object.entries(STRING_FLAGS)) if (v[flag] !== undefined) options[key] = v[flag];
  if (typeof v.accounts === 'string')
    options.accounts = v.accounts
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  if (v.quiet) options.quiet = true;
  if ((v['tls-key'] === undefined) !== (v['tls-cert'] === undefined)) throw new Error('--tls-key and --tls-cert go together');
  if (typeof v['tls-key'] === 'string' && typeof v['tls-cert'] === 'string') {
    options.tls = { key: readPem(v['tls-key'], '--tls-key'), cert: readPem(v['tls-cert'], '--tls-cert') };
  }
  const generate = v.generate === undefined ? 0 : Number(v.generate);
  if (!Number.isInteger(generate) || generate < 0) throw new Error('--generate must be a whole number >= 0');
  return { options: validateOptions(options as SimulatorOptions), generate, help: Boolean(v.help) };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`thingspace-sim: ${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const sim = await ThingSpaceSimulator.start(parsed.options);
  if (parsed.generate > 0) sim.generate(parsed.generate);
  const o = { ...DEFAULT_OPTIONS, ...parsed.options };
  process.stdout.write(
    [
      `ThingSpace simulator listening on ${sim.url}`,
      '',
      "Use these in the thingspace-config node (they are the simulator's own, not real ones):",
      `  Server          ${sim.url}`,
      `  Account name    ${o.accounts.join(', ')}`,
      `  Client ID       ${o.clientId}`,
      `  Client secret   ${o.clientSecret}`,
      `  Username        ${o.username}`,
      `  Password        ${o.password}`,
      '',
      `${o.devices} simulated device(s), one SMS each every ${o.deviceEverySec} s. Control: ${sim.url}/_sim/counters`,
      'Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the simulator\n`);
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`thingspace-sim: ${err.message}\n`);
    process.exit(1);
  });
}
