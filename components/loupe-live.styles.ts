import { css } from 'lit';

export const liveStyles = css`
  :host {
    --_surface: var(--loupe-surface, #121318);
    --_line: var(--loupe-line, #262833);
    --_text: var(--loupe-text, #ececf1);
    --_muted: var(--loupe-muted, #9597a6);
    --_accent: var(--loupe-accent, #ffb454);
    --_mono: var(--loupe-mono, ui-monospace, 'SF Mono', 'JetBrains Mono', Menlo, Consolas, monospace);

    display: block;
    /* The control bar adapts to the element's own width (a phone, a sidebar), not the viewport's. */
    container-type: inline-size;
    color: var(--_text);
    font: 13px/1.4 var(--loupe-font, ui-sans-serif, system-ui, sans-serif);
    border: 1px solid var(--_line);
    border-radius: var(--loupe-radius, 14px);
    background: var(--_surface);
    overflow: hidden;
  }
  :host([hidden]) {
    display: none;
  }

  /* ── Stage: the picture, its overlay, and the HUD ─────────────────────────── */
  .stage {
    position: relative;
    width: 100%;
    max-height: var(--loupe-max-height, 75vh);
    min-height: 200px;
    background: #000;
  }
  loupe-detector {
    position: absolute;
    inset: 0;
  }
  /*
   * The top band is the stage's chrome: row 1 the HUD (backend badge left, fps pill right), row 2 the
   * camera's chips (fallback notice, flip, picker) while they show. The overlay's labels, lists and
   * inspector keep below it (--loupe-overlay-inset-top); the bottom corners are the overlay's (heatmap
   * legend, level maps). Heights are fixed so the band is known without measuring; the insets are
   * plain lengths because the overlay reads them with parseFloat (an unregistered calc() stays text).
   */
  .stage {
    --_row: 26px;
    --_gap: 8px;
  }
  loupe-overlay {
    /* gap + row + gap */
    --loupe-overlay-inset-top: 42px;
  }
  loupe-camera[chips] ~ loupe-overlay {
    /* gap + row + gap + row + gap */
    --loupe-overlay-inset-top: 76px;
  }
  loupe-camera {
    width: 100%;
    height: 100%;
  }
  loupe-camera::part(chips) {
    top: calc(var(--_gap) * 2 + var(--_row));
    right: var(--_gap);
    max-width: calc(100% - 2 * var(--_gap));
    flex-wrap: nowrap;
  }
  loupe-camera::part(notice),
  loupe-camera::part(device-picker),
  loupe-camera::part(flip-button) {
    box-sizing: border-box;
    height: var(--_row);
    min-width: 0;
  }
  loupe-camera::part(notice) {
    overflow: hidden;
    white-space: nowrap;
  }

  .hud {
    position: absolute;
    inset: var(--_gap) var(--_gap) auto var(--_gap);
    display: flex;
    justify-content: space-between;
    align-items: center;
    gap: 8px;
    height: var(--_row);
    pointer-events: none;
  }
  .pill {
    box-sizing: border-box;
    height: var(--_row);
    min-width: 0;
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 0 10px;
    border-radius: 999px;
    background: rgb(10 10 14 / 0.7);
    backdrop-filter: blur(6px);
    font-size: 12px;
    white-space: nowrap;
    pointer-events: auto;
  }
  .badge .dot {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--backend-color, var(--_muted));
    box-shadow: 0 0 8px var(--backend-color, transparent);
  }
  .badge b {
    font-weight: 650;
    letter-spacing: 0.04em;
  }
  .badge .device {
    color: var(--_muted);
    max-width: 28ch;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .badge .note {
    color: #ffb3a6;
  }
  .fps {
    font-family: var(--_mono);
    font-variant-numeric: tabular-nums;
  }
  .fps b {
    font-size: 15px;
    line-height: 1;
  }
  .paused {
    color: var(--_accent);
    font-weight: 600;
  }

  /* While a file is dragged over the element. */
  .drop-hint {
    position: absolute;
    inset: 8px;
    z-index: 3;
    display: grid;
    place-items: center;
    border: 2px dashed var(--_accent);
    border-radius: 10px;
    background: rgb(10 10 14 / 0.72);
    font-size: 15px;
    font-weight: 600;
    pointer-events: none;
  }

  /* ── Loading / error card over the stage ──────────────────────────────────── */
  .card {
    position: absolute;
    left: 50%;
    top: 50%;
    translate: -50% -50%;
    width: min(340px, calc(100% - 32px));
    padding: 16px 18px;
    border: 1px solid var(--_line);
    border-radius: 12px;
    background: rgb(14 15 20 / 0.86);
    backdrop-filter: blur(10px);
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.45);
  }
  .card h3 {
    margin: 0 0 2px;
    font-size: 14px;
    font-weight: 600;
  }
  .card p {
    margin: 0;
    color: var(--_muted);
    font-size: 12px;
  }
  .card.error {
    border-color: #6b2b2b;
  }
  .card.error h3 {
    color: #ff9b8f;
  }
  .progress {
    position: relative;
    height: 4px;
    margin: 12px 0 6px;
    border-radius: 2px;
    background: #2a2b35;
    overflow: hidden;
  }
  .progress > span {
    position: absolute;
    inset: 0 auto 0 0;
    border-radius: inherit;
    background: var(--_accent);
    transition: width 120ms linear;
  }
  .progress.indeterminate > span {
    width: 35%;
    animation: slide 1.1s ease-in-out infinite;
  }
  @keyframes slide {
    from {
      left: -35%;
    }
    to {
      left: 100%;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .progress.indeterminate > span {
      animation: none;
      width: 100%;
      opacity: 0.5;
    }
    .progress > span {
      transition: none;
    }
  }

  /* ── Poster, start button, screen-reader text ──────────────────────────────── */
  .poster {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
  }
  .poster[hidden] {
    display: none;
  }
  .poster ::slotted(*) {
    grid-area: 1 / 1;
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .start {
    grid-area: 1 / 1;
    z-index: 1;
    display: inline-flex;
    align-items: center;
    gap: 8px;
    padding: 10px 18px;
    border-radius: 999px;
    border-color: var(--_accent);
    background: rgb(14 15 20 / 0.86);
    font-size: 14px;
    font-weight: 600;
  }
  .start svg {
    width: 18px;
    height: 18px;
    color: var(--_accent);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  /* The heatmap's colour map, themable with a CSS filter (hue-rotate, grayscale, …). */
  loupe-overlay::part(heatmap) {
    filter: var(--loupe-heatmap-filter, none);
  }

  /* ── Control bar ──────────────────────────────────────────────────────────── */
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 10px 18px;
    padding: 12px 14px;
    border-top: 1px solid var(--_line);
  }
  .field {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    min-width: 0;
    max-width: 100%;
  }
  .field > .name {
    color: var(--_muted);
    font-size: 11px;
    text-transform: uppercase;
    letter-spacing: 0.08em;
  }
  select,
  button {
    font: inherit;
    color: inherit;
    background: #1b1c23;
    border: 1px solid var(--_line);
    border-radius: 7px;
    padding: 5px 9px;
    cursor: pointer;
  }
  select {
    min-width: 0;
    max-width: 100%;
    text-overflow: ellipsis;
  }
  select:hover,
  button:hover {
    border-color: #3a3c4a;
  }
  button:disabled {
    cursor: default;
    opacity: 0.45;
  }
  :is(select, button, input, summary):focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .toggles {
    display: inline-flex;
    border: 1px solid var(--_line);
    border-radius: 8px;
    overflow: hidden;
  }
  .toggles button {
    border: 0;
    border-radius: 0;
    background: transparent;
    color: var(--_muted);
    padding: 5px 11px;
  }
  .toggles button + button {
    border-left: 1px solid var(--_line);
  }
  .source button {
    display: inline-flex;
    align-items: center;
    gap: 5px;
  }
  .source svg {
    width: 14px;
    height: 14px;
  }
  .toggles button[aria-pressed='true'] {
    background: color-mix(in srgb, var(--_accent) 18%, transparent);
    color: var(--_text);
  }
  input[type='range'] {
    width: 120px;
    accent-color: var(--_accent);
  }
  output {
    font-family: var(--_mono);
    font-variant-numeric: tabular-nums;
    min-width: 4ch;
  }

  /* Narrow: toggle groups wrap (each button its own outline), selects take the row's width. */
  @container (max-width: 560px) {
    .controls {
      gap: 10px 12px;
      padding: 10px 12px;
    }
    .field {
      flex-wrap: wrap;
    }
    .toggles {
      flex-wrap: wrap;
      gap: 4px;
      border: 0;
      border-radius: 0;
      overflow: visible;
    }
    .toggles button,
    .toggles button + button {
      border: 1px solid var(--_line);
      border-radius: 7px;
    }
    label.field {
      flex: 1 1 100%;
    }
    label.field select {
      flex: 1 1 0;
    }
    input[type='range'] {
      flex: 1 1 0;
      width: auto;
      min-width: 80px;
    }
    .badge .device {
      max-width: 14ch;
    }
  }

  /* ── Stats line ───────────────────────────────────────────────────────────── */
  .stats {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 6px 16px;
    padding: 9px 14px 11px;
    border-top: 1px solid var(--_line);
    color: var(--_muted);
    font-size: 12px;
  }
  .stats dl {
    display: contents;
  }
  .stat {
    display: inline-flex;
    gap: 5px;
    align-items: baseline;
  }
  .stat dt {
    font-size: 11px;
  }
  .stat dd {
    margin: 0;
    color: var(--_text);
    font-family: var(--_mono);
    font-variant-numeric: tabular-nums;
  }
  details {
    margin-left: auto;
  }
  details[open] {
    flex-basis: 100%;
    margin-left: 0;
  }
  summary {
    cursor: pointer;
    color: var(--_muted);
  }
  summary:hover {
    color: var(--_text);
  }
  details ul {
    margin: 6px 0 0;
    padding: 0 0 0 16px;
    max-width: 70ch;
  }
  details li + li {
    margin-top: 3px;
  }
  details li b {
    color: var(--_text);
    font-weight: 600;
  }
`;
