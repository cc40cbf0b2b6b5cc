// Every command starts the same way: pick the engine and say which one runs, and why.
import { describeEngine, requestedEngine, selectEngine, type Engine } from '../engine/select.js';

export async function startEngine(
  flag: string | undefined,
  configValue: string | undefined,
  log: (line: string) => void,
): Promise<Engine> {
  const engine = await selectEngine(requestedEngine(flag, configValue));
  log(describeEngine(engine));
  return engine;
}
