import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadLocale, onLocaleRegistered, stringsFor, type VideoUploaderStrings } from '../strings.js';

/** What the controller reads of its element: its own `lang` and the page's overrides of the text. */
export interface LocalizeHost extends ReactiveControllerHost, HTMLElement {
  strings: Partial<VideoUploaderStrings>;
}

/**
 * The language of one element and its words in it, the way Shoelace's `LocalizeController` works: the
 * element's `lang`, the closest ancestor's, the document's, then the browser's. The element re-renders when
 * the document's `lang` changes, when a language is registered, and when a built-in one arrives. Numbers,
 * sizes and durations go through `Intl` in `locale` (see format.ts).
 */
export class LocalizeController implements ReactiveController {
  readonly #host: LocalizeHost;
  #stopListening: (() => void) | undefined;
  #observer: MutationObserver | undefined;

  constructor(host: LocalizeHost) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    this.#stopListening = onLocaleRegistered(this.#handleChange);
    if (typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
      this.#observer = new MutationObserver(this.#handleChange);
      this.#observer.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    }
  }

  hostDisconnected(): void {
    this.#stopListening?.();
    this.#observer?.disconnect();
  }

  hostUpdate(): void {
    // A built-in language other than English arrives in its own module; the element re-renders when it does.
    // (English words of an upload come with the engine, which the element loads anyway.)
    const locale = this.locale;
    if (!/^en\b/i.test(locale)) loadLocale(locale).catch(() => undefined);
  }

  #handleChange = (): void => {
    this.#host.requestUpdate();
  };

  /** The language in use: the element's, an ancestor's, the document's, the browser's, or English. */
  get locale(): string {
    const candidates = [
      this.#host.lang,
      this.#host.closest?.('[lang]')?.getAttribute('lang'),
      typeof document !== 'undefined' ? document.documentElement.lang : '',
      typeof navigator !== 'undefined' ? navigator.language : '',
    ];
    for (const candidate of candidates) {
      if (!candidate) continue;
      try {
        return Intl.getCanonicalLocales(candidate)[0];
      } catch {
        // not a valid language tag: try the next
      }
    }
    return 'en';
  }

  /** Every text of the element in its language, with the page's overrides on top. */
  get text(): VideoUploaderStrings {
    return { ...stringsFor(this.locale), ...this.#host.strings };
  }
}
