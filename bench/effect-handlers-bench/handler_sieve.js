// handler_sieve, direct style: the stack of handlers becomes the list of primes found so far,
// tried from the latest (innermost handler) to the first, as the effectful version does.
export function run(n) {
  const ps = [];
  let a = 0;
  for (let i = 2; i < n; i++) {
    let prime = true;
    for (let p = ps.length - 1; p >= 0; p--) {
      if (i % ps[p] === 0) { prime = false; break; }
    }
    if (prime) { ps.push(i); a += i; }
  }
  return a;
}
