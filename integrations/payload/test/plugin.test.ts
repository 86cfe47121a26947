/** The plugin's server side without the CMS: what the field accepts and stores, and where its configuration comes from. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toStoredVideo, validateVideo, videoField } from '../src/field';
import { LOCAL_API_KEY, LOCAL_API_URL, PRODUCTION_API_URL, resolveSettings } from '../src/settings';
import { pendingMessage } from '../src/types';
import { videoUploaderEndpoints } from '../src/endpoints';
import type { PayloadRequest } from 'payload';

const validate = (value: unknown, required = false): string | true =>
  (validateVideo as (value: unknown, options: { required: boolean }) => string | true)(value, { required });

describe('the stored value', () => {
  it('keeps the known keys of the right types and drops the rest', () => {
    assert.deepEqual(
      toStoredVideo({
        videoId: 'vi4blUQJFrYWbaG44NChkH27',
        title: 'Holiday',
        duration: 4.02,
        thumbnail: 'https://x.test/t.jpg',
        extra: 1,
      }),
      { videoId: 'vi4blUQJFrYWbaG44NChkH27', title: 'Holiday', duration: 4.02, thumbnail: 'https://x.test/t.jpg' },
    );
    assert.deepEqual(toStoredVideo({ videoId: 'vi1', title: 5, duration: -1, thumbnail: 'javascript:alert(1)' }), {
      videoId: 'vi1',
    });
    assert.deepEqual(toStoredVideo({ videoId: 'vi1', duration: Number.NaN, title: 'x'.repeat(2000) }), {
      videoId: 'vi1',
    });
  });

  it('is null for anything without a valid videoId', () => {
    for (const value of [
      null,
      undefined,
      '',
      'vi1',
      42,
      [],
      {},
      { videoId: '' },
      { videoId: '../etc' },
      { videoId: 'a'.repeat(65) },
      { videoId: 7 },
    ]) {
      assert.equal(toStoredVideo(value), null, JSON.stringify(value));
    }
  });
});

describe('validation on save', () => {
  it('accepts an empty optional field and a stored video', () => {
    assert.equal(validate(null), true);
    assert.equal(validate({ videoId: 'vi1' }), true);
  });

  it('refuses an empty required field', () => {
    assert.equal(validate(null, true), 'A video is required.');
  });

  it('refuses a value that is not a video, with a clear message', () => {
    assert.equal(validate({ title: 'no id' }), 'The video field must hold an object with a videoId.');
    assert.equal(validate('vi1'), 'The video field must hold an object with a videoId.');
    assert.equal(validate({ videoId: '../../etc/passwd' }), 'The video field must hold an object with a videoId.');
  });

  it('refuses an upload still running with the element’s message, even on an optional field', () => {
    const message = 'Please wait until the video has finished uploading.';
    assert.equal(validate({ pending: message, previous: null }), message);
    assert.equal(validate({ pending: message, previous: { videoId: 'vi1' } }, true), message);
    assert.equal(pendingMessage({ pending: '' }), message, 'a blank message falls back to the English one');
    assert.equal(pendingMessage({ pending: 'x'.repeat(1000) })!.length, 300);
    assert.equal(pendingMessage({ videoId: 'vi1' }), undefined);
  });

  it('cleans a video in beforeChange, and leaves anything else for validation to refuse', async () => {
    const field = videoField({ name: 'video' });
    const hook = field.hooks!.beforeChange!.at(-1)! as (args: { value: unknown }) => unknown;
    assert.deepEqual(await hook({ value: { videoId: 'vi1', junk: true } }), { videoId: 'vi1' });
    for (const value of [{ pending: 'wait', previous: null }, { videoId: '../x' }, 'vi1', null]) {
      const kept = await hook({ value });
      assert.deepEqual(kept, value);
      if (value !== null) assert.equal(typeof validate(kept), 'string', JSON.stringify(value));
    }
  });
});

describe('videoField()', () => {
  it('declares a JSON field with the plugin’s admin component, keeping the caller’s overrides', () => {
    const field = videoField({
      name: 'clip',
      label: 'Clip',
      required: true,
      description: 'Help',
      overrides: { localized: true, admin: { position: 'sidebar' } },
    });
    assert.equal(field.type, 'json');
    assert.equal(field.name, 'clip');
    assert.equal(field.required, true);
    assert.equal(field.localized, true);
    assert.equal(field.admin?.position, 'sidebar');
    assert.equal(field.admin?.description, 'Help');
    assert.equal(field.admin?.components?.Field, 'video-uploader-payload/client#VideoField');
    assert.deepEqual(field.custom, { videoUploader: true });
  });
});

describe('configuration', () => {
  it('uses the local video API and its development key in development', () => {
    const settings = resolveSettings({}, { NODE_ENV: 'development' });
    assert.equal(settings.apiUrl, LOCAL_API_URL);
    assert.equal(settings.apiKey, LOCAL_API_KEY);
    assert.equal(settings.deleteOnRemove, false);
  });

  it('uses api.video and needs a key in production', () => {
    const settings = resolveSettings({}, { NODE_ENV: 'production' });
    assert.equal(settings.apiUrl, PRODUCTION_API_URL);
    assert.equal(settings.apiKey, undefined);
  });

  it('reads the environment, and options win over it', () => {
    const env = {
      NODE_ENV: 'production',
      APIVIDEO_API_KEY: ' env-key ',
      APIVIDEO_API_URL: 'https://sandbox.api.video/',
    };
    assert.deepEqual(
      [resolveSettings({}, env).apiKey, resolveSettings({}, env).apiUrl],
      ['env-key', 'https://sandbox.api.video'],
    );
    const settings = resolveSettings(
      { apiKey: 'option-key', apiUrl: 'http://127.0.0.1:9999', deleteOnRemove: true },
      env,
    );
    assert.deepEqual(
      [settings.apiKey, settings.apiUrl, settings.deleteOnRemove],
      ['option-key', 'http://127.0.0.1:9999', true],
    );
  });

  it('never gives the development key to another video API', () => {
    assert.equal(
      resolveSettings({}, { NODE_ENV: 'development', APIVIDEO_API_URL: 'https://ws.api.video' }).apiKey,
      undefined,
    );
  });
});

describe('the routes, before any call to the video API', () => {
  // Payload hands endpoints the web Request with the signed-in user and the CMS attached.
  const request = (
    user: { id: number; collection: string } | null,
    path = '/api/video-uploader/token',
    method = 'POST',
  ): PayloadRequest =>
    Object.assign(
      new Request(`http://127.0.0.1:3000${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : null,
      }),
      {
        user,
        payload: { config: { admin: { user: 'users' } } },
        routeParams: { videoId: path.split('/').pop() },
      },
    ) as unknown as PayloadRequest;
  const [token, video] = videoUploaderEndpoints(resolveSettings({}, { NODE_ENV: 'production' }));

  it('refuses visitors and users of other auth collections', async () => {
    for (const user of [null, { id: 1, collection: 'customers' }]) {
      const response = await token!.handler(request(user));
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(((await response.json()) as { title: string }).title, 'The upload is not authorized.');
      assert.equal((await video!.handler(request(user, '/api/video-uploader/videos/vi1', 'GET'))).status, 403);
    }
  });

  it('answers a distinct code, and says once on the console what to set, when no key is configured', async (t) => {
    const lines: string[] = [];
    t.mock.method(console, 'error', (line: string) => lines.push(line));
    const editor = { id: 1, collection: 'users' };
    for (const response of [
      await token!.handler(request(editor)),
      await video!.handler(request(editor, '/api/video-uploader/videos/vi1', 'GET')),
    ]) {
      assert.equal(response.status, 500);
      const body = (await response.json()) as { title: string; detail: string };
      assert.deepEqual([body.title, body.detail], ['The video field is not configured.', 'VU_PAYLOAD_NO_API_KEY']);
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /\[VU_PAYLOAD_NO_API_KEY\]: set APIVIDEO_API_KEY/);
  });

  it('refuses a videoId that is not one, without calling the video API', async () => {
    const [, configured] = videoUploaderEndpoints(resolveSettings({ apiKey: 'k', apiUrl: 'http://127.0.0.1:9' }, {}));
    const response = await configured!.handler(
      request({ id: 1, collection: 'users' }, '/api/video-uploader/videos/..%2F..', 'GET'),
    );
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { detail: string }).detail, /not a video id/);
  });
});
