import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  // PeerJS needs only the browser's name from webrtc-adapter: a 1 KB stand-in saves about 12 KB gzipped.
  resolve: { alias: { 'webrtc-adapter': 'live-session/webrtc-adapter-lite' } },
  plugins: [svelte()],
});
