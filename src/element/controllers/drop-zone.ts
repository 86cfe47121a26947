import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** What the drop zone asks of its element. */
export interface DropZoneOptions {
  /** Whether a drop would be taken now (the element is neither disabled nor busy with a single file). */
  canDrop(): boolean;
  /** Receives the files dropped. */
  drop(files: File[]): void;
}

/**
 * Drag and drop of files onto one zone of the element. The element binds the `handleX` fields to the
 * zone's drag events and reads `dragover` while rendering. Entering and leaving child nodes is counted,
 * so that `dragover` only ends when the pointer leaves the zone itself.
 */
export class DropZoneController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #options: DropZoneOptions;
  #depth = 0;
  #dragover = false;

  constructor(host: ReactiveControllerHost, options: DropZoneOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** Whether files are dragged over the zone. */
  get dragover(): boolean {
    return this.#dragover;
  }

  hostDisconnected(): void {
    this.#depth = 0;
    this.#setDragover(false);
  }

  #setDragover(dragover: boolean): void {
    if (dragover === this.#dragover) return;
    this.#dragover = dragover;
    this.#host.requestUpdate();
  }

  #accepts(event: DragEvent): boolean {
    return this.#options.canDrop() && Boolean(event.dataTransfer?.types.includes('Files'));
  }

  handleDragEnter = (event: DragEvent): void => {
    if (!this.#accepts(event)) return;
    event.preventDefault();
    this.#depth++;
    this.#setDragover(true);
  };

  handleDragOver = (event: DragEvent): void => {
    if (!this.#accepts(event)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    this.#setDragover(true);
  };

  handleDragLeave = (): void => {
    this.#depth = Math.max(0, this.#depth - 1);
    if (this.#depth === 0) this.#setDragover(false);
  };

  handleDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.#depth = 0;
    this.#setDragover(false);
    if (!this.#options.canDrop()) return;
    this.#options.drop([...(event.dataTransfer?.files ?? [])]);
  };
}
