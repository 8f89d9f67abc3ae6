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

/** Compares names by their stable hash, then by the name itself (hash collisions). */
export function byStableHash(left: string, right: string): number {
  const difference = stableHash(left) - stableHash(right);
  if (difference !== 0) return difference;
  return left < right ? -1 : left > right ? 1 : 0;
}
