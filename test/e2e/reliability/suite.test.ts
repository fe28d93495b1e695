// Issue #5: the end-to-end reliability suite. Scenarios run in this order (the secrets scan
// reads the evidence of all the others); RELIABILITY_PROFILE=short (default, npm test) or
// full (npm run test:reliability); RELIABILITY_ONLY=a,b runs some of them. They run against
// the lenient simulator, then the strict one (RELIABILITY_SIM=lenient or strict: one mode).
import { badInputScenario } from './scenarios/bad-input';
import { coordinationScenarios } from './scenarios/coordination';
import { crashScenario } from './scenarios/crash';
import { faultStormScenario } from './scenarios/fault-storm';
import { finalBlockScenario } from './scenarios/final-block';
import { lockoutScenario } from './scenarios/lockout';
import { loginScenarios } from './scenarios/logins';
import { outageScenario, resetsScenario } from './scenarios/outage';
import { pushScenarios } from './scenarios/push';
import { redeployScenario } from './scenarios/redeploy';
import { secretsScenario } from './scenarios/secrets';
import { sentinelScenarios } from './scenarios/sentinel';
import { soakScenario } from './scenarios/soak';
import { LENIENT } from '../../support/sim-modes';
import { useSimMode } from './support/env';
import { PROFILE, inMode, selected, simModes } from './support/profile';
import { writeReport } from './support/results';

const scenarios: Array<[string, () => void]> = [
  ['crash', crashScenario],
  ['final-block', finalBlockScenario],
  ['storm', faultStormScenario],
  ['outage', outageScenario],
  ['resets', resetsScenario],
  ['redeploy', redeployScenario],
  ['push', pushScenarios],
  ['lockout', lockoutScenario],
  ['logins', loginScenarios],
  ['bad-input', badInputScenario],
  ['soak', soakScenario],
  ['coordination', coordinationScenarios],
  ['sentinel', sentinelScenarios],
];

describe(`reliability (profile ${PROFILE.name})`, function () {
  for (const mode of simModes()) {
    describe(`${mode.name} simulator`, function () {
      before(() => useSimMode(mode));
      for (const [name, register] of scenarios) if (selected(name) && inMode(name, mode)) register();
    });
  }
  // Last, once: it scans the logs and files of all the others, in both modes.
  if (selected('secrets')) {
    describe('secrets', function () {
      before(() => useSimMode(LENIENT));
      secretsScenario();
    });
  }

  after(() => {
    const file = writeReport();
    if (file) console.log(`      reliability report: ${file}`);
  });
});
