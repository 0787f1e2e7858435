// countdown, direct style: the state is a local variable.
export function run(n) {
  let s = n;
  for (;;) {
    const i = s;
    if (i === 0) return i;
    s = i - 1;
  }
}
