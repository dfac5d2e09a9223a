import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  // PeerJS needs only the browser's name from webrtc-adapter: a 1 KB stand-in saves about 12 KB gzipped.
  resolve: { alias: { 'webrtc-adapter': 'live-session/webrtc-adapter-lite' } },
  plugins: [
    vue({
      // Every tag with a dash that the package defines is a custom element, not a Vue component.
      template: { compilerOptions: { isCustomElement: (tag) => tag.includes('-') } },
    }),
  ],
});
