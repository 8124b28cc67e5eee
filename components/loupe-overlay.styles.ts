import { css } from 'lit';

export const overlayStyles = css`
  :host {
    position: absolute;
    inset: 0;
    display: block;
    pointer-events: none;
    font: 600 11px/1.25 var(--loupe-font, system-ui, sans-serif);
    font-variant-numeric: tabular-nums;
    color: #0b0b0f;
  }
  :host([hidden]) {
    display: none;
  }
  /* Lets the legend shrink on small pictures. */
  :host {
    container-type: size;
  }

  /* The media element's content box: the picture never paints outside it. */
  .viewport {
    position: absolute;
    overflow: hidden;
  }
  /* The painted frame inside it (after object-fit); every layer is positioned in % of it. */
  .frame {
    position: absolute;
    /* Its labels' z-index orders them within the frame only: the chrome after it stays on top. */
    isolation: isolate;
  }

  /* The frame the model analysed, exactly over the live picture it was taken from. */
  .picture {
    position: absolute;
    inset: 0;
  }
  .picture > canvas {
    display: block;
    width: 100%;
    height: 100%;
  }

  /* The heatmap also covers the letterbox padding the model saw, which lies outside the picture. */
  .clip {
    position: absolute;
    inset: 0;
    overflow: hidden;
  }
  .heatmap {
    position: absolute;
    opacity: var(--loupe-heatmap-opacity, 1);
  }
  .heatmap > canvas {
    display: block;
    width: 100%;
    height: 100%;
    /* One canvas pixel is one model cell: show the cells the model computed, not a blur of them. */
    image-rendering: var(--loupe-heatmap-rendering, pixelated);
  }

  .box {
    position: absolute;
    box-sizing: border-box;
    border: var(--loupe-box-width, 2px) solid var(--c);
    border-radius: 3px;
    box-shadow:
      0 0 0 1px rgb(0 0 0 / 0.35),
      inset 0 0 0 1px rgb(0 0 0 / 0.25);
  }
  /* Where the label goes is computed after each render (layers/label-placement.ts): above the box by
     default, inside or below it, nudged or shortened where other labels or the panels are. */
  .label {
    position: absolute;
    /* Over every box's outline, not only its own (a box is no stacking context: the frame's labels share one). */
    z-index: 1;
    box-sizing: border-box;
    left: calc(-1 * var(--loupe-box-width, 2px));
    bottom: 100%;
    max-width: max(100%, 14ch);
    padding: 2px 5px;
    border-radius: 3px 3px 3px 0;
    background: var(--c);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .label[data-side='inside'] {
    border-radius: 0 0 3px 0;
  }
  .label[data-side='below'] {
    border-radius: 0 3px 3px 3px;
  }
  .label[data-side='inside-bottom'] {
    border-radius: 0 3px 0 0;
  }
  .score {
    font-weight: 500;
    opacity: 0.75;
    margin-left: 4px;
  }
  /* Compact label (no room for the layers' suffix): class and score; the whole text is its title. */
  .label[data-compact] .suffix {
    display: none;
  }

  /* The translucent dark panels (legends, inspector, scale strip) share one look. */
  .legend,
  .level-legend,
  .inspector,
  .scale-strip,
  .track-counts,
  .panels-bar {
    border-radius: 8px;
    background: rgb(10 10 14 / 0.72);
    backdrop-filter: blur(6px);
    color: #d8d9e0;
  }
  .legend {
    position: absolute;
    left: 10px;
    bottom: 10px;
    display: grid;
    grid-template-columns: auto 120px auto;
    align-items: center;
    column-gap: 6px;
    row-gap: 3px;
    padding: 6px 9px;
    font-weight: 500;
    font-size: 10.5px;
  }
  .legend .title {
    grid-column: 1 / -1;
    color: #f2f2f5;
    font-weight: 600;
  }
  .legend .bar {
    height: 8px;
    border-radius: 4px;
    box-shadow: inset 0 0 0 1px rgb(255 255 255 / 0.12);
  }
  /* offsets layer: boxes take the pointer so hovering one shows the values at its cell. */
  .frame.inspectable .box {
    pointer-events: auto;
    cursor: help;
  }
  /* Keyboard: the boxes are in the tab order when a layer inspects them (Enter pins, Escape unpins). */
  .frame.inspectable .box:focus-visible {
    outline: 2px solid #fff;
    outline-offset: 2px;
  }
  .offsets {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    overflow: visible;
  }
  .offsets .cell {
    fill: color-mix(in srgb, var(--c) 22%, transparent);
    stroke: var(--c);
    stroke-width: 1.5px;
    vector-effect: non-scaling-stroke;
  }
  .offsets .grid {
    stroke: rgb(255 255 255 / 0.28);
    stroke-width: 1px;
    vector-effect: non-scaling-stroke;
  }
  .offsets .vector {
    stroke-width: 2px;
    stroke-linecap: round;
    vector-effect: non-scaling-stroke;
    filter: drop-shadow(0 0 1px rgb(0 0 0 / 0.8));
  }
  .offsets .prior {
    fill: #fff;
    stroke: #0b0b0f;
    stroke-width: 1px;
    vector-effect: non-scaling-stroke;
  }
  .inspector {
    position: absolute;
    right: 10px;
    top: calc(var(--loupe-overlay-inset-top, 0px) + 10px);
    display: grid;
    gap: 4px;
    min-width: 180px;
    padding: 7px 9px;
    background: rgb(10 10 14 / 0.8);
    font-weight: 500;
  }
  .inspector .title {
    color: #f2f2f5;
    font-weight: 600;
  }
  .inspector .missing {
    max-width: 220px;
    color: #fbbf24;
    font-style: italic;
  }
  .dist {
    display: grid;
    grid-template-columns: 1ch 110px auto;
    align-items: end;
    gap: 6px;
  }
  .dist svg {
    height: 22px;
    width: 110px;
    background: rgb(255 255 255 / 0.06);
    border-radius: 2px;
  }
  .dist .mean {
    stroke: #fff;
    stroke-width: 1.5px;
    vector-effect: non-scaling-stroke;
  }
  .dist .side {
    font-weight: 700;
    text-transform: uppercase;
  }
  /* The levels layer's corner (bottom right): its maps, their colour scale and fold button, the legend. */
  .levels-corner {
    position: absolute;
    right: 10px;
    bottom: 10px;
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 6px;
  }
  .panels-bar {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 3px 4px 3px 9px;
    font-weight: 500;
    font-size: 10.5px;
  }
  .panels-bar .bar {
    width: 80px;
    height: 8px;
    border-radius: 4px;
    box-shadow: inset 0 0 0 1px rgb(255 255 255 / 0.12);
  }
  .panels-bar .fold {
    pointer-events: auto;
    cursor: pointer;
    font: inherit;
    color: #f2f2f5;
    background: rgb(255 255 255 / 0.1);
    border: 0;
    border-radius: 5px;
    padding: 2px 7px;
  }
  .panels-bar .fold:focus-visible {
    outline: 2px solid #f2f2f5;
  }
  .level-legend {
    margin: 0;
    padding: 6px 9px;
    list-style: none;
    display: grid;
    gap: 3px;
    font-weight: 500;
  }
  .level-legend li {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .level-legend .swatch {
    width: 10px;
    height: 10px;
    border-radius: 2px;
    background: var(--c);
  }
  .level-legend .count {
    margin-left: auto;
    padding-left: 8px;
    color: #f2f2f5;
    font-weight: 700;
  }
  /* tiles layer (small-object mode): each scale's tile grid; tiles that ran solid, skipped ones dashed. The tracks layer's SVG sits the same way. */
  .tiles,
  .tracks {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    overflow: visible;
    pointer-events: none;
  }
  .tiles .tile {
    fill: none;
    stroke: var(--c);
    stroke-width: 1.5px;
    vector-effect: non-scaling-stroke;
    opacity: 0.85;
  }
  .tiles .tile.skipped {
    stroke-dasharray: 4 4;
    opacity: 0.4;
  }
  .tiles .tile.picked {
    fill: color-mix(in srgb, var(--c) 14%, transparent);
    stroke-width: 2.5px;
    opacity: 1;
  }
  /* tracks layer: fading trails of box centres; tentative tracks dashed, lost (predicted) ones dotted. */
  .tracks .trail {
    stroke-width: 3px;
    stroke-linecap: round;
    vector-effect: non-scaling-stroke;
  }
  .tracks .track {
    fill: none;
    stroke-width: 2px;
    vector-effect: non-scaling-stroke;
  }
  .tracks .track.tentative {
    stroke-dasharray: 6 4;
    opacity: 0.7;
  }
  .tracks .track.lost {
    stroke-dasharray: 2 4;
    opacity: 0.85;
  }
  .tracks .track-id {
    font: 600 12px var(--loupe-font, system-ui, sans-serif);
    paint-order: stroke;
    stroke: rgb(0 0 0 / 0.7);
    stroke-width: 3px;
  }
  .track-counts .seen {
    opacity: 0.75;
  }
  /*
   * The top-left column, below the top band (a host's badges: --loupe-overlay-inset-top): lists of the
   * layers that have one (the tiles layer's scale strip), stacked. The heatmap legend is bottom left, the
   * levels layer's maps and legend bottom right, the inspector top right.
   */
  .top-left {
    position: absolute;
    left: 10px;
    top: calc(var(--loupe-overlay-inset-top, 0px) + 10px);
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: 6px;
  }
  .scale-strip,
  .track-counts {
    margin: 0;
    padding: 6px 9px;
    list-style: none;
    display: grid;
    gap: 3px;
    font-weight: 500;
  }
  .scale-strip li,
  .track-counts li {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .scale-strip .swatch {
    width: 10px;
    height: 10px;
    border-radius: 2px;
    background: var(--c);
  }
  .scale-strip .count,
  .track-counts .count {
    margin-left: auto;
    padding-left: 8px;
    color: #f2f2f5;
    font-weight: 700;
  }
  /* Per-level score maps side by side (above the level legend), each a small copy of the frame. */
  .panels {
    display: flex;
    gap: 6px;
  }
  .panel {
    margin: 0;
    padding: 3px;
    border-radius: 6px;
    background: rgb(10 10 14 / 0.72);
    color: #d8d9e0;
    text-align: center;
    font-weight: 500;
  }
  .panel-frame {
    position: relative;
    /* Three levels get 12 % of the width each; five anchors share about the same room. */
    width: clamp(48px, calc(36cqw / max(var(--count, 3), 3)), 150px);
    aspect-ratio: var(--aspect);
    overflow: hidden;
    outline: 2px solid var(--c);
    border-radius: 3px;
    background: #16161c;
  }
  .panel .heatmap > canvas {
    display: block;
    width: 100%;
    height: 100%;
    image-rendering: var(--loupe-heatmap-rendering, pixelated);
  }
  /* On a map without a single box: says so, so an empty dark square is not taken for a broken one. */
  .panel-note {
    position: absolute;
    inset: auto 0 4px;
    /* Two short lines ('no score ≥ 0.3', 'max 0.06') fit the narrowest panel. */
    white-space: pre-line;
    line-height: 1.25;
    font-size: 9.5px;
    color: #b9bac4;
    text-align: center;
  }
  .inspector .error {
    color: #ffb3a6;
  }
  .mini-box {
    position: absolute;
    box-sizing: border-box;
    border: 1px solid var(--c);
  }
  @container (max-width: 480px) {
    .legend {
      grid-template-columns: auto 64px auto;
      left: 6px;
      bottom: 6px;
      padding: 4px 7px;
    }
    .legend .title {
      display: none;
    }
    .panels,
    .panels-bar,
    .inspector {
      display: none;
    }
  }
`;
