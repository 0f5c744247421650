import { bootstrapCli } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { defineChatSuite } from './chat-suite';

// Production mode: the machine's Postgres (DATABASE_URL) and Redis (REDIS_URL).
let dbUrl = '';
defineChatSuite({
  name: 'DATABASE_URL + BullMQ on Redis',
  env: async () => {
    dbUrl = await freshDatabase('gw_e2e_chat_test');
    return { DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(5) };
  },
  databaseUrl: () => dbUrl,
  apiKey: async () => (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'e2e', '--email', 'e2e@example.com', '--credits', '100000'])).api_key.key,
});
