// resume_nontail, direct style: the result of the rest of the loop is combined with each x on
// the way back, innermost (x = 1) first, so a loop from 1 up to n computes the same value.
function run1(n, s) {
  let y = s;
  for (let x = 1; x <= n; x++) y = Math.abs(x - 503 * y + 37) % 1009;
  return y;
}
export function run(n) {
  let s = 0;
  for (let l = 1000; l !== 0; l--) s = run1(n, s);
  return s;
}
