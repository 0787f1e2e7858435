// product_early, direct style: the abort is a JS exception caught around each product.
class Done {
  constructor(r) { this.r = r; }
}
function product(xs) {
  if (xs === null) return 0;
  const y = xs.head;
  if (y === 0) throw new Done(0);
  return y * product(xs.tail);
}
function enumerate(i) {
  let xs = null;
  for (let j = 0; j <= i; j++) xs = { head: j, tail: xs };
  return xs; // i, i-1, ..., 0
}
function runProduct(xs) {
  try {
    return product(xs);
  } catch (e) {
    if (e instanceof Done) return e.r;
    throw e;
  }
}
export function run(n) {
  const xs = enumerate(1000);
  let a = 0;
  for (let i = n; i !== 0; i--) a += runProduct(xs);
  return a;
}
