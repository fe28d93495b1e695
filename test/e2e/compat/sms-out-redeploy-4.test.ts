// sms-out across redeploys in Node-RED 4 (the repository's dev dependency) on this Node.js.
import { redeploySuite } from './sms-out-redeploy';

redeploySuite('nr4', 4, () => ({}));
