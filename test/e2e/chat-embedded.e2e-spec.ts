import { readBootstrap } from '../support/bootstrap';
import { defineChatSuite } from './chat-suite';

// Embedded default: no DATABASE_URL/REDIS_URL; embedded Postgres in a temp DATA_DIR, BullMQ on Postgres.
defineChatSuite({
  name: 'embedded Postgres + BullMQ on Postgres',
  env: async () => ({}),
  databaseUrl: (gw) => gw.info.databaseUrl!,
  // The embedded start command bootstraps an organisation with credits and a key on its first run.
  apiKey: async (gw) => readBootstrap(gw.dataDir).api_key.key,
});
