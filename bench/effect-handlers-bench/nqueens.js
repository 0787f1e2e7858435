// nqueens, direct style: the same search with the choice of row as a loop over 1..size.
function safe(queen, diag, xs) {
  for (; xs !== null; xs = xs.tail, diag++) {
    const q = xs.head;
    if (queen === q || queen === q + diag || queen === q - diag) return false;
  }
  return true;
}
// number of complete placements extending `rest` (columns placed so far) to `column` columns
function count(size, column, placed, rest) {
  if (placed === column) return 1;
  let a = 0;
  for (let next = 1; next <= size; next++) {
    if (safe(next, 1, rest)) a += count(size, column, placed + 1, { head: next, tail: rest });
  }
  return a;
}
export function run(n) {
  return count(n, n, 0, null);
}
