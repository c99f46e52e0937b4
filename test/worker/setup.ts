import { applyD1Migrations, env } from 'cloudflare:test';
import { dataBindings, shardDb } from '../../worker/data/shards';

// One migrations directory for every database: the control database and each data shard.
for (const binding of dataBindings(env)) await applyD1Migrations(shardDb(env, binding), env.TEST_MIGRATIONS);
