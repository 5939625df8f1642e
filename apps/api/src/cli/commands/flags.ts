import { AppError } from '@sightline/core';
import type { CommandContext } from '../command.ts';

export function requireFlag(ctx: CommandContext, name: string): string {
  const value = ctx.flags[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new AppError('BAD_REQUEST', `--${name} is required`);
  }
  return value;
}

export function intFlag(ctx: CommandContext, name: string, fallback: number): number {
  const value = ctx.flags[name];
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' ? Number(value.replaceAll('_', '')) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 0) {
    throw new AppError('BAD_REQUEST', `--${name} must be a whole number, got "${String(value)}"`);
  }
  return parsed;
}
