/** `npm run analyze`: custom-elements.json from the element's JSDoc (named by "customElements" in package.json). */
export default {
  globs: ['src/element/**/*.ts'],
  exclude: ['src/element/react.ts', 'src/element/locales/**'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // Events are documented by `@fires`; the analyzer also records `dispatchEvent(new X())` calls it cannot name.
      name: 'drop-unnamed-events',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name);
          }
        }
      },
    },
  ],
};
