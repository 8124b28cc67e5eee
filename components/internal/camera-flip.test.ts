import { describe, expect, it } from 'vitest';
import { flipTarget } from './camera-flip.js';
import { mediaKindOfFile } from './media-file.js';

describe('flipTarget', () => {
  it('asks for the other side where the camera says which way it faces', () => {
    expect(flipTarget(['a', 'b'], 'a', 'user')).toEqual({ facingMode: 'environment', deviceId: undefined });
    expect(flipTarget(['a', 'b'], 'b', 'environment')).toEqual({ facingMode: 'user', deviceId: undefined });
  });
  it('goes to the next camera in the list otherwise, wrapping around', () => {
    expect(flipTarget(['a', 'b', 'c'], 'a', undefined)).toEqual({ deviceId: 'b' });
    expect(flipTarget(['a', 'b', 'c'], 'c', '')).toEqual({ deviceId: 'a' });
    expect(flipTarget(['a', 'b'], undefined, undefined)).toEqual({ deviceId: 'a' });
  });
  it('does nothing with fewer than two cameras', () => {
    expect(flipTarget(['a'], 'a', 'user')).toBeNull();
    expect(flipTarget([], undefined, undefined)).toBeNull();
  });
});

describe('mediaKindOfFile', () => {
  it('tells pictures and videos by MIME type, and refuses the rest', () => {
    expect(mediaKindOfFile({ type: 'image/jpeg' })).toBe('image');
    expect(mediaKindOfFile({ type: 'video/webm' })).toBe('video');
    expect(mediaKindOfFile({ type: 'text/plain' })).toBeNull();
    expect(mediaKindOfFile({ type: '' })).toBeNull();
  });
});
