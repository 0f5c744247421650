import { defineFuzzSuite } from './fuzz-suite';

// Embedded Postgres + BullMQ on Postgres (the database options are unused in this mode).
defineFuzzSuite('embedded', { database: 'gw_fuzz_embedded_test', redisDb: 4 });
