// The script-tag bundle: one minified, self-registering ES module with every
// browser dependency (lit, @lit/context, peerjs and its helpers) inlined.
// Its input is the tsc output of src/bundle.ts, so `npm run build` runs tsc first.
// The SFU path (src/core/sfu/, imported dynamically) becomes a chunk of its own,
// dist/live-session.sfu.js, next to the bundle: the bundle loads it by a URL
// relative to itself, only in SFU rooms.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { fileURLToPath } from 'node:url';

/** PeerJS imports webrtc-adapter only for browser detection: a small stand-in replaces it here. */
const browserDetails = fileURLToPath(new URL('./dist/script-tag/browser-details.js', import.meta.url));
function replaceWebrtcAdapter() {
  return {
    name: 'replace-webrtc-adapter',
    resolveId(source) {
      return source === 'webrtc-adapter' ? browserDetails : null;
    },
  };
}

export default {
  input: 'dist/bundle.js',
  output: {
    dir: 'dist',
    entryFileNames: 'live-session.bundle.js',
    chunkFileNames: 'live-session.[name].js',
    manualChunks: (id) => (/[\\/]core[\\/]sfu[\\/]/.test(id) ? 'sfu' : undefined),
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    replaceWebrtcAdapter(),
    nodeResolve({ browser: true, exportConditions: ['browser', 'production', 'default'] }),
    commonjs(),
    terser({ ecma: 2020, module: true, format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    // peerjs' dependencies use `this` at module top level in their CommonJS parts.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
};
