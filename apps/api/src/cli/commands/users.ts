import { createUserAccount, setUserPassword } from '@sightline/core';
import type { CommandContext } from '../command.ts';
import { requireFlag } from './flags.ts';
import { withPrisma } from './with-prisma.ts';

const optional = (ctx: CommandContext, name: string): string | undefined => {
  const value = ctx.flags[name];
  return typeof value === 'string' ? value : undefined;
};

export async function createUserCommand(ctx: CommandContext): Promise<void> {
  const input = {
    email: requireFlag(ctx, 'email'),
    password: requireFlag(ctx, 'password'),
    name: optional(ctx, 'name'),
    platformAdmin: ctx.flags['platform-admin'] === true,
  };
  const user = await withPrisma(ctx, (prisma) => createUserAccount(prisma, input));
  ctx.out.result({ user }, [
    `Created user ${user.email}${user.name ? ` (${user.name})` : ''}`,
    `  user id:         ${user.id}`,
    `  platform admin:  ${user.platformAdmin ? 'yes' : 'no'}`,
    '  They can sign in now; invite them to an organization, or they create their own.',
  ]);
}

export async function resetPasswordCommand(ctx: CommandContext): Promise<void> {
  const input = { email: requireFlag(ctx, 'email'), password: optional(ctx, 'password') };
  const reset = await withPrisma(ctx, (prisma) => setUserPassword(prisma, input));
  ctx.out.result(
    {
      user: { id: reset.userId, email: reset.email },
      // Printed only when generated: an operator who chose it already knows it.
      ...(reset.generated ? { password: reset.password } : {}),
      generated: reset.generated,
      sessionsRevoked: reset.sessionsRevoked,
    },
    [
      `Password of ${reset.email} changed; every portal session of theirs has ended.`,
      ...(reset.generated ? [`  new password:  ${reset.password}   (shown once; pass it on safely)`] : []),
    ],
  );
}
