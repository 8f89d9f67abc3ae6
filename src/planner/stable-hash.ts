/**
 * FNV-1a, 32 bits, over a string's UTF-16 code units. The planner orders servers inside a stratum
 * by this hash of their name: the order does not depend on file order, and adding or removing
 * one server leaves the relative order of all the others unchanged, which is what keeps
 * re-planning stable.
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A name with its {@link stableHash}, computed once (a sort compares each name many times). */
export interface HashedName {
  readonly name: string;
  readonly hash: number;
}

/** Compares names by their stable hash, then by the name itself (hash collisions). */
export function byStableHash(left: HashedName, right: HashedName): number {
  const difference = left.hash - right.hash;
  if (difference !== 0) return difference;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}
