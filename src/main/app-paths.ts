/**
 * Where LOA Studio keeps its settings, remembered model and downloaded bundles. The Electron app
 * (`app.setPath('userData', …)`) and browser mode use the same folder, so a model imported in one
 * is there in the other. Same locations Electron picks for an app named "LOA Studio".
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_DIR_NAME = 'LOA Studio';

export function defaultConfigDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), APP_DIR_NAME);
}
