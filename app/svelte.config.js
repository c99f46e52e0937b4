import adapter from '@sveltejs/adapter-cloudflare';

/** @type {import('@sveltejs/kit').Config} */
export default {
  kit: {
    adapter: adapter({ config: 'wrangler.toml' }),
    alias: {
      // The API's JSON contract (zod schemas and types); client-safe by design.
      $shared: '../worker/schemas',
    },
    csrf: {
      // Kit's origin check would also reject API clients (curl, SDKs) posting form-encoded bodies to the
      // forwarded /api/* paths before the hook runs; hooks.server.ts applies the same check to the app's own routes.
      trustedOrigins: ['*'],
    },
  },
};
