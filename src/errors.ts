/**
 * Typed errors. Every failure Loupe reports carries one of these `type`s, both when thrown from
 * the engine and in the `loupe-error` event detail of the elements.
 */
export type LoupeErrorType =
  /** The user or the browser denied camera access. */
  | 'camera-denied'
  /** No camera exists, or the requested one is not there. */
  | 'camera-unavailable'
  /** A requested backend could not be initialised. */
  | 'backend-failed'
  /**
   * The GPU backend's WebGL context or WebGPU device was lost (driver reset, GPU removed or reassigned,
   * `WEBGL_lose_context`, `GPUDevice.destroy()`). Everything on it is gone; the elements recover by
   * loading the model again on a fresh context or device.
   */
  | 'backend-lost'
  /** No registered model has the given id. */
  | 'unknown-model'
  /** A model file could not be fetched or parsed. */
  | 'model-load-failed'
  /** The loaded graph does not have the inputs/outputs its descriptor expects. */
  | 'model-mismatch'
  /** A source frame that cannot be read (zero size, not loaded, wrong tensor shape). */
  | 'bad-input'
  /** An attribute or option with a value out of range. The previous value is kept. */
  | 'bad-option'
  /** The detector was used after `dispose()`. */
  | 'disposed'
  /** `createDetector()` gave up because its `signal` aborted (for the elements: removed while loading). */
  | 'aborted';

export class LoupeError extends Error {
  readonly type: LoupeErrorType;
  constructor(type: LoupeErrorType, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LoupeError';
    this.type = type;
  }
}

/** Wraps anything thrown into a LoupeError of the given type, keeping an existing LoupeError as is. */
export function asLoupeError(error: unknown, fallbackType: LoupeErrorType, context: string): LoupeError {
  if (error instanceof LoupeError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new LoupeError(fallbackType, `${context}: ${detail}`, { cause: error });
}
