import { css } from 'lit';

export const cameraStyles = css`
  :host {
    display: block;
    position: relative;
    overflow: hidden;
    background: var(--loupe-camera-background, #000);
    color: #ececf1;
    font: 13px/1.4 var(--loupe-font, system-ui, sans-serif);
  }
  :host([hidden]) {
    display: none;
  }

  .media {
    display: block;
    width: 100%;
    height: 100%;
    object-fit: var(--loupe-object-fit, contain);
  }
  .media[hidden] {
    display: none;
  }

  .panel {
    position: absolute;
    inset: 0;
    display: grid;
    place-content: center;
    justify-items: center;
    gap: 10px;
    padding: 24px;
    text-align: center;
    background: radial-gradient(circle at 50% 40%, #1c1d24, #0b0b0e 70%);
  }
  .panel h2 {
    margin: 0;
    font-size: 16px;
    font-weight: 600;
  }
  .panel p {
    margin: 0;
    max-width: 44ch;
    color: #a4a6b3;
  }
  .actions {
    display: flex;
    gap: 8px;
    margin-top: 6px;
  }

  /*
   * The chip row (fallback notice, camera flip and picker). Above anything a page stacks over the camera
   * (an overlay's held frame is drawn over the live video): a stacking level of its own, since the camera
   * host makes no stacking context, so it sits over later siblings with z-index auto.
   */
  .chips {
    position: absolute;
    top: 10px;
    right: 10px;
    z-index: 2;
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    align-items: center;
    gap: 6px;
    max-width: calc(100% - 20px);
  }
  .notice {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 4px 4px 10px;
    border-radius: 999px;
    background: rgb(12 12 16 / 0.72);
    backdrop-filter: blur(6px);
    font-size: 12px;
    color: #c9cad3;
  }

  button,
  select {
    font: inherit;
    color: inherit;
    background: #24252d;
    border: 1px solid #3a3b46;
    border-radius: 6px;
    padding: 5px 10px;
    cursor: pointer;
  }
  .notice button {
    border-radius: 999px;
    padding: 2px 10px;
  }
  button:hover,
  select:hover {
    background: #2e2f39;
  }
  button:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--loupe-accent, #7cc4ff);
    outline-offset: 2px;
  }
  button.primary {
    background: var(--loupe-accent, #7cc4ff);
    border-color: transparent;
    color: #06121c;
    font-weight: 600;
  }

  .device-picker,
  .flip {
    background: rgb(12 12 16 / 0.72);
    backdrop-filter: blur(6px);
  }
  .device-picker {
    min-width: 0;
    max-width: 24ch;
    text-overflow: ellipsis;
  }
  .flip {
    display: inline-grid;
    place-items: center;
    padding: 4px 7px;
  }
  .flip svg {
    width: 18px;
    height: 18px;
  }
`;
