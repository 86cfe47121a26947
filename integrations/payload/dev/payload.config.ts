/**
 * An example CMS for the video field: Payload with SQLite, a `posts` collection with a title and a
 * video, and the plugin. `npm run dev` runs it; the end-to-end test builds and starts it.
 */
import { sqliteAdapter } from '@payloadcms/db-sqlite';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig } from 'payload';
import { videoField, videoUploaderPlugin } from 'video-uploader-payload';
import { migrations } from './migrations/index';

const dirname = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.resolve(dirname, '.data');
if (!process.env.DATABASE_URI) mkdirSync(dataDir, { recursive: true });

export default buildConfig({
  secret: process.env.PAYLOAD_SECRET || 'example-secret-for-local-development-only',
  serverURL: process.env.SERVER_URL || '',
  telemetry: false,
  admin: {
    user: 'users',
    // Payload's default is a Gravatar image: a request to another site for every page.
    avatar: 'default',
    importMap: { baseDir: dirname },
  },
  collections: [
    { slug: 'users', auth: true, fields: [] },
    {
      slug: 'posts',
      admin: { useAsTitle: 'title' },
      fields: [
        { name: 'title', type: 'text', required: true },
        videoField({
          name: 'video',
          label: 'Video',
          description: 'Pick or drop a video file; it uploads straight to the video library.',
        }),
      ],
    },
  ],
  db: sqliteAdapter({
    client: { url: process.env.DATABASE_URI || `file:${path.join(dataDir, 'payload.db')}` },
    migrationDir: path.resolve(dirname, 'migrations'),
    prodMigrations: migrations,
  }),
  plugins: [videoUploaderPlugin({ deleteOnRemove: process.env.VIDEO_DELETE_ON_REMOVE !== 'false' })],
  typescript: { outputFile: path.resolve(dirname, 'payload-types.ts') },
});
