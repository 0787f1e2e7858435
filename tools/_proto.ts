import * as NodeRuntime from "@effect/platform-node/NodeRuntime";
import * as NodeServices from "@effect/platform-node/NodeServices";
import { Effect, Option } from "effect";
import { Argument, Command, Flag } from "effect/cli";

const cmd = Command.make("run-pass", {
  file: Argument.String("file").pipe(Argument.withDescription("the .links file"), Argument.optional),
  list: Flag.Boolean("list").pipe(Flag.withDescription("list passes")),
  dump: Flag.String("dump").pipe(Flag.withOptionalValue("all"), Flag.optional, Flag.withDescription("dump IR")),
  until: Flag.String("until").pipe(Flag.optional, Flag.withDescription("stop after PASS")),
  timeout: Flag.Finite("timeout").pipe(Flag.withDefault(10)),
}, (cfg) => Effect.sync(() => console.log(JSON.stringify(cfg)))).pipe(Command.withDescription("Run passes"), Command.withExamples([{ command: "run-pass x.links --dump", description: "dump" }]));

Command.run(cmd, { version: "0.1.0" }).pipe(Effect.provide(NodeServices.layer), NodeRuntime.runMain);
