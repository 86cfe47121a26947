/** After the upload: the element watches the video until the local video API can play it, then shows it. */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../../src/element/index.js';
import type { VideoUploader, VideoUploadPlayableEvent } from '../../../src/element/index.js';
import { part, pick, recordEvents, text, tokenUrl, videoFile } from './helpers.js';

interface VideoStatusBody {
  ingest: { status: string };
  encoding: { playable: boolean; metadata: { width: number; height: number } };
}

async function sampleMp4(): Promise<File> {
  const response = await fetch('/test/fixtures/sample.mp4');
  if (!response.ok) throw new Error(`sample.mp4: HTTP ${response.status}`);
  return new File([await response.blob()], 'sample.mp4', { type: 'video/mp4', lastModified: Date.now() });
}

describe('<video-uploader> playable', () => {
  it('with player="video", says it processes, fires video-upload-playable, and plays the video inline', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url="/__token" player="video"></video-uploader>`,
    );
    const events = recordEvents(el);
    el.addEventListener('video-upload-playable', () => events.push({ type: 'playable', detail: {} }));
    const completed = oneEvent(el, 'video-upload-complete');
    const playable = oneEvent(el, 'video-upload-playable') as Promise<VideoUploadPlayableEvent>;
    pick(el, [await sampleMp4()]);
    await completed;
    await el.updateComplete;
    // Right after the upload the video API is still at work (HLS is made by ffmpeg, or looked for).
    expect(text(el, 'playable-status')).to.equal('Processing the video…');
    const { detail } = await playable;
    expect(['hls', 'mp4']).to.include(detail.via);
    expect(detail.video.videoId).to.equal(el.video!.videoId);
    expect(events.map((e) => e.type).filter((t) => t === 'complete' || t === 'playable')).to.deep.equal([
      'complete',
      'playable',
    ]);
    await el.updateComplete;
    const player = part<HTMLVideoElement>(el, 'player')!;
    expect(player.tagName).to.equal('VIDEO');
    expect(player.getAttribute('src')).to.equal(detail.video.assets.mp4);
    expect(player.getAttribute('aria-label')).to.equal('Video: sample.mp4');
    expect(part(el, 'link')).to.equal(null);
    // The fixture is H.264: where the browser decodes it, the inline player has its first frame.
    if (player.canPlayType('video/mp4; codecs="avc1.42E01E"')) {
      await waitUntil(() => player.readyState >= 2, 'the inline video has its first frame', { timeout: 15_000 });
    }
    await expect(el).to.be.accessible();

    // What the video API says and serves, once playable. With ffmpeg (CI installs it) the HLS rendition
    // came first: the status says playable, the thumbnail is a JPEG of the video's size, and every segment
    // the manifest names is served. Without ffmpeg the MP4 file is what plays.
    const { body: api } = await executeServerCommand<{ body: VideoStatusBody }, { videoId: string }>('video-status', {
      videoId: detail.video.videoId,
    });
    if (detail.via === 'hls') {
      expect(api.ingest.status).to.equal('ingested');
      expect(api.encoding.playable).to.equal(true);
      const { width, height } = api.encoding.metadata;
      const thumbnail = await fetch(detail.video.assets.thumbnail);
      expect(thumbnail.headers.get('content-type')).to.equal('image/jpeg');
      const bitmap = await createImageBitmap(await thumbnail.blob());
      expect([bitmap.width, bitmap.height]).to.deep.equal([width, height]);
      const manifest = await (await fetch(detail.video.assets.hls)).text();
      const segments = manifest.split('\n').filter((line) => line && !line.startsWith('#'));
      expect(segments.length).to.be.above(0);
      for (const segment of segments) {
        const answer = await fetch(new URL(segment, detail.video.assets.hls));
        expect(answer.status, segment).to.equal(200);
        expect((await answer.arrayBuffer()).byteLength, segment).to.be.above(0);
      }
    }
  });

  it('with player, shows the service player in an iframe', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token" player></video-uploader>`);
    const playable = oneEvent(el, 'video-upload-playable') as Promise<VideoUploadPlayableEvent>;
    pick(el, [await sampleMp4()]);
    const { detail } = await playable;
    await el.updateComplete;
    const frame = part<HTMLIFrameElement>(el, 'player')!;
    expect(frame.tagName).to.equal('IFRAME');
    expect(frame.getAttribute('src')).to.equal(detail.video.assets.player);
    expect(frame.title).to.equal('Video: sample.mp4');
  });

  it('without player, says the video is ready and keeps the link', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader token-url="/__token"></video-uploader>`);
    const playable = oneEvent(el, 'video-upload-playable');
    pick(el, [videoFile('not-decodable.mp4', 200_000)]);
    await playable;
    await el.updateComplete;
    expect(text(el, 'playable-status')).to.equal('Ready to watch');
    expect(part(el, 'link')).to.not.equal(null);
    expect(part(el, 'player')).to.equal(null);
  });

  it('gives up after playable-timeout while the service keeps processing, and says so', async () => {
    // The proxy in front of the API answers every HLS manifest with "202: still being made".
    const url = await tokenUrl({
      rules: [{ path: '/vod/', times: 0, action: { type: 'status', status: 202 } }],
    });
    const el = await fixture<VideoUploader>(
      html`<video-uploader token-url=${url} playable-timeout="2"></video-uploader>`,
    );
    const completed = oneEvent(el, 'video-upload-complete');
    let fired = false;
    el.addEventListener('video-upload-playable', () => (fired = true));
    pick(el, [videoFile('slow.mp4', 100_000)]);
    await completed;
    await el.updateComplete;
    expect(text(el, 'playable-status')).to.equal('Processing the video…');
    await waitUntil(
      () => text(el, 'playable-status') === 'Still processing: the video will be ready a little later.',
      `the timeout is told (shown: ${text(el, 'playable-status')})`,
      { timeout: 8_000 },
    );
    expect(fired).to.equal(false);
    expect(part(el, 'link')).to.not.equal(null);
  });
});
