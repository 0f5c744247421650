import { defineFuzzSuite } from './fuzz-suite';

// DATABASE_URL (a fresh database on the machine's Postgres) + REDIS_URL (logical db 4).
defineFuzzSuite('production', { database: 'gw_fuzz_prod_test', redisDb: 4 });
