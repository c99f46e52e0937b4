import type { RequestEvent } from '@sveltejs/kit';
import { apiFetch } from '$lib/server/api';
import type { MemberListResponse, MemberResponse } from '$lib/types';

/** The project's members (only admins may list them), or null when they cannot be read. */
export async function projectMembers(event: RequestEvent, projectId: string | null): Promise<MemberResponse[] | null> {
  if (!projectId) return null;
  const res = await apiFetch(event, `/projects/${encodeURIComponent(projectId)}/members`);
  return res.ok ? ((await res.json()) as MemberListResponse).data : null;
}
