/**
 * Ids and file names a client sends never become paths: names with `../`, NUL, backslashes, very
 * long or unicode names, traversal in ids and in the URL itself touch nothing outside the data
 * directory, create nothing of an unexpected shape inside it, and serve no file they name.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TUS_PATH, type Video } from '../../../src/protocol/index.js';
import { send } from '../../../tools/fuzz/fuzz-core.js';
import { basic, startTestApi, tempDir, type TestApi } from '../../support/api.js';
import { bytes, createToken, expectVideo } from '../../support/upload.js';
import { changes, expectProblem, snapshot } from './support.js';

const MARK = 'pathmark7';
const NAMES = [
  `../../../../${MARK}-up.mp4`,
  `..\\..\\..\\${MARK}-back.mp4`,
  `/tmp/${MARK}-abs.mp4`,
  `${MARK}\0nul.mp4`,
  `${MARK}-${'l'.repeat(5000)}.mp4`,
  `${MARK}-ビデオ🎬-\u202egnp.mp4`,
  `%2e%2e%2f${MARK}-encoded.mp4`,
  `${MARK}/../../sub.mp4`,
  '..',
  '.',
];

/** Shapes every path in the data directory must have. */
const DATA_PATH =
  /^(video-api\.sqlite(-wal|-shm)?|videos\/|videos\/vi[0-9A-Za-z]{22}\/(source|source\.partial|parts\/(\d+)?)?|incoming\/|tus\/([0-9a-f]{32}(\.json)?)?)$/;

describe('ids and file names never become paths', () => {
  let api: TestApi;
  let root: string;
  let token: string;
  let outside: Map<string, string>;
  let tmpBefore: string[];

  before(async () => {
    // The data directory sits in a folder of its own, beside files that must stay untouched.
    root = tempDir('vu-paths-');
    writeFileSync(join(root, 'sentinel.txt'), 'untouched');
    mkdirSync(join(root, 'videos'));
    writeFileSync(join(root, 'videos', 'sentinel.txt'), 'untouched');
    api = await startTestApi({ dataDir: join(root, 'data') });
    token = await createToken(api);
    outside = snapshot(root);
    tmpBefore = readdirSync(tmpdir());
  });

  after(async () => {
    await api.stop();
    rmSync(root, { recursive: true, force: true });
  });

  /** A multipart chunk whose file name is sent as raw bytes (NUL and all), not sanitised by a client library. */
  function rawChunk(fileName: string, extra: { videoId?: string; range?: string } = {}): Promise<Response> {
    const boundary = 'pathsboundary';
    const parts: Buffer[] = [];
    if (extra.videoId !== undefined)
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="videoId"\r\n\r\n${extra.videoId}\r\n`),
      );
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="`),
      Buffer.from(fileName.replace(/"/g, '%22'), 'utf8'),
      Buffer.from('"\r\nContent-Type: video/mp4\r\n\r\n'),
      bytes(1000, fileName.length),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    return fetch(`${api.url}/upload?token=${token}`, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(extra.range ? { 'content-range': extra.range } : {}),
      },
      body: new Uint8Array(Buffer.concat(parts)),
    });
  }

  it('takes odd file names as titles only', async () => {
    for (const name of NAMES) {
      const response = await rawChunk(name);
      if (name.includes('\0')) {
        // A NUL in a part header is malformed multipart: refused, nothing kept.
        assert.equal((await expectProblem(response, 400)).title, 'The uploaded file is invalid.');
        continue;
      }
      const video = await expectVideo(response);
      assert.match(video.videoId, /^vi[0-9A-Za-z]{22}$/);
    }
  });

  it('takes odd file names in tus metadata as titles only', async () => {
    for (const name of NAMES) {
      const response = await fetch(`${api.url}${TUS_PATH}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'upload-length': '100',
          'upload-metadata': `filename ${Buffer.from(name).toString('base64')}`,
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(bytes(100)),
      });
      assert.equal(response.status, 201, name.slice(0, 40));
      assert.match(response.headers.get('x-video-id') ?? '', /^vi[0-9A-Za-z]{22}$/);
    }
  });

  it('refuses ids with traversal, NUL, unicode or great length in the form, the URL and the tus path', async () => {
    const ids = [
      '../../video-api.sqlite',
      `..%2f..%2f${MARK}`,
      `vi\0${'A'.repeat(21)}`,
      `vi${'A'.repeat(21)}/`,
      'viビデオ',
      `vi${'A'.repeat(5000)}`,
      '.',
      '..',
      '',
    ];
    for (const id of ids.filter(Boolean)) {
      await expectProblem(await rawChunk('clip.mp4', { videoId: id, range: 'part 2/2' }), 404);
      await expectProblem(await api.authed(`/videos/${encodeURIComponent(id)}`), 404);
      await expectProblem(await api.authed(`/videos/${encodeURIComponent(id)}`, { method: 'DELETE' }), 404);
      await expectProblem(await api.authed(`/videos/${encodeURIComponent(id)}/status`), 404);
      await expectProblem(await fetch(`${api.url}/vod/${encodeURIComponent(id)}/mp4/source.mp4`), 404);
      const tus = await fetch(`${api.url}${TUS_PATH}/${encodeURIComponent(id)}`, {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
        },
        body: new Uint8Array(bytes(10)),
      });
      assert.ok(tus.status === 404 || tus.status === 400, `tus ${id.slice(0, 30)}: ${tus.status}`);
    }
    // The same through tus metadata: a video id that is a path.
    for (const id of ids.filter(Boolean)) {
      const response = await fetch(`${api.url}${TUS_PATH}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'tus-resumable': '1.0.0',
          'upload-length': '10',
          'upload-metadata': `videoId ${Buffer.from(id).toString('base64')}`,
        },
      });
      await expectProblem(response, 404);
    }
  });

  it('serves no file named by a raw path with traversal, encoded or not', async () => {
    const port = Number(new URL(api.url).port);
    const auth = Buffer.from(basic(api.apiKey));
    const uploaded = ((await (await api.authed('/videos?pageSize=1')).json()) as { data: Video[] }).data[0].videoId;
    for (const target of [
      '/../sentinel.txt',
      '/videos/../../sentinel.txt',
      '/vod/../../sentinel.txt',
      `/vod/${uploaded}/mp4/../../../../sentinel.txt`,
      '/vod/%2e%2e/%2e%2e/sentinel.txt',
      '/vod/..%2f..%2fsentinel.txt/mp4/source.mp4',
      '/videos/%2e%2e%2fvideo-api.sqlite',
      '/tus/..%2f..%2fvideo-api.sqlite',
      '/tus/../video-api.sqlite',
      '/video-api.sqlite',
      '/data/video-api.sqlite',
      `/vod/${uploaded}/mp4/source.mp4%00.txt`,
      '/videos/vi%00',
      '/%c0%ae%c0%ae/sentinel.txt',
    ]) {
      const answer = await send(
        port,
        { method: 'GET', target: Buffer.from(target), headers: [['Authorization', auth]], body: Buffer.alloc(0) },
        5_000,
      );
      assert.ok(typeof answer === 'object', `${target}: ${String(answer)}`);
      // 401: the tus mount asks for its bearer token before it looks at the path.
      assert.ok([400, 401, 404].includes(answer.status), `${target}: ${answer.status}`);
      assert.ok(
        !answer.body.toString('latin1').includes('untouched') &&
          !answer.body.toString('latin1').includes('SQLite format'),
        target,
      );
    }
  });

  it('left everything outside the data directory as it was, and only known shapes inside', () => {
    const after = snapshot(root);
    const outsideChanges = changes(outside, after).filter((line) => !line.slice(2).startsWith('data/'));
    assert.deepEqual(outsideChanges, []);
    const inside = [...after.keys()]
      .filter((p) => p.startsWith('data/'))
      .map((p) => p.slice('data/'.length))
      .filter(Boolean);
    assert.ok(inside.length > 20, `${inside.length} paths in the data directory`);
    assert.deepEqual(
      inside.filter((p) => !DATA_PATH.test(p)),
      [],
    );
    assert.deepEqual(
      inside.filter((p) => p.startsWith('incoming/') && p !== 'incoming/'),
      [],
    );
    const newInTmp = readdirSync(tmpdir()).filter((name) => !tmpBefore.includes(name) && name.includes(MARK));
    assert.deepEqual(newInTmp, []);
    assert.deepEqual(
      readdirSync(process.cwd()).filter((name) => name.includes(MARK)),
      [],
    );
    assert.deepEqual(
      [...after.keys()].filter((p) => p.includes(MARK)),
      [],
    );
  });
});
