export type { Database, Queryable, QueryResult } from './types.js';
export { createPgliteDatabase, type PgliteDatabaseOptions } from './pglite.js';
export { createPostgresDatabase, type PostgresDatabaseOptions } from './postgres.js';
