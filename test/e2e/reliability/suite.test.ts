// Issue #5: the end-to-end reliability suite. Scenarios run in this order (the secrets scan
// reads the evidence of all the others); RELIABILITY_PROFILE=short (default, npm test) or
// full (npm run test:reliability); RELIABILITY_ONLY=a,b runs some of them.
import { badInputScenario } from './scenarios/bad-input';
import { coordinationScenarios } from './scenarios/coordination';
import { crashScenario } from './scenarios/crash';
import { faultStormScenario } from './scenarios/fault-storm';
import { finalBlockScenario } from './scenarios/final-block';
import { lockoutScenario } from './scenarios/lockout';
import { loginScenarios } from './scenarios/logins';
import { outageScenario } from './scenarios/outage';
import { pushScenarios } from './scenarios/push';
import { redeployScenario } from './scenarios/redeploy';
import { secretsScenario } from './scenarios/secrets';
import { soakScenario } from './scenarios/soak';
import { PROFILE, selected } from './support/profile';
import { writeReport } from './support/results';

const scenarios: Array<[string, () => void]> = [
  ['crash', crashScenario],
  ['final-block', finalBlockScenario],
  ['storm', faultStormScenario],
  ['outage', outageScenario],
  ['redeploy', redeployScenario],
  ['push', pushScenarios],
  ['lockout', lockoutScenario],
  ['logins', loginScenarios],
  ['bad-input', badInputScenario],
  ['soak', soakScenario],
  ['coordination', coordinationScenarios],
  // Last: it scans the logs and files of all the others.
  ['secrets', secretsScenario],
];

describe(`reliability (profile ${PROFILE.name})`, function () {
  for (const [name, register] of scenarios) if (selected(name)) register();

  after(() => {
    const file = writeReport();
    if (file) console.log(`      reliability report: ${file}`);
  });
});
