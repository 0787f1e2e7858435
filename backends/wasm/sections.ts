// A Wasm binary's sections, read without binaryen: for the size breakdown of tools/compare.ts,
// the code bodies backends/wasm/failure.ts locates errors in, and the section binaryen.ts strips.
const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount", "tag"];

/** An unsigned LEB128 at `at`: its value and its length in bytes. */
export function leb(b: Uint8Array, at: number): { value: number; len: number } {
  let value = 0, shift = 0, len = 0;
  for (;;) {
    if (at + len >= b.length) throw new Error("truncated LEB128");
    const byte = b[at + len++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, len };
  }
}

export interface Section { id: number; name: string; start: number; size: number; bytes: number }

/** The sections of a module: id, name, payload start and size, size with the header. */
export function sections(b: Uint8Array): Section[] {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) throw new Error("not a Wasm binary");
  const out: Section[] = [];
  for (let at = 8; at < b.length; ) {
    const id = b[at]!;
    const { value: size, len } = leb(b, at + 1);
    const start = at + 1 + len;
    if (start + size > b.length) throw new Error(`section ${id} runs past the end`);
    let name = SECTION_NAMES[id] ?? `unknown ${id}`;
    if (id === 0) {
      const n = leb(b, start);
      name = `custom "${new TextDecoder().decode(b.subarray(start + n.len, start + n.len + n.value))}"`;
    }
    out.push({ id, name, start, size, bytes: 1 + len + size });
    at = start + size;
  }
  return out;
}
