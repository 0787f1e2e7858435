// triples, direct style: each choice is a loop from its bound down to 1 (the order in which the
// effectful version explores: Flip answers true first, i.e. the larger number).
const P = 1000000007;
function hash(a, b, c) {
  return (53 * a + 2809 * b + 148877 * c) % P;
}
export function run(n) {
  const s = n;
  let r = 0;
  for (let i = n; i >= 1; i--)
    for (let j = i - 1; j >= 1; j--)
      for (let k = j - 1; k >= 1; k--)
        if (i + j + k === s) r = (r + hash(i, j, k)) % P;
  return r;
}
