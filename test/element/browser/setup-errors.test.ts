/**
 * Each setup mistake gets its own code, plain words for the visitor (no internals, "Try again" only where
 * it can work), and one console line for the developer saying what to fix.
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadErrorEvent } from '../../../src/element/index.js';
import { captureWarnings, clearResumeRecords, part, text, videoFile } from './helpers.js';

const SETUP = 'Uploads are not set up correctly on this page. Please let the site know.';

async function closedPortUrl(): Promise<string> {
  const { port } = await executeServerCommand<{ port: number }, undefined>('closed-port');
  return `http://127.0.0.1:${port}/__token`;
}

function crossOriginTokenUrl(): string {
  const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return `${location.protocol}//${other}:${location.port}/__token`;
}

/** Starts an upload on `el` and returns the error it fails with, after the element has rendered it. */
async function failure(el: VideoUploader): Promise<VideoUploadErrorEvent['detail']['error']> {
  const failed = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
  el.start(videoFile('setup.mp4', 10_000));
  const { detail } = await failed;
  await el.updateComplete;
  return detail.error;
}

describe('<video-uploader> set up wrong', () => {
  let warnings: ReturnType<typeof captureWarnings>;
  beforeEach(() => {
    clearResumeRecords();
    warnings = captureWarnings();
  });
  afterEach(() => warnings.restore());

  it('shows a setup error accessibly, without a retry button', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token?mode=html"></video-uploader>`);
    await expect(el).to.be.accessible();
    const error = await failure(el);
    expect(error.code).to.equal('token-endpoint-not-json');
    expect(text(el, 'error')).to.equal(SETUP);
    expect(part(el, 'retry-button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  const cases: Array<{
    name: string;
    make: () => Promise<VideoUploader>;
    code: string;
    words: string;
    retry: boolean;
    fix: RegExp;
  }> = [
    {
      name: 'a token-url where nothing answers (404)',
      make: () => fixture(html`<video-uploader token-url="/__no-token-endpoint-here"></video-uploader>`),
      code: 'token-endpoint-missing',
      words: SETUP,
      retry: false,
      fix: /answered 404.*check token-url/,
    },
    {
      name: 'a token endpoint that cannot be reached',
      make: async () => fixture(html`<video-uploader retries="0" token-url=${await closedPortUrl()}></video-uploader>`),
      code: 'token-endpoint-unreachable',
      words: 'The site could not be reached to start the upload. Check your connection, then try again.',
      retry: true,
      fix: /could not be reached.*issuer is running/,
    },
    {
      name: 'a token endpoint on another origin without CORS',
      make: () => fixture(html`<video-uploader token-url=${crossOriginTokenUrl()}></video-uploader>`),
      code: 'token-endpoint-cors',
      words: SETUP,
      retry: false,
      fix: /CORS.*allowedOrigins/,
    },
    {
      name: 'a token endpoint that answers text, not JSON',
      make: () => fixture(html`<video-uploader token-url="/__token?mode=text"></video-uploader>`),
      code: 'token-endpoint-not-json',
      words: SETUP,
      retry: false,
      fix: /not JSON.*must answer a JSON token grant/,
    },
    {
      name: 'a token endpoint that refuses the visitor (403)',
      make: () => fixture(html`<video-uploader token-url="/__token?mode=refuse"></video-uploader>`),
      code: 'token-endpoint-refused',
      words: 'You are not allowed to upload here. Sign in, or ask the site for access.',
      retry: false,
      fix: /answered 403.*refused this visitor/,
    },
    {
      name: 'no token-url, token or tokenProvider at all',
      make: () => fixture(html`<video-uploader></video-uploader>`),
      code: 'token-missing',
      words: SETUP,
      retry: false,
      fix: /set token-url to your token issuer/,
    },
    {
      name: 'a static token without api-url',
      make: () => fixture(html`<video-uploader token="to0000000000000000000000"></video-uploader>`),
      code: 'api-url-missing',
      words: SETUP,
      retry: false,
      fix: /static token.*set api-url/,
    },
  ];

  for (const { name, make, code, words, retry, fix } of cases) {
    it(`${code}: ${name}`, async () => {
      const el = await make();
      const error = await failure(el);
      expect(error.code).to.equal(code);
      expect(error.message).to.match(fix);
      expect(text(el, 'error')).to.equal(words);
      expect(part(el, 'retry-button') !== null, 'retry button').to.equal(retry);
      const lines = warnings.lines.filter((line) => line.includes(code));
      expect(lines, 'one console line').to.have.length(1);
      expect(lines[0]).to.match(fix);
      // The same mistake again is not told twice.
      el.reset();
      await failure(el);
      expect(warnings.lines.filter((line) => line.includes(code))).to.have.length(1);
    });
  }

  it('never shows library internals: the visitor reads the catalogue, whatever the engine says', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token?mode=missing"></video-uploader>`);
    const error = await failure(el);
    expect(error.code).to.equal('token-invalid');
    expect(text(el, 'error')).to.equal(SETUP);
    expect(text(el, 'error')).not.to.contain('"token"');
  });
});
