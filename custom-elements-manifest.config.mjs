/** `npm run analyze`: custom-elements.json from the element's JSDoc (named by "customElements" in package.json). */
export default {
  globs: ['src/element/**/*.ts'],
  // Controllers and the template are the element's insides, not part of its API.
  exclude: [
    'src/element/react.ts',
    'src/element/locales/**',
    'src/element/controllers/**',
    'src/element/video-uploader.template.ts',
  ],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      // Events are documented by `@fires`; the analyzer also records `dispatchEvent(new X())` calls it cannot name.
      name: 'tidy-manifest',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name);
            // Public is what a member without `privacy` is; properties from `static properties` spell it out.
            for (const member of declaration.members ?? []) if (member.privacy === 'public') delete member.privacy;
          }
        }
      },
    },
  ],
};
