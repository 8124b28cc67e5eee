// The part of @vladmandic/human's API the benchmark uses. bench/run.mjs aliases `loupe-bench-human` to
// the package's `dist/human.esm-nobundle.js` (not in its exports map), which uses the page's own tfjs.
declare module 'loupe-bench-human' {
  export interface HumanObject {
    box: [number, number, number, number];
    score: number;
    label: string;
  }
  export interface HumanResult {
    object: HumanObject[];
    error?: string | null;
    performance: Record<string, number>;
  }
  export class Human {
    constructor(config?: Record<string, unknown>);
    config: Record<string, unknown>;
    load(): Promise<void>;
    detect(input: unknown): Promise<HumanResult>;
  }
  export default Human;
}
