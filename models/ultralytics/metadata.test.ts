// metadata.yaml parsing: what `yolo export` writes, and the hand edits people make to it.
import { describe, expect, it } from 'vitest';
import { parseUltralyticsMetadata, parseYaml } from './metadata.js';
import { tinyMetadataYaml } from './tiny-graph.js';

// Shaped like ultralytics 8.3's export (`exporter.py` metadata), shortened.
const EXPORTED = `description: Ultralytics YOLO11n model trained on /data/coco.yaml
author: Ultralytics
date: '2025-01-15T10:20:30.123456'
version: 8.3.59
license: AGPL-3.0 License (https://ultralytics.com/license)
docs: https://docs.ultralytics.com
stride: 32
task: detect
batch: 1
imgsz:
- 480
- 640
names:
  0: person
  1: bicycle
  2: 'traffic light'
  3: "stop: sign"   # a colon inside quotes
  4: it's
args:
  batch: 1
  half: false
  int8: false
  nms: true
channels: 3
`;

describe('metadata.yaml', () => {
  it('reads names, imgsz [h, w], stride, task and args.nms from an export', () => {
    const meta = parseUltralyticsMetadata(EXPORTED);
    expect(meta).toMatchObject({
      names: ['person', 'bicycle', 'traffic light', 'stop: sign', "it's"],
      imgsz: [480, 640],
      stride: 32,
      task: 'detect',
      nms: true,
      license: 'AGPL-3.0 License (https://ultralytics.com/license)',
    });
    expect(meta.description).toBe('Ultralytics YOLO11n model trained on /data/coco.yaml');
  });

  it('takes flow collections, a names list, CRLF, tabs-free indents of any width and comments', () => {
    const text = "# hand written\r\nimgsz: [320, 320]  # square\r\nnames: ['cat', dog, \"bird\"]\r\nstride: [8, 16, 32]\r\ntask: detect\r\n";
    expect(parseUltralyticsMetadata(text)).toEqual({ imgsz: [320, 320], names: ['cat', 'dog', 'bird'], stride: 32, task: 'detect' });
    expect(parseUltralyticsMetadata('imgsz: 416\nnames: {0: a, 2: c}\n')).toEqual({ imgsz: [416, 416], names: ['a', 'class 1', 'c'] });
    expect(parseUltralyticsMetadata('names:\n    0: a\n    1: b\nimgsz: 256\n')).toEqual({ names: ['a', 'b'], imgsz: [256, 256] });
  });

  it('is tolerant: junk, an empty file, HTML (a server fallback page) give what can be read, never throw', () => {
    expect(parseUltralyticsMetadata('')).toEqual({});
    expect(parseUltralyticsMetadata('<!doctype html><html><body>Not found</body></html>')).toEqual({});
    expect(parseUltralyticsMetadata('imgsz: big\nstride: -3\nnames: 7\ntask: detect')).toEqual({ task: 'detect' });
    expect(parseUltralyticsMetadata('  oddly: indented\nnames:\n  0: x\n   junk line\n  1: y\n')).toMatchObject({ names: ['x', 'y'] });
  });

  it('parses the YAML subset generally (nested maps, lists of maps, scalars)', () => {
    expect(parseYaml('a:\n  b:\n    c: 1.5\n  d: [1, {e: f}]\nl:\n  - x: 1\n    y: true\n  - ~\n')).toEqual({
      a: { b: { c: 1.5 }, d: [1, { e: 'f' }] },
      l: [{ x: 1, y: true }, null],
    });
  });

  it('round-trips the test fixture writer', () => {
    expect(parseUltralyticsMetadata(tinyMetadataYaml(['a b', "o'k", 'x: y'], 96))).toMatchObject({ names: ['a b', "o'k", 'x: y'], imgsz: [96, 96], nms: false });
  });
});
