// sms-out across redeploys in Node-RED 5 on Node.js 22, both from the npm registry (cached).
import { nodeRed5 } from './node-red-5';
import { redeploySuite } from './sms-out-redeploy';

redeploySuite('nr5', 5, () => {
  const { nodeBinary, redJs } = nodeRed5();
  return { nodeBinary, redJs };
});
