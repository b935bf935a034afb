import { afterAll, beforeAll } from "vitest";
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from "../../lib/local/system";
import { Api } from "./api";
import { tempDataDir } from "./local";
import { buildWorld, type World } from "./scenario";

/**
 * The whole local system in this test process (DynamoDB Local in memory, the local state machine,
 * the local gateway), started before the file's tests and stopped after them, with the scenario's
 * unit tree and people built through the API under `prefix`; `options` add to the system's own
 * (a test of overload gives it a small concurrency).
 */
export function useLocalWorld(
  label: string,
  prefix: string,
  options: Partial<Pick<LocalSystemOptions, "concurrency">> = {},
): {
  readonly system: LocalSystem;
  readonly api: Api;
  readonly world: World;
} {
  let system: LocalSystem | undefined;
  let api: Api | undefined;
  let world: World | undefined;
  beforeAll(async () => {
    const dataDir = tempDataDir(label);
    system = await startLocalSystem({ ...options, port: 0, dataDir, inMemory: true });
    api = new Api(system.url, dataDir);
    world = await buildWorld(api, prefix);
  });
  afterAll(async () => {
    await system?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the local system is not started yet (use it inside a test)");
    return value;
  };
  return {
    get system() {
      return started(system);
    },
    get api() {
      return started(api);
    },
    get world() {
      return started(world);
    },
  };
}
