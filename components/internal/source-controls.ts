/**
 * The Source group of `<loupe-live>`'s control bar: pause/resume, and a file picker for a picture or
 * a video to detect on instead of the camera (the same as dropping one on the element).
 */
import { html } from 'lit';

export interface SourceControls {
  /** Whether the source is a video (a still picture has nothing to pause). */
  canPause: boolean;
  paused: boolean;
  togglePause(): void;
  openFile(file: File): void;
}

/** What the file picker accepts (anything else is refused by the camera as `bad-input` anyway). */
export const ACCEPTED_FILES = 'image/*,video/*';

export function renderSourceControls(c: SourceControls) {
  const onFile = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    // Cleared, so picking the same file again is a change too.
    input.value = '';
    if (file) c.openFile(file);
  };
  return html`
    <div class="field source" part="source-controls" role="group" aria-label="Source">
      <span class="name">Source</span>
      <span class="toggles">
        <button type="button" class="pause" ?disabled=${!c.canPause} @click=${() => c.togglePause()}>
          ${c.paused
            ? html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M8 5v14l11-7z" fill="currentColor" /></svg>Resume`
            : html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 5h4v14H7zM13 5h4v14h-4z" fill="currentColor" /></svg>Pause`}
        </button>
        <button
          type="button"
          title="A picture or a video from this device (or drop one on the picture)"
          @click=${(event: Event) => ((event.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()}
        >
          Open file…
        </button>
        <input type="file" class="file-input" accept=${ACCEPTED_FILES} hidden aria-label="Open a picture or video" @change=${onFile} />
      </span>
    </div>
  `;
}
