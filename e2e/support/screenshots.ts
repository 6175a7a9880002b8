/**
 * Where the e2e tests write their screenshots. A test run writes them to the ignored
 * e2e/.screenshots-out/, so `npm test` never changes a committed file; `npm run screenshots`
 * sets LOA_SCREENSHOTS=commit and they replace the committed ones in e2e/screenshots/.
 */
import { join } from 'node:path';
import { REPO_ROOT } from './renderer-build.ts';

export const SCREENSHOTS = join(REPO_ROOT, 'e2e', process.env.LOA_SCREENSHOTS === 'commit' ? 'screenshots' : '.screenshots-out');
