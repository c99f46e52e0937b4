import { Hono } from 'hono';
import { authenticate, type AppEnv } from '../middleware/auth';

const routes = new Hono<AppEnv>().use(authenticate);

export default routes;
