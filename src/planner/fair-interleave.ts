/**
 * Merges ordered lists so that each list is spread evenly over the result: the j-th of a list of
 * n items sits at about (j + ½) / n of the way through. Three raid10 servers and one raid5 become
 * raid10, raid5, raid10, raid10 rather than a run of one layout. Ties go to the earlier list.
 */
export function fairInterleave<T>(lists: readonly (readonly T[])[]): T[] {
  const keyed: { readonly item: T; readonly position: number; readonly list: number }[] = [];
  lists.forEach((items, list) => {
    items.forEach((item, index) => {
      keyed.push({ item, position: (index + 0.5) / items.length, list });
    });
  });
  keyed.sort((left, right) => left.position - right.position || left.list - right.list);
  return keyed.map((entry) => entry.item);
}
