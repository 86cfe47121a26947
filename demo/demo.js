// Shared by the demo pages: the navigation, and a live log of an element's events.
const pages = [
  ['index.html', 'Basic embed'],
  ['form.html', 'CMS form'],
  ['theming.html', 'Theming'],
  ['tus.html', 'tus'],
  ['record.html', 'Record a video'],
  ['videos.html', 'Uploaded videos'],
];

const here = location.pathname.split('/').pop() || 'index.html';
const header = document.createElement('header');
header.innerHTML = `<div class="inner"><strong>video-uploader</strong><nav aria-label="Demo pages">${pages
  .map(([href, label]) => `<a href="${href}"${href === here ? ' aria-current="page"' : ''}>${label}</a>`)
  .join('')}</nav></div>`;
document.body.prepend(header);

const EVENTS = [
  'video-upload-select',
  'video-upload-start',
  'video-upload-token',
  'video-upload-progress',
  'video-upload-retry',
  'video-upload-pause',
  'video-upload-resume',
  'video-upload-complete',
  'video-upload-error',
  'video-upload-cancel',
  'video-upload-record-start',
  'video-upload-record-stop',
];

/** Logs every `video-upload-*` event of `element` into the `<ol>` `list` (progress at most twice a second). */
export function logEvents(element, list) {
  let lastProgress = 0;
  for (const type of EVENTS) {
    element.addEventListener(type, (event) => {
      if (type === 'video-upload-progress' && event.detail.progress.percent < 100) {
        if (performance.now() - lastProgress < 500) return;
        lastProgress = performance.now();
      }
      const item = document.createElement('li');
      item.textContent = `${new Date().toLocaleTimeString()}  ${type}  ${summarize(type, event.detail)}`;
      list.prepend(item);
    });
  }
}

/**
 * Once `element` completes, shows the `#result` section and plays the video in `#player` from its
 * `assets.mp4`; the URL also goes into `#mp4` when the page has one.
 */
export function playWhenComplete(element) {
  // A new file (after "Upload another video") clears the previous one's player.
  element.addEventListener('video-upload-select', () => {
    document.getElementById('result').hidden = true;
    const player = document.getElementById('player');
    player.removeAttribute('src');
    player.load();
    const label = document.getElementById('mp4');
    if (label) label.textContent = '';
  });
  element.addEventListener('video-upload-complete', (event) => {
    const { mp4 } = event.detail.video.assets;
    document.getElementById('result').hidden = false;
    document.getElementById('player').src = mp4;
    const label = document.getElementById('mp4');
    if (label) label.textContent = mp4;
  });
}

function summarize(type, detail) {
  if (!detail) return '';
  switch (type) {
    case 'video-upload-select':
    case 'video-upload-start':
      return detail.file ? `${detail.file.name} (${detail.file.size} B)` : '';
    case 'video-upload-token':
      return `expires ${detail.grant?.expiresAt ?? 'never'}${detail.refreshed ? ' (refreshed)' : ''}`;
    case 'video-upload-progress':
    case 'video-upload-pause':
    case 'video-upload-resume': {
      const { percent, part, parts, bytesPerSecond } = detail.progress;
      return `${percent.toFixed(1)}%  part ${part}/${parts}  ${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
    }
    case 'video-upload-retry':
      return `attempt ${detail.attempt}/${detail.retries} in ${detail.delayMs} ms: ${detail.error?.message}`;
    case 'video-upload-complete':
      return detail.video?.videoId ?? '';
    case 'video-upload-record-start':
      return `${detail.source}  ${detail.mimeType}`;
    case 'video-upload-record-stop':
      return `${detail.source}  ${detail.duration.toFixed(1)} s  ${detail.bytes} B`;
    case 'video-upload-error':
      return `${detail.error?.code}: ${detail.error?.message}`;
    default:
      return '';
  }
}
