import { error } from '@sveltejs/kit';
import { api } from '$lib/server/api';
import type { TraceDetailResponse } from '$lib/types';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { traceId } = event.params;
  if (!/^[0-9a-f]{32}$/i.test(traceId)) {
    error(404, { message: `“${traceId}” is not a trace id: trace ids are 32 hexadecimal characters.`, code: 'not_found' });
  }
  const detail = await api<TraceDetailResponse>(event, `/traces/${traceId.toLowerCase()}`);
  return { detail, now: Date.now() };
};
