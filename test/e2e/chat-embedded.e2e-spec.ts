import { defineChatSuite } from './chat-suite';

// Embedded default: no DATABASE_URL/REDIS_URL; embedded Postgres in a temp DATA_DIR, BullMQ on Postgres.
defineChatSuite({
  name: 'embedded Postgres + BullMQ on Postgres',
  env: async () => ({}),
  databaseUrl: (gw) => gw.info.databaseUrl!,
});
