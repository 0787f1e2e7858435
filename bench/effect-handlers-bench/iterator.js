// iterator, direct style: the emitted values are added to an accumulator.
// n(n+1)/2 stays below 2^53 for n <= 94,906,264 (the standard size is 40,000,000).
export function run(n) {
  let s = 0;
  for (let l = 0; l <= n; l++) s += l;
  return s;
}
