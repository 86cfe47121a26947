/**
 * Importing the element on a server (Node, no DOM) must not crash: pages render on servers that import
 * the package for its types, its React wrapper or its strings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('<video-uploader> on a server', () => {
  it('imports in plain Node without a DOM', async () => {
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    const element = await import('../../src/element/index.js');
    assert.equal(typeof element.VideoUploader, 'function');
    assert.equal(element.stringsFor('fr-CA').choose, 'Choose a video');
    await element.loadLocale('fr-CA');
    assert.equal(element.stringsFor('fr-CA').choose, 'Choisir une vidéo');
    assert.equal(typeof element.registerLocale, 'function');
    const event = new element.VideoUploadSelectEvent({
      file: new File(['x'], 'a.mp4', { type: 'video/mp4' }),
      duration: null,
    });
    assert.equal(event.type, 'video-upload-select');
    assert.equal(event.bubbles && event.composed && event.cancelable, true);
  });

  it('imports the React wrapper in plain Node', async () => {
    const react = await import('../../src/element/react.js');
    const { createElement } = await import('react');
    assert.equal(typeof react.VideoUploader, 'object');
    let videoId = '';
    // Event props are typed: `detail.video` is a Video, checked by tsc in `npm test`.
    const element = createElement(react.VideoUploader, {
      tokenUrl: '/api/upload-token',
      maxDuration: 600,
      onVideoUploadComplete: (event) => (videoId = event.detail.video.videoId),
      onVideoUploadSelect: (event) => event.detail.file.size > 0 || event.preventDefault(),
    });
    assert.equal(element.props.tokenUrl, '/api/upload-token');
    assert.equal(typeof element.props.onVideoUploadComplete, 'function');
    assert.equal(videoId, '');
  });

  it('formats sizes, speeds and durations through Intl', async () => {
    const { formatBytes, formatSpeed, formatDuration, formatPercent } = await import('../../src/element/index.js');
    assert.equal(formatBytes(1_500_000, 'en'), '1.5 MB');
    assert.equal(formatBytes(2_000_000_000, 'en'), '2 GB');
    assert.equal(formatSpeed(3_200_000, 'en'), '3.2 MB/s');
    assert.equal(formatPercent(42.9, 'en'), '42%');
    assert.match(formatPercent(50, 'fr'), /^50\s%$/);
    assert.match(formatDuration(125, 'en'), /^2 min,? 5 sec$/);
    assert.match(formatDuration(3 * 3600 + 60, 'en'), /^3 hr,? 1 min$/);
    assert.equal(formatDuration(0, 'en'), '0 sec');
  });
});
