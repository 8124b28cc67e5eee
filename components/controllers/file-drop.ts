/**
 * Drag-and-drop of a picture or video onto `<loupe-live>`: while files are dragged over the element it
 * says where to drop them (`dragging`); a drop hands the first file to the host, which shows it in
 * place of the camera (`<loupe-camera>.openFile()`, which refuses other files as `bad-input`).
 *
 * Plain TypeScript (no Lit): attached to the element at connection, detached at disconnection.
 */

export interface FileDropHost {
  /** The drag state changed: render again. */
  requestUpdate(): void;
  openFile(file: File): void;
}

export class FileDrop {
  private target: HTMLElement | null = null;
  private over = false;

  constructor(private readonly host: FileDropHost) {}

  /** Whether files are being dragged over the element now. */
  get dragging(): boolean {
    return this.over;
  }

  attach(target: HTMLElement): void {
    this.detach();
    this.target = target;
    target.addEventListener('dragenter', this.onDragOver);
    target.addEventListener('dragover', this.onDragOver);
    target.addEventListener('dragleave', this.onDragLeave);
    target.addEventListener('drop', this.onDrop);
  }

  detach(): void {
    const target = this.target;
    if (!target) return;
    target.removeEventListener('dragenter', this.onDragOver);
    target.removeEventListener('dragover', this.onDragOver);
    target.removeEventListener('dragleave', this.onDragLeave);
    target.removeEventListener('drop', this.onDrop);
    this.target = null;
    this.setOver(false);
  }

  private readonly onDragOver = (event: DragEvent): void => {
    // Only files: a dragged link or text selection is not ours to take.
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.setOver(true);
  };

  private readonly onDragLeave = (event: DragEvent): void => {
    // Moving between the element's own parts fires dragleave too (related target still inside).
    const related = event.relatedTarget as Node | null;
    if (related && this.target && (related === this.target || this.target.contains(related))) return;
    this.setOver(false);
  };

  private readonly onDrop = (event: DragEvent): void => {
    const file = event.dataTransfer?.files[0];
    if (!file) return;
    event.preventDefault();
    this.setOver(false);
    this.host.openFile(file);
  };

  private setOver(over: boolean): void {
    if (over === this.over) return;
    this.over = over;
    this.host.requestUpdate();
  }
}
