// Options more than one command takes, made once: numeric parsers that name the option and
// what it expects, and the commander flags every generator command repeats.
import { Option } from 'commander';
import { ENGINE_REQUESTS } from '../engine/index.js';
import { UserError } from '../errors.js';

export function parseIntOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
      throw new UserError(`${name} ${value}: expected ${range}`);
    }
    return n;
  };
}

/** `--threshold` etc.: a number in [min, max]. */
export function parseFractionOption(name: string, min = 0, max = 1) {
  return (value: string): number => {
    const x = Number(value);
    if (value.trim() === '' || !Number.isFinite(x) || x < min || x > max) {
      throw new UserError(`${name} ${value}: expected a number from ${min} to ${max}`);
    }
    return x;
  };
}

/**
 * A file or directory option: an empty value (`--out ''`, often an unset shell variable) names
 * no path, and would otherwise surface later as a system error about ''.
 */
export function parsePathOption(name: string) {
  return (value: string): string => {
    if (value.trim() === '') throw new UserError(`${name} '': expected a path`);
    return value;
  };
}

/** Repeatable `--set key=value`. */
export const collect = (value: string, previous: string[]) => [...previous, value];

export const ckptOption = () =>
  new Option('--ckpt <ref>', 'latest | best | RUN | RUN/best | run directory | epoch directory').default('latest');

export const backendOption = () =>
  new Option(
    '--backend <engine>',
    `engine: ${ENGINE_REQUESTS.join(' | ')} (default: GAN_BACKEND, else the config, else auto)`,
  ).choices(ENGINE_REQUESTS);

export const outDirOption = (what = 'where runs live') =>
  new Option('--out-dir <dir>', what).argParser(parsePathOption('--out-dir')).default('checkpoints');

export const noEmaOption = (what = 'use the raw generator') =>
  new Option('--no-ema', `${what} instead of the moving average`);

export const truncationOption = () =>
  new Option(
    '--truncation <psi>',
    'draw z from the normal truncated to [-psi, psi]: sharper, more typical images, less variety',
  ).argParser(parseFractionOption('--truncation', 0.05, 10));

export const seedOption = (what: string, fallback?: number) => {
  const option = new Option('--seed <seed>', what).argParser(parseIntOption('--seed', 0));
  return fallback === undefined ? option : option.default(fallback);
};
