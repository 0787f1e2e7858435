// Links' `--set=NAME=VALUE` settings that change what this compiler does: the effect sugar of
// printed types (`effect_sugar`, `effect_sugar_policy`). The conformance runner reads them from a
// test case's `args`; `run --set` takes them from the command line.
import { DEFAULT_EFFECT_SUGAR, EFFECT_SUGAR_OPTIONS, type EffectSugarOption, type TypeSyntax } from "../ir/types.js";

/** `--set` settings that only matter to Links itself (`--set=prelude=…`: the suite's own prelude file). */
const IGNORED = new Set(["prelude"]);

export const SETTINGS_HELP =
  "show_quantifiers=true|false, effect_sugar=true|false, effect_sugar_policy=none|default|all|OPT,… where OPT is one of " +
  Object.entries(EFFECT_SUGAR_OPTIONS).map(([long, short]) => `${long} (${short})`).join(", ");

/** The type syntax `NAME=VALUE` settings give; throws an Error naming a setting it does not know. */
export function typeSyntaxOf(settings: readonly string[]): TypeSyntax | undefined {
  let sugar: boolean | undefined;
  let quantifiers = false;
  let policy: EffectSugarOption[] = [...DEFAULT_EFFECT_SUGAR];
  for (const s of settings) {
    const i = s.indexOf("=");
    const name = (i < 0 ? s : s.slice(0, i)).trim(), value = i < 0 ? "" : s.slice(i + 1).trim();
    if (name === "effect_sugar") {
      if (value !== "true" && value !== "false") throw new Error(`--set effect_sugar=${value}: the value must be true or false`);
      sugar = value === "true";
    } else if (name === "show_quantifiers") {
      if (value !== "true" && value !== "false") throw new Error(`--set show_quantifiers=${value}: the value must be true or false`);
      quantifiers = value === "true";
    } else if (name === "effect_sugar_policy") policy = parsePolicy(value);
    else if (!IGNORED.has(name)) throw new Error(`--set ${name}: not a setting this compiler knows (it knows ${SETTINGS_HELP})`);
  }
  if (!sugar && !quantifiers) return undefined;
  return { effectSugar: sugar ?? false, policy: new Set(policy), ...(quantifiers ? { showQuantifiers: true } : {}) };
}

function parsePolicy(value: string): EffectSugarOption[] {
  if (value === "none") return [];
  if (value === "default") return [...DEFAULT_EFFECT_SUGAR];
  const all = Object.keys(EFFECT_SUGAR_OPTIONS) as EffectSugarOption[];
  if (value === "all") return all;
  return value.split(",").map((o) => {
    const opt = all.find((long) => long === o.trim().toLowerCase() || EFFECT_SUGAR_OPTIONS[long] === o.trim().toLowerCase());
    if (!opt) throw new Error(`--set effect_sugar_policy: unknown option ${o}`);
    return opt;
  });
}

/** The settings Links' own suite runs its handler examples with (handlers.tests, case Examples). */
export const HANDLER_EXAMPLE_SETTINGS = ["effect_sugar=true", "effect_sugar_policy=final_arrow"];

/** The `--set=NAME=VALUE` settings in a Links command line (a test case's `args`). */
export function settingsOfArgs(args: string): string[] {
  return args.split(/\s+/).filter((a) => a.startsWith("--set=")).map((a) => a.slice("--set=".length));
}
