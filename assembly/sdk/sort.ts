// In-place heap sort: O(n log n) in the worst case, no allocation, and a fraction of the code
// of the standard library's Array#sort (a TimSort whose run finding and merging cost about 1 KB
// of the module for each element type). It is not stable, which suits its callers: the items
// they sort never compare equal (distinct map keys, non-overlapping byte ranges).

/** Sorts `items` into ascending order by `less`. */
export function heapSort<T>(items: T[], less: (a: T, b: T) => bool): void {
  const n = items.length;
  for (let start = (n >> 1) - 1; start >= 0; start--) siftDown<T>(items, start, n, less);
  for (let end = n - 1; end > 0; end--) {
    const top = unchecked(items[0]);
    unchecked((items[0] = items[end]));
    unchecked((items[end] = top));
    siftDown<T>(items, 0, end, less);
  }
}

/** Moves items[root] down until the heap below it, within items[0, end), is a max-heap again. */
function siftDown<T>(items: T[], root: i32, end: i32, less: (a: T, b: T) => bool): void {
  const value = unchecked(items[root]);
  while (true) {
    let child = 2 * root + 1;
    if (child >= end) break;
    if (child + 1 < end && less(unchecked(items[child]), unchecked(items[child + 1]))) child++;
    if (!less(value, unchecked(items[child]))) break;
    unchecked((items[root] = items[child]));
    root = child;
  }
  unchecked((items[root] = value));
}
