/**
 * A service binding as the app uses it. Declared with the DOM fetch types rather than
 * @cloudflare/workers-types' Fetcher, whose Request/Response clash with the ones SvelteKit hands out.
 */
type Fetcher = { fetch: typeof fetch };

declare global {
  namespace App {
    interface Error {
      message: string;
      /** The API's error code (`not_found`, `unauthorized`, …) when the error came from the API. */
      code?: string;
    }
    interface Platform {
      env: {
        /** Service binding to the API Worker (`sieve-api`). */
        API: Fetcher;
        ASSETS: Fetcher;
      };
    }
  }
}

export {};
