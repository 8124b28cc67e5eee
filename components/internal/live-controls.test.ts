// The control bar's toggles as pure functions: a layer on or off in the overlay's order, and the Track
// toggle turning tracking and the tracks layer on and off together.
import { describe, expect, it } from 'vitest';
import { toggledLayers, toggledTracking } from './live-controls.js';

describe('control bar toggles', () => {
  it('switches one layer, keeping the overlay’s order', () => {
    expect(toggledLayers('tiles boxes', 'heatmap')).toBe('boxes heatmap tiles');
    expect(toggledLayers('boxes heatmap', 'heatmap')).toBe('boxes');
    expect(toggledLayers('boxes', 'tracks', true)).toBe('boxes tracks');
    expect(toggledLayers('boxes tracks', 'tracks', true)).toBe('boxes tracks');
    expect(toggledLayers('boxes', 'tracks', false)).toBe('boxes');
  });

  it('Track turns tracking and the tracks layer on together, and both off', () => {
    expect(toggledTracking({ track: false, layers: 'boxes heatmap' })).toEqual({ track: true, layers: 'boxes heatmap tracks' });
    expect(toggledTracking({ track: true, layers: 'boxes tracks' })).toEqual({ track: false, layers: 'boxes' });
    // Tracking set by the attribute without the layer: off takes nothing else away.
    expect(toggledTracking({ track: true, layers: 'boxes' })).toEqual({ track: false, layers: 'boxes' });
  });
});
