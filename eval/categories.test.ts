import { describe, expect, it } from 'vitest';
import { mapCategories, type StandardLabelIds } from './categories.js';

const coco: StandardLabelIds = { labels: ['person', 'bicycle', 'car', 'motorcycle'], categoryIds: [1, 2, 3, 4] };

describe('mapCategories', () => {
  it('uses the standard id table when the dataset agrees with it', () => {
    const categories = [{ id: 1, name: 'person' }, { id: 3, name: 'car' }];
    expect(mapCategories(coco.labels, categories, [coco])).toEqual({
      categoryIds: [1, undefined, 3, undefined],
      by: 'ids',
      unmatched: ['bicycle', 'motorcycle'],
    });
  });

  it('goes by name when the dataset reuses a table id for something else', () => {
    // WIDER FACE as COCO: category 1 is a face, not a person.
    const categories = [{ id: 1, name: 'face' }];
    expect(mapCategories(coco.labels, categories, [coco]).categoryIds).toEqual([undefined, undefined, undefined, undefined]);
    expect(mapCategories(['Face'], categories, [coco])).toEqual({ categoryIds: [1], by: 'names', unmatched: [] });
  });

  it('goes by name for labels that are not a standard list', () => {
    const categories = [{ id: 7, name: 'car' }, { id: 9, name: 'person' }];
    expect(mapCategories(['person', 'dog', 'car'], categories, [coco])).toEqual({
      categoryIds: [9, undefined, 7],
      by: 'names',
      unmatched: ['dog'],
    });
  });
});
