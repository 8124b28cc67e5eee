/**
 * <loupe-camera>: a frame source. Shows the user's camera (getUserMedia), or a video/image URL,
 * and tells listeners when frames can be read.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { LoupeErrorType } from '../models/index.js';
import { emit, type ErrorDetail, type SourceKind } from './events.js';
import { cameraStyles } from './loupe-camera.styles.js';
import { flipTarget } from './internal/camera-flip.js';
import { MediaFile } from './internal/media-file.js';

export type FacingMode = 'user' | 'environment';

const IMAGE_URL = /^data:image\/|\.(png|jpe?g|gif|webp|avif|bmp|svg)(\?.*)?(#.*)?$/i;

/** Properties whose change means "open the source again". */
const SOURCE_PROPERTIES = ['src', 'facingMode', 'deviceId', 'width', 'height'] as const;

/**
 * A camera or a looping clip, ready to be fed to `<loupe-detector>`.
 *
 * Without `src` it asks for the camera; with `src` it plays that video (looped, muted, inline) or
 * shows that image. If the camera fails and `fallback-src` is set, it switches to that clip and says
 * so, with a button to try the camera again. With two cameras or more it shows a camera picker and a
 * flip button (`flip()`). `openFile()` shows a picture or video file instead (until `src` changes or the
 * camera is asked for again). Tracks stop when the element leaves the document.
 *
 * The notice, picker and flip button sit in one chip row (`chips` part; the host carries the `chips`
 * attribute while it shows), above anything stacked over the camera, such as an overlay's held frame.
 *
 * @summary Camera, video or image source.
 *
 * @fires loupe-source-ready - Frames can be read from `.source` (again after each source change).
 * @fires loupe-error - `camera-denied`, `camera-unavailable`, or `bad-input` when `src` or a file fails to load.
 *
 * @csspart media - The `<video>` or `<img>` showing the frames.
 * @csspart message - The panel shown when the camera is unavailable.
 * @csspart notice - The chip shown while playing the fallback clip.
 * @csspart device-picker - The camera `<select>`, shown when there are several cameras.
 * @csspart flip-button - The button that switches to the other camera (front/back), shown with the picker.
 * @csspart chips - The row holding the notice, the picker and the flip button.
 *
 * @cssprop --loupe-object-fit - How frames fit the element (default `contain`).
 * @cssprop --loupe-camera-background - Colour around letterboxed frames (default `#000`).
 * @cssprop --loupe-accent - Accent colour of buttons and focus rings.
 */
export class LoupeCamera extends LitElement {
  static override styles = cameraStyles;

  static override properties = {
    facingMode: { type: String, attribute: 'facing-mode' },
    deviceId: { type: String, attribute: 'device-id' },
    width: { type: Number },
    height: { type: Number },
    src: { type: String },
    fallbackSrc: { type: String, attribute: 'fallback-src' },
    _kind: { state: true },
    _error: { state: true },
    _cameraError: { state: true },
    _usingFallback: { state: true },
    _devices: { state: true },
    _activeDeviceId: { state: true },
  };

  /** Which camera to prefer when `device-id` is not set. */
  declare facingMode: FacingMode;
  /** A `MediaDeviceInfo.deviceId`; wins over `facing-mode`. */
  declare deviceId: string | undefined;
  /** Ideal capture width in pixels (the browser picks the closest it has). */
  declare width: number;
  /** Ideal capture height in pixels. */
  declare height: number;
  /** A video or image URL to show instead of the camera. */
  declare src: string | undefined;
  /** A clip to play when the camera cannot be opened. */
  declare fallbackSrc: string | undefined;

  declare private _kind: SourceKind | null;
  /** What failed last; shown as a blocking panel. */
  declare private _error: ErrorDetail | null;
  /** Why the fallback clip is showing; shown in the notice chip. */
  declare private _cameraError: ErrorDetail | null;
  declare private _usingFallback: boolean;
  declare private _devices: MediaDeviceInfo[];
  declare private _activeDeviceId: string | undefined;

  /** The video element (camera and clips). Always the same element for the life of this one. */
  readonly video: HTMLVideoElement;
  /** The image element (image URLs). */
  readonly image: HTMLImageElement;

  private stream: MediaStream | null = null;
  /** A file shown by `openFile()`, in place of `src` and the camera. */
  private readonly file = new MediaFile();
  /** Bumped on every (re)open, so a slow getUserMedia or load that lost the race is dropped. */
  private generation = 0;
  /** Set by a disconnect until the end of its task: a move (re-inserted at once) keeps the camera on. */
  private closePending = false;

  constructor() {
    super();
    this.facingMode = 'environment';
    this.deviceId = undefined;
    this.width = 1280;
    this.height = 720;
    this.src = undefined;
    this.fallbackSrc = undefined;
    this._kind = null;
    this._error = null;
    this._cameraError = null;
    this._usingFallback = false;
    this._devices = [];
    this._activeDeviceId = undefined;

    this.video = document.createElement('video');
    this.video.className = 'media';
    this.video.setAttribute('part', 'media');
    // Muted + playsinline is what lets mobile browsers autoplay without a tap.
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.autoplay = true;
    // CORS mode so frames of a cross-origin clip served with CORS stay readable by the detector.
    this.video.crossOrigin = 'anonymous';

    this.image = document.createElement('img');
    this.image.className = 'media';
    this.image.setAttribute('part', 'media');
    this.image.crossOrigin = 'anonymous';
    this.image.alt = '';
  }

  /** The element holding the current frames, or `null` until `loupe-source-ready`. */
  get source(): HTMLVideoElement | HTMLImageElement | null {
    if (this._kind === 'image') return this.image;
    return this._kind ? this.video : null;
  }

  /** What is showing: `'camera'`, `'video'`, `'image'`, or `null` while opening. */
  get kind(): SourceKind | null {
    return this._kind;
  }

  /** Whether the fallback clip is showing because the camera failed. */
  get usingFallback(): boolean {
    return this._usingFallback;
  }

  /** The camera's `MediaStream` while the camera is showing. */
  get mediaStream(): MediaStream | null {
    return this.stream;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices?.addEventListener('devicechange', this.onDeviceChange);
    if (this.closePending) {
      // Moved in the DOM (removed and re-inserted in one task): the camera never stopped; keep it.
      this.closePending = false;
      return;
    }
    // First connection opens the source from willUpdate(); a re-connection must reopen it here.
    if (this.hasUpdated) void this.open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices?.removeEventListener('devicechange', this.onDeviceChange);
    // Stop the tracks at the end of this task (a microtask) unless the element is back in the document
    // by then: removal stops the camera before any other task runs, a move does not restart it.
    this.closePending = true;
    queueMicrotask(() => {
      if (!this.closePending || this.isConnected) return;
      this.closePending = false;
      this.close();
      this.file.clear();
    });
  }

  /** Opens the source again: the camera (clearing a previous error or fallback) or `src`. */
  async retry(): Promise<void> {
    this.file.clear();
    this._usingFallback = false;
    this._cameraError = null;
    await this.open();
  }

  /** Switches to `fallback-src` (if set), e.g. when the user prefers the sample over the camera. */
  async useFallback(): Promise<void> {
    if (!this.fallbackSrc) return;
    this._usingFallback = true;
    await this.open();
  }

  /**
   * Shows a picture or video file (a drop, a file input) in place of the camera or `src`, until `src`
   * changes or `retry()`. A file that is neither fails as `bad-input` (the message panel, with Try again).
   */
  async openFile(file: File): Promise<void> {
    if (!this.file.set(file)) {
      const generation = this.close();
      this.file.clear();
      this.fail(generation, 'bad-input', `${file.name || 'The file'} is not a picture or a video (${file.type || 'unknown type'}).`);
      return;
    }
    await this.open();
  }

  /** The name of the file showing (see `openFile()`), or null. */
  get fileName(): string | null {
    return this.file.value?.name ?? null;
  }

  /**
   * Switches to the other camera: the other side where the camera says which way it faces (phones),
   * else the next camera in the list. Does nothing with fewer than two cameras.
   */
  flip(): void {
    const settings = this.stream?.getVideoTracks()[0]?.getSettings();
    const target = flipTarget(
      this._devices.map((device) => device.deviceId),
      this._activeDeviceId,
      settings?.facingMode,
    );
    if (!target) return;
    if ('facingMode' in target) {
      this.deviceId = undefined;
      this.facingMode = target.facingMode;
    } else {
      this.deviceId = target.deviceId;
    }
  }

  private async open(): Promise<void> {
    const generation = this.close();
    this._error = null;
    const file = this.file.value;
    const url = this.src ?? (this._usingFallback ? this.fallbackSrc : undefined);
    if (file) await this.openUrl(file.url, generation, file.kind);
    else if (url) await this.openUrl(url, generation);
    else await this.openCamera(generation);
  }

  /** Stops whatever is showing; returns the generation the next open must carry. */
  private close(): number {
    this.generation += 1;
    this.stopTracks();
    this._kind = null;
    return this.generation;
  }

  private stopTracks(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    // Release the clip or stream too: a detached, looping video would keep decoding.
    this.video.pause();
    this.video.srcObject = null;
    if (this.video.hasAttribute('src')) {
      this.video.removeAttribute('src');
      this.video.load();
    }
  }

  private async openCamera(generation: number): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.fail(generation, 'camera-unavailable', 'This page has no camera access (it needs HTTPS or localhost).');
      return;
    }
    const size = { width: { ideal: this.width }, height: { ideal: this.height } };
    const video: MediaTrackConstraints = this.deviceId
      ? { ...size, deviceId: { exact: this.deviceId } }
      : { ...size, facingMode: { ideal: this.facingMode } };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
    } catch (error) {
      const [type, message] = describeCameraError(error);
      this.fail(generation, type, message);
      return;
    }
    if (generation !== this.generation) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    this.video.loop = false;
    this.video.srcObject = stream;
    const track = stream.getVideoTracks()[0];
    // The browser ends a track by itself when the camera is unplugged, taken by another application or
    // tab, or access is withdrawn; track.stop() (ours) fires no `ended`.
    track?.addEventListener('ended', () => this.onTrackEnded(generation), { once: true });
    this._activeDeviceId = track?.getSettings().deviceId;
    if (!(await this.playVideo(generation))) return;
    this.ready(generation, 'camera', track?.label || 'Camera');
    // Labels and the full list are only visible once permission is granted, so list devices now.
    await this.listDevices();
  }

  /** The camera went away under us: say so, stop showing a frozen frame, offer a way back. */
  private onTrackEnded(generation: number): void {
    if (generation !== this.generation) return;
    this.stopTracks();
    this._kind = null;
    this.fail(
      generation,
      'camera-unavailable',
      'The camera stopped: it was unplugged, another application or tab took it, or access was withdrawn. Try again once it is back.',
    );
  }

  /** `kind`: what the URL holds where its name does not say (a file's object URL). */
  private async openUrl(url: string, generation: number, kind?: 'image' | 'video'): Promise<void> {
    if (kind ? kind === 'image' : IMAGE_URL.test(url)) {
      this.image.src = url;
      try {
        await this.image.decode();
      } catch {
        this.fail(generation, 'bad-input', `Could not load the image ${this.file.value?.name ?? url}.`);
        return;
      }
      this.ready(generation, 'image', url);
      return;
    }
    this.video.loop = true;
    this.video.src = url;
    if (!(await this.playVideo(generation))) return;
    this.ready(generation, 'video', url);
  }

  /** Waits for the first frame and starts playback; false if superseded or failed. */
  private async playVideo(generation: number): Promise<boolean> {
    const video = this.video;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) {
      const loaded = await new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => () => {
          video.removeEventListener('loadeddata', onLoaded);
          video.removeEventListener('error', onError);
          resolve(ok);
        };
        const onLoaded = done(true);
        const onError = done(false);
        video.addEventListener('loadeddata', onLoaded);
        video.addEventListener('error', onError);
      });
      if (generation !== this.generation) return false;
      if (!loaded) {
        const what = video.srcObject ? 'the camera stream' : (this.file.value?.name ?? (video.currentSrc || video.src));
        this.fail(generation, 'bad-input', `Could not play ${what}.`);
        return false;
      }
    }
    // A rejected play() (autoplay policy) still leaves the first frame readable, so carry on.
    await video.play().catch(() => undefined);
    return generation === this.generation;
  }

  private ready(generation: number, kind: SourceKind, label: string): void {
    if (generation !== this.generation) return;
    this._kind = kind;
    const source = kind === 'image' ? this.image : this.video;
    const width = source instanceof HTMLVideoElement ? source.videoWidth : source.naturalWidth;
    const height = source instanceof HTMLVideoElement ? source.videoHeight : source.naturalHeight;
    emit(this, 'loupe-source-ready', { source, kind, width, height, label });
  }

  private fail(generation: number, type: LoupeErrorType, message: string): void {
    if (generation !== this.generation) return;
    emit(this, 'loupe-error', { type, message });
    const isCamera = type === 'camera-denied' || type === 'camera-unavailable';
    if (isCamera && this.fallbackSrc && !this.src) {
      // Keep going with the clip; the reason stays visible in the notice, not as a blocking panel.
      this._cameraError = { type, message };
      this._usingFallback = true;
      void this.open();
      return;
    }
    this._error = { type, message };
  }

  private async listDevices(): Promise<void> {
    const devices = await navigator.mediaDevices?.enumerateDevices().catch(() => []);
    this._devices = (devices ?? []).filter((device) => device.kind === 'videoinput' && device.deviceId);
  }

  private readonly onDeviceChange = (): void => {
    if (this._kind === 'camera') void this.listDevices();
  };

  private onPickDevice(event: Event): void {
    this.deviceId = (event.target as HTMLSelectElement).value;
  }

  /** Refuses bad `facing-mode`, `width`, `height` (bad-option), keeping the previous value. */
  private rejectInvalid(changed: PropertyValues<this>): void {
    if (changed.has('facingMode') && this.facingMode !== 'user' && this.facingMode !== 'environment') {
      const message = `facing-mode must be 'user' or 'environment'; got '${this.facingMode}'.`;
      this.facingMode = changed.get('facingMode') ?? 'environment';
      emit(this, 'loupe-error', { type: 'bad-option', message });
    }
    for (const name of ['width', 'height'] as const) {
      const value = this[name];
      if (changed.has(name) && !(Number.isFinite(value) && value > 0)) {
        const message = `${name} must be a positive number of pixels; got '${this.getAttribute(name) ?? value}'.`;
        this[name] = changed.get(name) ?? (name === 'width' ? 1280 : 720);
        emit(this, 'loupe-error', { type: 'bad-option', message });
      }
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.rejectInvalid(changed);
    // Reopen here rather than in updated(): opening resets state, which then renders in this same update.
    const sourceChanged = SOURCE_PROPERTIES.some((name) => changed.has(name) && changed.get(name) !== this[name]);
    const fallbackChanged = changed.has('fallbackSrc') && this._usingFallback;
    // A new src (or camera choice) replaces a file shown by openFile().
    if (sourceChanged) this.file.clear();
    // Not while detached (Lit still updates then): the camera would stay on with nobody to stop it.
    if (this.isConnected && (sourceChanged || fallbackChanged)) void this.open();
    // Exactly one of the two media elements shows; they are ours, so toggle them directly.
    this.image.hidden = this._kind !== 'image';
    this.video.hidden = this._kind === 'image';
  }

  /** Whether the chip row shows: the fallback notice, or the picker and flip button (two cameras or more). */
  private get showsChips(): boolean {
    return (!this._error && this._usingFallback && !this.file.value) || this.showsPicker;
  }

  private get showsPicker(): boolean {
    return this._kind === 'camera' && this._devices.length > 1;
  }

  protected override updated(): void {
    // Lets a host make room for the chip row (see loupe-live.styles.ts).
    this.toggleAttribute('chips', this.showsChips);
  }

  protected override render() {
    return html`
      ${this.video}${this.image}
      ${this._error ? this.renderMessage(this._error) : nothing}
      ${this.showsChips
        ? html`<div class="chips" part="chips">
            ${!this._error && this._usingFallback && !this.file.value ? this.renderNotice() : nothing}
            ${this.showsPicker ? html`${this.renderFlipButton()}${this.renderDevicePicker()}` : nothing}
          </div>`
        : nothing}
    `;
  }

  private renderFlipButton() {
    return html`
      <button type="button" class="flip" part="flip-button" aria-label="Switch camera" title="Switch camera" @click=${() => this.flip()}>
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 8h11l-3-3M20 16H9l3 3" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      </button>
    `;
  }

  private renderMessage(error: ErrorDetail) {
    const title =
      error.type === 'camera-denied' ? 'Camera access was blocked' : error.type === 'camera-unavailable' ? 'No camera available' : 'Could not load the source';
    return html`
      <div class="panel" part="message" role="alert">
        <h2>${title}</h2>
        <p>${error.message}</p>
        <div class="actions">
          <button class="primary" @click=${() => void this.retry()}>Try again</button>
          ${this.fallbackSrc && !this.src ? html`<button @click=${() => void this.useFallback()}>Use the sample clip</button>` : nothing}
        </div>
      </div>
    `;
  }

  private renderNotice() {
    const cause = this._cameraError;
    const reason = cause?.type === 'camera-denied' ? 'Camera blocked' : cause ? 'No camera' : 'Sample clip';
    return html`
      <div class="notice" part="notice" role="status" title=${cause?.message ?? ''}>
        <span>${reason} · showing the sample clip</span>
        <button @click=${() => void this.retry()}>Use camera</button>
      </div>
    `;
  }

  private renderDevicePicker() {
    return html`
      <select class="device-picker" part="device-picker" aria-label="Camera" @change=${this.onPickDevice}>
        ${this._devices.map(
          (device, index) => html`
            <option value=${device.deviceId} ?selected=${device.deviceId === this._activeDeviceId}>
              ${device.label || `Camera ${index + 1}`}
            </option>
          `,
        )}
      </select>
    `;
  }
}

/** Maps a getUserMedia rejection to Loupe's error type and a sentence a person can act on. */
function describeCameraError(error: unknown): [LoupeErrorType, string] {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return ['camera-denied', 'Allow camera access in the browser’s site settings, then try again.'];
    case 'NotFoundError':
    case 'OverconstrainedError':
      return ['camera-unavailable', 'No camera matching the request was found.'];
    case 'NotReadableError':
    case 'AbortError':
      return ['camera-unavailable', 'The camera is in use by another application, or the system blocked it.'];
    default:
      return ['camera-unavailable', `The camera could not be opened${error instanceof Error ? `: ${error.message}` : '.'}`];
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'loupe-camera': LoupeCamera;
  }
}
