/**
 * Script of e2e/pages/red-team.html: hands the engine API and tfjs to the red-team spec
 * (window.loupeRed), and makes every kind of detect() source, good and bad, by name (`sources`), so the
 * spec's table only names them.
 */
import * as tf from '@tensorflow/tfjs';
import '../../components/index.js';
import * as loupe from '../../models/index.js';

/** A 96×64 picture with something in it; the good sources are made from it. */
function picture(): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 96;
  canvas.height = 64;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#446';
  g.fillRect(0, 0, 96, 64);
  g.fillStyle = '#eca';
  g.fillRect(30, 10, 30, 40);
  return canvas;
}

const loaded = (image: HTMLImageElement, src: string, ok: boolean): Promise<HTMLImageElement> =>
  new Promise((resolve) => {
    image.addEventListener(ok ? 'load' : 'error', () => resolve(image), { once: true });
    image.src = src;
  });

/** Every source the spec tries, by name: the bad ones, then one of each FrameSource type. */
const sources: Record<string, () => unknown> = {
  null: () => null,
  string: () => 'frame.jpg',
  'plain object': () => ({ width: 10, height: 10 }),
  'tensor [0, 0, 3]': () => tf.zeros([0, 0, 3], 'int32'),
  'tensor [0, 10, 3]': () => tf.zeros([0, 10, 3], 'int32'),
  'string tensor': () => tf.tensor(['a', 'b', 'c'], [1, 1, 3]),
  'bool tensor': () => tf.zeros([4, 4, 3], 'bool'),
  'tensor [10, 10]': () => tf.zeros([10, 10], 'int32'),
  'disposed tensor': () => {
    const tensor = tf.zeros([8, 8, 3], 'int32');
    tensor.dispose();
    return tensor;
  },
  'canvas 0×0': () => Object.assign(document.createElement('canvas'), { width: 0, height: 0 }),
  'image not loaded': () => new Image(),
  'broken image': () => loaded(new Image(), '/nowhere.png', false),
  'video without a frame': () => document.createElement('video'),
  'closed ImageBitmap': async () => {
    const bitmap = await createImageBitmap(picture());
    bitmap.close();
    return bitmap;
  },
  'closed VideoFrame': () => {
    const frame = new VideoFrame(picture(), { timestamp: 0 });
    frame.close();
    return frame;
  },
  canvas: () => picture(),
  ImageData: () => picture().getContext('2d')!.getImageData(0, 0, 96, 64),
  ImageBitmap: () => createImageBitmap(picture()),
  image: () => loaded(new Image(), picture().toDataURL(), true),
  OffscreenCanvas: () => {
    const offscreen = new OffscreenCanvas(96, 64);
    offscreen.getContext('2d')!.drawImage(picture(), 0, 0);
    return offscreen;
  },
  VideoFrame: () => new VideoFrame(picture(), { timestamp: 0 }),
  'tensor int32': () => tf.browser.fromPixels(picture()),
  'tensor float32': () => tf.tidy(() => tf.cast(tf.browser.fromPixels(picture()), 'float32')),
};

/** What `detector.detect(source)` ended in ('ok' or the LoupeError); the page's own source is released. */
async function tryDetect(detector: loupe.Detector, name: string): Promise<'ok' | { type: string; message: string }> {
  const make = sources[name];
  if (!make) throw new Error(`no source '${name}'`);
  const source = await make();
  try {
    const result = await detector.detect(source as loupe.FrameSource);
    result.dispose();
    return 'ok';
  } catch (error) {
    if (!(error instanceof loupe.LoupeError)) return { type: `not a LoupeError: ${String(error)}`, message: '' };
    return { type: error.type, message: error.message };
  } finally {
    if (source instanceof tf.Tensor && !source.isDisposed) source.dispose();
    if (source instanceof ImageBitmap || source instanceof VideoFrame) source.close();
  }
}

(window as unknown as { loupeRed: unknown }).loupeRed = { tf, loupe, tryDetect, sourceNames: Object.keys(sources) };
document.body.dataset.ready = 'true';
