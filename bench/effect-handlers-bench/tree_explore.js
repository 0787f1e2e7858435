// tree_explore, direct style: both subtrees are explored in turn by recursion; the global state
// is a variable, updated before each descent exactly as the effectful version does.
function operator(x, y) {
  return Math.abs(x - 503 * y + 37) % 1009;
}
function make(n) {
  if (n === 0) return null;
  const t = make(n - 1);
  return { left: t, value: n, right: t };
}
export function run(n) {
  const tree = make(n);
  let state = 0;
  // the values of every path through t, left paths first
  function explore(t) {
    if (t === null) return [state];
    const out = [];
    for (const next of [t.left, t.right]) {
      state = operator(state, t.value);
      for (const x of explore(next)) out.push(operator(t.value, x));
    }
    return out;
  }
  for (let i = 10; i !== 0; i--) state = explore(tree).reduce((a, b) => Math.max(a, b), 0);
  return state;
}
