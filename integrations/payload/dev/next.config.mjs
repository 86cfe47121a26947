import { withPayload } from '@payloadcms/next/withPayload';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// The element comes from a linked package (`file:../..`) whose own dependencies may sit behind
// another link; the bundler's root must hold all of their real paths.
function commonRoot(paths) {
  const parts = paths.map((p) => realpathSync(p).split(path.sep));
  const shared = [];
  for (let i = 0; parts.every((p) => p[i] !== undefined && p[i] === parts[0][i]); i++) shared.push(parts[0][i]);
  return shared.join(path.sep) || path.sep;
}
const require = createRequire(import.meta.url);
const element = path.dirname(require.resolve('video-uploader/package.json'));
const lit = path.dirname(createRequire(path.join(element, 'package.json')).resolve('lit'));
const root = commonRoot([here, element, lit]);

export default withPayload({
  turbopack: { root },
  outputFileTracingRoot: root,
  // A fresh CI checkout never reuses the build cache; writing it costs a minute there.
  experimental: { turbopackFileSystemCacheForBuild: !process.env.CI },
});
