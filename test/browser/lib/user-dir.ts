// A Node-RED user dir for an editor session: the harness's (tarball installed), plus the
// settings that keep the editor quiet and offline for a test.
import fs from 'node:fs';
import path from 'node:path';
import { makeUserDir } from '../../e2e/harness';

export function editorUserDir(name: string, template?: string, extra: Record<string, unknown> = {}): string {
  const dir = makeUserDir({
    name,
    template,
    settings: {
      // No "Enable update notifications?" dialog over the editor, no version check.
      telemetry: { enabled: false, updateNotification: false },
      // No tours, and no palette catalogue fetched from catalogue.nodered.org.
      editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
      ...extra,
    },
  });
  // The anonymous user's editor settings: no rotating tips over the sidebar.
  fs.writeFileSync(
    path.join(dir, '.config.users.json'),
    JSON.stringify({ _: { editor: { view: { 'view-show-tips': false, 'view-show-welcome-tours': false } } } }, null, 2),
  );
  return dir;
}
