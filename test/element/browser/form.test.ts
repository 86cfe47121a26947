/** Form association: the value is the videoId, required and in-flight uploads block submission, reset and disabled work. */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../../src/element/index.js';
import { part, tokenUrl, videoFile } from './helpers.js';

describe('<video-uploader> in a form', () => {
  it('is accessible in a form, named by its label', async () => {
    const form = await fixture<HTMLFormElement>(
      html`<form>
        <label for="pitch">Pitch video</label>
        <video-uploader id="pitch" name="video" required token-url="/__token"></video-uploader>
      </form>`,
    );
    await expect(form).to.be.accessible();
    const el = form.querySelector('video-uploader')!;
    // A labelable control: clicking its label moves focus to the file button.
    form.querySelector('label')!.click();
    expect(el.shadowRoot!.activeElement).to.equal(el.shadowRoot!.querySelector('[part~=button]'));
  });

  it('is value-missing while required and empty, then submits the videoId', async () => {
    const form = await fixture<HTMLFormElement>(
      html`<form><video-uploader name="video" required token-url="/__token"></video-uploader></form>`,
    );
    const el = form.querySelector('video-uploader')!;
    await el.updateComplete;
    expect(el.form).to.equal(form);
    expect(form.checkValidity()).to.equal(false);
    expect(el.validity!.valueMissing).to.equal(true);
    expect(el.validationMessage).to.equal('Please upload a video.');
    expect(new FormData(form).get('video')).to.equal(null);
    let submitted = 0;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitted++;
    });
    // The browser's own validation bubble is not under test; WebKitGTK's web process crashed now and then
    // showing it for a form-associated element. Cancelling `invalid` hides it; submission stays blocked.
    el.addEventListener('invalid', (event) => event.preventDefault());
    form.requestSubmit();
    expect(submitted).to.equal(0);

    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('form.mp4', 150_000));
    const { detail } = await completed;
    await el.updateComplete;
    expect(el.validity!.valid).to.equal(true);
    expect(el.value).to.equal(detail.video.videoId);
    expect(new FormData(form).get('video')).to.equal(detail.video.videoId);
    form.requestSubmit();
    expect(submitted).to.equal(1);
  });

  it('is invalid with a clear message while an upload runs, so the form cannot be submitted half-way', async () => {
    const url = await tokenUrl({ bandwidth: 256 * 1024 });
    const form = await fixture<HTMLFormElement>(
      html`<form><video-uploader name="video" token-url=${url}></video-uploader></form>`,
    );
    const el = form.querySelector('video-uploader')!;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    const progressed = oneEvent(el, 'video-upload-progress');
    el.start(videoFile('slow.mp4', 2 * 1024 * 1024));
    await progressed;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(false);
    expect(el.validity!.customError).to.equal(true);
    expect(el.validationMessage).to.equal('Please wait until the video has finished uploading.');
    const paused = oneEvent(el, 'video-upload-pause');
    el.pause();
    await paused;
    await el.updateComplete;
    expect(el.validity!.customError, 'still invalid while paused').to.equal(true);
    el.cancel();
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
  });

  it('forgets the video on form reset', async () => {
    const form = await fixture<HTMLFormElement>(
      html`<form><video-uploader name="video" required token-url="/__token"></video-uploader></form>`,
    );
    const el = form.querySelector('video-uploader')!;
    const completed = oneEvent(el, 'video-upload-complete');
    el.start(videoFile('reset.mp4', 100_000));
    await completed;
    await el.updateComplete;
    expect(new FormData(form).get('video')).to.match(/^vi/);
    form.reset();
    await el.updateComplete;
    expect(el.state).to.equal('idle');
    expect(el.value).to.equal('');
    expect(el.video).to.equal(null);
    expect(new FormData(form).get('video')).to.equal(null);
    expect(el.validity!.valueMissing).to.equal(true);
    expect(part(el, 'button')).to.exist;
  });

  it('is disabled by a disabled fieldset and by its own attribute', async () => {
    const form = await fixture<HTMLFormElement>(
      html`<form>
        <fieldset disabled><video-uploader name="video" token-url="/__token"></video-uploader></fieldset>
      </form>`,
    );
    const el = form.querySelector('video-uploader')!;
    await el.updateComplete;
    expect(part<HTMLButtonElement>(el, 'button')!.disabled).to.equal(true);
    expect(el.matches(':state(disabled)')).to.equal(true);
    el.addEventListener('video-upload-select', () => expect.fail('a disabled element took a file'));
    await el.start(videoFile());
    expect(el.state).to.equal('idle');
    await expect(form).to.be.accessible();

    form.querySelector('fieldset')!.disabled = false;
    await el.updateComplete;
    expect(part<HTMLButtonElement>(el, 'button')!.disabled).to.equal(false);
    el.disabled = true;
    await el.updateComplete;
    expect(part<HTMLButtonElement>(el, 'button')!.disabled).to.equal(true);
    expect(el.matches(':state(disabled)')).to.equal(true);
  });
});
