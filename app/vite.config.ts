import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // The app imports the API's schemas from ../worker/schemas.
  server: { fs: { allow: ['..'] } },
});
