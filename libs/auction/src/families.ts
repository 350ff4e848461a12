import type { BlockOrder } from './model';

/**
 * Block `id` and its descendants that `accepted` holds for (a child of a block left out is left
 * out with its own children), parent before children: the family whose money a paradoxically
 * accepted block is judged by.
 */
export function acceptedFamily(
  blocks: readonly BlockOrder[],
  id: string,
  accepted: (id: string) => boolean,
): string[] {
  const members = [id];
  for (let i = 0; i < members.length; i++) {
    for (const block of blocks) {
      if (block.parentId === members[i] && accepted(block.id)) members.push(block.id);
    }
  }
  return members;
}
