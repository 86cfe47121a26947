import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { formatDuration, loadLocale, registerLocale } from '../../../src/element/index.js';
import type { VideoUploader, VideoUploadErrorEvent } from '../../../src/element/index.js';
import { drop, part, text } from './helpers.js';

describe('<video-uploader> languages and text', () => {
  it('is accessible in Japanese', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader lang="ja"></video-uploader>`);
    await waitUntil(() => text(el, 'button') === '動画を選択', 'Japanese loaded');
    await expect(el).to.be.accessible();
  });

  it('switches language when lang changes, and formats numbers for it', async () => {
    const el = await fixture<VideoUploader>(html`<video-uploader max-file-size="1500000"></video-uploader>`);
    expect(text(el, 'button')).to.equal('Choose a video');
    expect(text(el, 'hint')).to.equal('Up to 1.5 MB');
    el.lang = 'fr';
    await el.updateComplete;
    expect(el.getAttribute('lang')).to.equal('fr');
    await waitUntil(() => text(el, 'button') === 'Choisir une vidéo', 'translated button');
    expect(text(el, 'dropzone')).to.match(/Jusqu’à 1,5\sMo/);
    el.setAttribute('lang', 'de-AT');
    await el.updateComplete;
    await waitUntil(() => text(el, 'button') === 'Video auswählen', 'translated button');
    el.setAttribute('lang', 'es');
    await el.updateComplete;
    await waitUntil(() => text(el, 'button') === 'Elegir un vídeo', 'translated button');
    el.lang = '';
    await el.updateComplete;
    expect(el.hasAttribute('lang')).to.equal(false);
  });

  it('follows the lang of an ancestor and of the document', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div lang="de"><video-uploader></video-uploader></div>`);
    const el = wrapper.querySelector('video-uploader')!;
    await el.updateComplete;
    await waitUntil(() => text(el, 'button') === 'Video auswählen', 'translated button');

    const alone = await fixture<VideoUploader>(html`<video-uploader></video-uploader>`);
    const before = document.documentElement.lang;
    try {
      document.documentElement.lang = 'es';
      await aTimeout(0);
      await alone.updateComplete;
      await waitUntil(() => text(alone, 'button') === 'Elegir un vídeo', 'translated button');
    } finally {
      document.documentElement.lang = before;
    }
  });

  it('takes a custom string through the strings property, in any language', async () => {
    await loadLocale('fr');
    const el = await fixture<VideoUploader>(html`<video-uploader lang="fr"></video-uploader>`);
    el.strings = {
      choose: 'Déposer ma vidéo de candidature',
      errorFileType: (accept) => `Seulement ${accept}, merci.`,
    };
    await el.updateComplete;
    expect(text(el, 'button')).to.equal('Déposer ma vidéo de candidature');
    expect(text(el, 'label')).to.equal('Glissez-déposez une vidéo ici');
    const refused = oneEvent(el, 'video-upload-error') as Promise<VideoUploadErrorEvent>;
    drop(el, [new File(['x'], 'notes.txt', { type: 'text/plain' })]);
    // The event tells the developer what was refused; the visitor reads the site's words.
    expect((await refused).detail.error.message).to.contain('notes.txt');
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('Seulement video/*, merci.');
  });

  it('adds a language with registerLocale, falling back to English for missing entries', async () => {
    registerLocale('it', { choose: 'Scegli un video', dropLabel: 'Trascina qui un video' });
    const el = await fixture<VideoUploader>(html`<video-uploader lang="it-IT"></video-uploader>`);
    expect(text(el, 'button')).to.equal('Scegli un video');
    expect(text(el, 'label')).to.equal('Trascina qui un video');
    expect(text(el, 'separator')).to.equal('or');
    // Elements already on the page pick up a later registration.
    registerLocale('it', { or: 'oppure' });
    await el.updateComplete;
    expect(text(el, 'separator')).to.equal('oppure');
  });

  it('formats durations with the browser Intl, zero included', () => {
    expect(formatDuration(0, 'en')).to.equal('0 sec');
    expect(formatDuration(125, 'en')).to.match(/^2 min,? 5 sec$/);
    expect(formatDuration(600, 'fr')).to.match(/^10\smin$/);
  });

  it('lets a page replace the label and the button content through slots', async () => {
    const el = await fixture<VideoUploader>(
      html`<video-uploader
        ><span slot="label">Your pitch video</span><span slot="button">Browse</span></video-uploader
      >`,
    );
    const button = part(el, 'button')!;
    const slot = button.querySelector('slot')!;
    expect(slot.assignedNodes().map((node) => node.textContent)).to.deep.equal(['Browse']);
    await expect(el).to.be.accessible();
  });
});
