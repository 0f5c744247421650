/**
 * Prints `{"plain": "ak_…", "quota": "ak_…"}`: project keys of the bench policy (1,000 deny terms, every PII detector,
 * three categories), the second with a per-user quota and a project budget that are held and settled on every call but
 * never reached. `production.sh` uses the second for its "every feature on" runs. Usage: DATABASE_URL=… node
 * dist/bench/project-keys.js (after the bootstrap CLI created the organisation with credits).
 */
import { benchProjectKeys } from './lib/s4-projects';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL is required\n');
  process.exit(2);
}
benchProjectKeys(url).then(
  (keys) => process.stdout.write(`${JSON.stringify(keys)}\n`),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
