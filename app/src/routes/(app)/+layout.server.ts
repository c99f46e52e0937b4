import { api } from '$lib/server/api';
import type { MeResponse } from '$lib/types';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const me = await api<MeResponse>(event, '/me');
  return { me };
};
