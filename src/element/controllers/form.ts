import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the element tells the controller after each update. */
export interface FormControllerOptions {
  /** What the form submits: one string, several entries, or null for nothing. */
  value(): string | FormData | null;
  /** Why the element cannot be submitted yet, or null when it can. */
  invalid(): { flags: ValidityStateFlags; message: string } | null;
  /** The control the browser's validation bubble points at. */
  anchor(): HTMLElement | undefined;
}

/**
 * Form association through `ElementInternals`, as Material Web's form-associated mixin and Shoelace's
 * `FormControlController` do it: after every update the element's value and validity go to its form, and
 * `formDisabled` follows a disabled `<fieldset>`. The element's `:state()` names live on the same internals.
 * Without `ElementInternals` (an old browser, a server) it does nothing.
 */
export class FormController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: FormControllerOptions;
  /** The element's internals; undefined where the browser (or a server) has none. */
  readonly internals: ElementInternals | undefined;
  #formDisabled = false;

  constructor(host: ReactiveControllerHost & HTMLElement, options: FormControllerOptions) {
    this.#host = host;
    this.#options = options;
    this.internals = host.attachInternals?.();
    // A group, so that a <label for>, aria-label or aria-labelledby on the element names its controls together.
    if (this.internals) this.internals.role = 'group';
    host.addController(this);
  }

  hostUpdated(): void {
    const internals = this.internals;
    if (!internals) return;
    internals.setFormValue(this.#options.value());
    const invalid = this.#options.invalid();
    if (invalid) internals.setValidity(invalid.flags, invalid.message, this.#options.anchor());
    else internals.setValidity({});
  }

  /** Whether a disabled `<fieldset>` (or form) disables the element. */
  get formDisabled(): boolean {
    return this.#formDisabled;
  }

  /** The element's `formDisabledCallback`. */
  setFormDisabled(disabled: boolean): void {
    this.#formDisabled = disabled;
    this.#host.requestUpdate();
  }

  /** Turns the element's custom states on and off, for `:host(:state(name))` selectors. */
  setStates(states: Record<string, boolean>): void {
    const set = this.internals?.states;
    if (!set) return;
    for (const [name, on] of Object.entries(states)) {
      try {
        if (on) set.add(name);
        else set.delete(name);
      } catch {
        // Browsers from before CSS :state() only take dashed names.
        if (on) set.add(`--${name}`);
        else set.delete(`--${name}`);
      }
    }
  }
}
