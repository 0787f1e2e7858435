// generator, direct style: the in-order traversal hands each value straight to the consumer
// (a callback adding it to the sum) instead of suspending.
function make(n) {
  if (n === 0) return null;
  const t = make(n - 1);
  return { left: t, value: n, right: t };
}
function iterate(t, consume) {
  if (t === null) return;
  iterate(t.left, consume);
  consume(t.value);
  iterate(t.right, consume);
}
export function run(n) {
  let a = 0;
  iterate(make(n), (v) => { a += v; });
  return a;
}
