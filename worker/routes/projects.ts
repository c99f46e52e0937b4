import { Hono } from 'hono';
import { createProject, getProject, listProjectsOfUser, updateProject } from '../data/projects';
import { pickShard } from '../data/shards';
import { getDb } from '../db/client';
import { NotFound } from '../lib/errors';
import { jsonBody } from '../lib/validate';
import { authenticate, requireAccess, requireUser, type AppEnv } from '../middleware/auth';
import { forgetRedactor } from '../ingest/redaction-cache';
import { CreateProjectBody, UpdateProjectBody, type ProjectDetailResponse, type ProjectListResponse, type ProjectResponse } from '../schemas/projects';
import apiKeys from './api-keys';
import members from './members';

/** The path parameter every project route is authorized against (see `requireAccess`). */
const inPath = { param: 'projectId' };

const routes = new Hono<AppEnv>()
  .get('/', authenticate, requireUser, async (c) => {
    const data = await listProjectsOfUser(getDb(c.env.DB), { userId: c.get('user').userId });
    const body: ProjectListResponse = { data, nextCursor: null };
    return c.json(body);
  })
  .post('/', authenticate, requireUser, async (c) => {
    const body = await jsonBody(c, CreateProjectBody);
    const adminUserId = c.get('user').userId;
    const project: ProjectResponse = await createProject(getDb(c.env.DB), { name: body.name, adminUserId, shard: await pickShard(c.env) });
    return c.json(project, 201);
  })
  .get('/:projectId', authenticate, requireAccess('read', inPath), async (c) => {
    const project = await getProject(getDb(c.env.DB), { projectId: c.get('projectId') });
    if (!project) throw new NotFound('Project');
    const body: ProjectDetailResponse = { ...project, role: c.get('role') };
    return c.json(body);
  })
  /** Name, retention and redaction. New redaction rules apply to spans ingested afterwards (see REDACTION_CACHE_MS). */
  .patch('/:projectId', authenticate, requireAccess('admin', inPath), async (c) => {
    const change = await jsonBody(c, UpdateProjectBody);
    const projectId = c.get('projectId');
    const project = await updateProject(getDb(c.env.DB), { projectId, change });
    if (!project) throw new NotFound('Project');
    if (change.redaction) forgetRedactor(projectId);
    const body: ProjectDetailResponse = { ...project, role: c.get('role') };
    return c.json(body);
  })
  .route('/:projectId/members', members)
  .route('/:projectId/api-keys', apiKeys);

export default routes;
export type ProjectRoutes = typeof routes;
