// custom-elements.json is generated from the element sources and their JSDoc.
// Module paths name the shipped files (dist/**/*.js), not the sources, and
// every element's class comment is its `description`.

/** Rewrites `src/<path>.ts` (or `.js`, as imports name them) to `dist/<path>.js` in every `path` and `module` field. */
function shippedPaths() {
  const rewrite = (value) => (typeof value === 'string' ? value.replace(/^\/?src\/(.*)\.[jt]s$/, 'dist/$1.js') : value);
  const walk = (node) => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'path' || key === 'module') && typeof value === 'string') node[key] = rewrite(value);
        else walk(value);
      }
    }
  };
  return {
    name: 'live-session-shipped-paths',
    packageLinkPhase({ customElementsManifest }) {
      walk(customElementsManifest);
      // A class comment with block tags lands in `summary`; tools read `description`.
      for (const module of customElementsManifest.modules ?? []) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.description && declaration.summary) {
            declaration.description = declaration.summary;
            delete declaration.summary;
          }
        }
      }
    },
  };
}

export default {
  globs: ['src/elements/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/**/*.styles.ts', 'src/**/define.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
  plugins: [shippedPaths()],
};
