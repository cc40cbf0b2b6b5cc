// One bad-input case: a `gan` command run in the shared workspace, the exit code it must end
// with, and the one line it must print. Case files export a table and, when their cases need
// files of their own, a setup that makes them inside the workspace before any case runs.
export interface BadInputCase {
  name: string;
  /** The command line after `gan`, run with the workspace as the working directory. */
  args: string[];
  /** The one line on stderr (tfjs's banner aside). */
  expect: RegExp;
  /** 2: bad input (the default); 4: the machine refused a file operation. */
  exit?: 2 | 4;
  env?: Record<string, string>;
}

export interface BadInputTable {
  /** What the table covers: a command or a config section. */
  area: string;
  cases: BadInputCase[];
  /**
   * Makes the files the cases need, inside `work` (the cases' working directory), once, after
   * the shared runs exist: checkpoints/tiny (an MLP run), checkpoints/cond (conditional) and
   * checkpoints/broken (damaged), all from tiny.yaml.
   */
  setup?: (work: string) => void | Promise<void>;
}

/** `--set` pairs for a config override list: sets('a=1', 'b=2') → ['--set', 'a=1', '--set', 'b=2']. */
export function sets(...assignments: string[]): string[] {
  return assignments.flatMap((a) => ['--set', a]);
}
