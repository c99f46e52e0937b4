import type { Handle } from '@sveltejs/kit';

/** Paths served by the API Worker; the browser, SDKs and OTLP exporters all talk to this one origin. */
export function isApiPath(pathname: string): boolean {
  return (
    pathname === '/healthz' ||
    pathname === '/api' ||
    pathname.startsWith('/api/') ||
    pathname === '/v1' ||
    pathname.startsWith('/v1/')
  );
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** SvelteKit's own CSRF rule (disabled in svelte.config.js so it does not hit /api/*), for the app's routes. */
function isCrossSiteForm(request: Request, origin: string): boolean {
  if (!UNSAFE.has(request.method)) return false;
  const type = (request.headers.get('content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
  return FORM_TYPES.includes(type) && request.headers.get('origin') !== origin;
}

export const handle: Handle = async ({ event, resolve }) => {
  // The raw URL, not event.url: Kit strips `/__data.json` suffixes from the latter.
  const url = new URL(event.request.url);
  if (isApiPath(url.pathname)) {
    const api = event.platform?.env?.API;
    if (!api) {
      return Response.json(
        { error: { code: 'api_unavailable', message: 'The API service binding is not configured.' } },
        { status: 503 },
      );
    }
    // Verbatim: method, headers (cookies, Authorization, Upgrade), streaming body; the API's
    // response (including a 101 with its WebSocket) goes back untouched.
    return api.fetch(event.request);
  }
  if (isCrossSiteForm(event.request, url.origin)) {
    return new Response(`Cross-site ${event.request.method} form submissions are forbidden`, { status: 403 });
  }
  return resolve(event);
};
