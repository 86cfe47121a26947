/**
 * tus-js-client's url-parse and its two dependencies ship CommonJS only: serve them as ES modules
 * (`require('x')` becomes an import, `module.exports` the default export).
 */
export function commonjsShim() {
  const targets = /\/node_modules\/(url-parse|requires-port|querystringify)\/index\.js$/;
  return {
    name: 'commonjs-shim',
    transform(context) {
      if (!targets.test(context.path)) return undefined;
      const imports = [];
      const code = context.body.replace(/require\('([^']+)'\)/g, (_match, name) => {
        const id = `__required${imports.length}`;
        imports.push(`import ${id} from '${name}';`);
        return id;
      });
      return {
        body: `${imports.join('\n')}\nconst module = { exports: {} };\nconst exports = module.exports;\n${code}\nexport default module.exports;\n`,
      };
    },
  };
}
