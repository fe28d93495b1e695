// The recipe docs/recipes/mariadb.md read from that file itself, so the test
// runs exactly what users copy: the table definition and the flow JSON.
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SIM_CREDENTIALS, TAB, tab } from '../../harness';
import type { DbUser } from './mariadb';

type N = Record<string, unknown>;

export const RECIPE_HEADING = '# Recipe: SMS into MariaDB/MySQL with end-to-end acknowledgement';
export const RECIPE_FILE = 'docs/recipes/mariadb.md';

/** The recipe section's ```sql and ```json blocks. */
export function readRecipe(): { table: string; flow: N[] } {
  const readme = fs.readFileSync(path.join(ROOT, RECIPE_FILE), 'utf8');
  const start = readme.indexOf(RECIPE_HEADING);
  if (start < 0) throw new Error(`${RECIPE_FILE} has no "${RECIPE_HEADING}" section`);
  const next = readme.indexOf('\n## ', start + RECIPE_HEADING.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const block = (lang: string): string => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)\\n```').exec(section);
    if (!m) throw new Error(`the recipe has no \`\`\`${lang} block`);
    return m[1];
  };
  return { table: block('sql'), flow: JSON.parse(block('json')) as N[] };
}

/**
 * The recipe flow as a user would deploy it: imported into a tab, the ThingSpace account
 * pointed at the simulator, the database node at the test's MariaDB, credentials filled in.
 */
export function recipeFlow(o: { simUrl: string; dbPort: number; db: DbUser }): N[] {
  const flow = readRecipe().flow;
  for (const n of flow) {
    if (n.type === 'thingspace-config') Object.assign(n, { server: o.simUrl, credentials: SIM_CREDENTIALS });
    else if (n.type === 'MySQLdatabase')
      Object.assign(n, { host: '127.0.0.1', port: String(o.dbPort), db: o.db.database, credentials: { user: o.db.user, password: o.db.password } });
    else n.z = TAB;
  }
  return [tab(), ...flow];
}
