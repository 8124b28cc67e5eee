/**
 * What is where in the fake camera's street clip (source frames 0–59 of OpenCV's vtest.avi, 768×576),
 * for assertions that can actually fail.
 *
 * - `people`: per frame, boxes of the people there (e2e/fixtures/street-people.json, found by background
 *   subtraction, independent of any detector, checked by eye; see e2e/tools/annotate-street.mjs).
 *   People walking side by side may share one box.
 * - `WALKWAY`: the part of the walkway where people are in these frames (every annotated box centre
 *   lies in it).
 * - `LAWN`: grass in the lower left that nobody crosses in these frames, clear of the litter, the
 *   stone and the tripod, and at least 50 px below the walkway's edge.
 *
 * Which clip frame a detection came from is unknown (the camera loops every 6 s and a software-GPU frame
 * takes 10–70 s), so a detection "lands on a person" when it matches a person of *some* clip frame.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Detection } from '../models/index.js';
import { iou } from '../src/postprocess/nms.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface PeopleFile {
  firstFrame: number;
  frameCount: number;
  people: [number, number, number, number][][];
}

const file = JSON.parse(readFileSync(resolve(import.meta.dirname, 'fixtures/street-people.json'), 'utf8')) as PeopleFile;

export const SOURCE_WIDTH = 768;
export const SOURCE_HEIGHT = 576;

/** Person boxes of each clip frame, source px. */
export const people: Rect[][] = file.people.map((frame) => frame.map(([x, y, width, height]) => ({ x, y, width, height })));

export const WALKWAY: Rect = { x: 240, y: 140, width: 528, height: 290 };
export const LAWN: Rect = { x: 0, y: 360, width: 300, height: 130 };


export function centre(r: Rect): { x: number; y: number } {
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

export function contains(r: Rect, p: { x: number; y: number }): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

export function grow(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

/** The best IoU of `box` with any annotated person of any clip frame, and where. */
export function bestPersonMatch(box: Rect): { iou: number; frame: number; person: Rect | undefined } {
  let best = { iou: 0, frame: -1, person: undefined as Rect | undefined };
  people.forEach((frame, index) => {
    for (const person of frame) {
      const v = iou(box, person);
      if (v > best.iou) best = { iou: v, frame: index + file.firstFrame, person };
    }
  });
  return best;
}

/** Whether `p` lies in some annotated person box (grown by `margin` px) of some clip frame. */
export function onSomePerson(p: { x: number; y: number }, margin = 0): boolean {
  return people.some((frame) => frame.some((person) => contains(grow(person, margin), p)));
}

/** A one-line description of a detection for failure messages. */
export function describe(d: Detection): string {
  return `${d.label} ${d.score.toFixed(2)} @ [${Math.round(d.x)}, ${Math.round(d.y)}, ${Math.round(d.width)}×${Math.round(d.height)}]`;
}
