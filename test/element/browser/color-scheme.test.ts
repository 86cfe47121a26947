/** The element's dark colours follow a container's `color-scheme: dark`, not only the visitor's preference. */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/element/index.js';

const colorsOf = (el: Element): { text: string; box: string } => ({
  text: getComputedStyle(el).color,
  box: getComputedStyle(el.shadowRoot!.querySelector('[part~=base]')!).backgroundColor,
});

describe('<video-uploader> colour scheme', () => {
  it('is dark inside a container with color-scheme: dark, and light inside one with color-scheme: light', async () => {
    // The test pages run with the light preference of a headless browser: only the container can make it dark.
    expect(matchMedia('(prefers-color-scheme: dark)').matches).to.equal(false);
    const page = await fixture<HTMLDivElement>(
      html`<div>
        <div style="color-scheme: dark"><video-uploader token-url="/__token"></video-uploader></div>
        <div style="color-scheme: light"><video-uploader token-url="/__token"></video-uploader></div>
      </div>`,
    );
    const [dark, light] = [...page.querySelectorAll('video-uploader')];
    await (dark as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(colorsOf(dark)).to.deep.equal({ text: 'rgb(229, 231, 235)', box: 'rgb(24, 24, 27)' });
    expect(colorsOf(light)).to.deep.equal({ text: 'rgb(31, 41, 55)', box: 'rgb(255, 255, 255)' });
  });

  it('lets the page override a colour for both schemes', async () => {
    const el = await fixture(
      html`<div style="color-scheme: dark">
        <video-uploader style="--video-uploader-background: #102030" token-url="/__token"></video-uploader>
      </div>`,
    );
    const uploader = el.querySelector('video-uploader')!;
    expect(colorsOf(uploader).box).to.equal('rgb(16, 32, 48)');
  });
});
