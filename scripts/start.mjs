// `npm start`: builds what the dev server serves, saying so in one line, then runs `video-uploader dev`
// with any arguments given after `--` (e.g. `npm start -- --allow-origin http://localhost:3000`).
import { spawnSync } from 'node:child_process';

console.log('video-uploader: building the element and the server (npm run build)…');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const build = spawnSync(npm, ['run', 'build', '--silent'], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
if (build.status !== 0) {
  console.error('video-uploader: the build failed (see above); fix it, then run npm start again.');
  process.exit(build.status ?? 1);
}
const dev = spawnSync(process.execPath, ['bin/video-uploader.js', 'dev', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(dev.status ?? 0);
