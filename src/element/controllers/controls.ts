import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UploadController } from './upload.js';

/** What the controls controller reads of its element. */
export interface ControlsHost extends ReactiveControllerHost {
  readonly multiple: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** Forgets every file and video: "Upload another video". */
  reset(): void;
}

/**
 * The controls of a picked file: Pause and Resume, "Upload another video"; Cancel during a batch
 * (`multiple`) first asks whether to cancel this file or every file still to upload; a waiting file can be
 * taken out of the queue; and when controls come and go with the state, focus moves to the next one rather
 * than being lost. Part of the engine's chunk (engine.ts): these controls exist only once a file is picked.
 */
export class ControlsController implements ReactiveController {
  readonly #host: ControlsHost;
  readonly #uploads: UploadController;
  /** Whether the question "this file, or all?" is shown. */
  confirming = false;
  #focusWasInside = false;

  constructor(host: ControlsHost, uploads: UploadController) {
    this.#host = host;
    this.#uploads = uploads;
    host.addController(this);
  }

  hostUpdate(): void {
    // The question is about the file now uploading and those waiting: it goes when either is gone.
    if (this.confirming && (!this.#uploads.busy || this.#uploads.view.queue.length === 0)) this.confirming = false;
    // Controls come and go with the state; remember whether focus was among them so it is not lost.
    this.#focusWasInside = Boolean(this.#root?.activeElement);
  }

  hostUpdated(): void {
    if (!this.#focusWasInside || this.#root?.activeElement) return;
    for (const part of ['retry-button', 'pause-button', 'another-button', 'button', 'link', 'cancel-button']) {
      const next = this.#host.renderRoot.querySelector<HTMLElement>(`[part~=${part}]:not(:disabled)`);
      if (next) return next.focus();
    }
  }

  get #root(): ShadowRoot | null {
    const root = this.#host.renderRoot;
    return root instanceof ShadowRoot ? root : null;
  }

  #part(name: string): HTMLElement | null {
    return this.#host.renderRoot.querySelector<HTMLElement>(`[part~='${name}']`);
  }

  #focusAfterUpdate(...parts: string[]): void {
    void this.#host.updateComplete.then(() => {
      for (const name of parts) {
        const found = this.#part(name);
        if (found) return found.focus();
      }
    });
  }

  #answer(): void {
    this.confirming = false;
    this.#host.requestUpdate();
  }

  pauseClick = (): void => {
    if (this.#uploads.view.state === 'paused') this.#uploads.resume();
    else this.#uploads.pause();
  };

  anotherClick = (): void => {
    this.#host.reset();
    this.#focusAfterUpdate('button');
  };

  /** Cancel: during a batch it asks first; otherwise it cancels. */
  cancelClick = (): void => {
    if (this.#host.multiple && this.#uploads.view.queue.length > 0) {
      this.confirming = true;
      this.#host.requestUpdate();
      this.#focusAfterUpdate('keep-button');
    } else {
      this.#uploads.cancel();
    }
  };

  cancelThisFile = (): void => {
    this.#answer();
    this.#uploads.cancel('current');
  };

  cancelAll = (): void => {
    this.#answer();
    this.#uploads.cancel();
  };

  keepUploading = (): void => {
    this.#answer();
    this.#focusAfterUpdate('cancel-button');
  };

  removeQueued = (file: File): void => {
    this.#uploads.removeQueued(file);
    // Focus stays in the list (the next file's button), or goes to Cancel once the list is gone.
    this.#focusAfterUpdate('remove-button', 'cancel-button');
  };
}
