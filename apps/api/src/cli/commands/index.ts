import type { Command, CommandContext } from '../command.ts';

// Every command with the help `sightline <command> --help` prints. Two-word names
// (`dead-letters list`) are matched before one-word ones. Each command's code is imported
// only when it runs: `--help` and `--version` stay quick without loading core and Prisma.

type Runner = (ctx: CommandContext) => Promise<number | void>;
const lazy =
  <M>(load: () => Promise<M>, pick: (module: M) => Runner): Runner =>
  async (ctx) =>
    pick(await load())(ctx);
const tenancy = () => import('./tenancy.ts');
const users = () => import('./users.ts');
const deadLetters = () => import('./dead-letters.ts');
export const COMMANDS: Record<string, Command> = {
  migrate: {
    summary: 'apply pending database migrations, or list them with --status',
    description:
      'Creates the database when the server has none, then applies every pending migration in order, each in ' +
      'its own transaction. Safe to run twice and from several hosts at once. With --status it changes nothing: ' +
      'it lists applied and pending migrations and exits 3 when some are pending.',
    flags: { status: { type: 'boolean', help: 'list applied and pending migrations; exit 3 when any is pending' } },
    examples: ['npx sightline migrate', 'npx sightline migrate --status --json'],
    run: lazy(
      () => import('./migrate.ts'),
      (m) => m.migrateCommand,
    ),
  },
  doctor: {
    summary: 'check configuration, PostgreSQL, Redis, disk, SMTP and the public URLs',
    description:
      'Checks this installation and says, for each finding, what to change: configuration (as the api reads it), ' +
      'PostgreSQL version and settings, pending migrations, Redis persistence and eviction policy, free disk, SMTP ' +
      'and whether the public URLs answer. Exits 1 when any check is an error; warnings alone exit 0.',
    flags: {},
    examples: ['npx sightline doctor', 'npx sightline doctor --json | jq ".findings[] | select(.status != \\"ok\\")"'],
    run: lazy(
      () => import('./doctor/index.ts'),
      (m) => m.doctorCommand,
    ),
  },
  'create-user': {
    summary: 'create a user without an organization (for SIGNUP=closed, or an operator)',
    description:
      'Creates an account that can sign in at once (its email counts as verified). It belongs to no organization: ' +
      'invite it to one, or it creates its own after signing in. The first account of an empty installation ' +
      'is a platform administrator; --platform-admin makes any new account one. Passwords follow the sign-up ' +
      'rules (at least 10 characters, not a common one).',
    flags: {
      email: { type: 'string', arg: '<address>', help: 'the email address to sign in with', required: true },
      password: { type: 'string', arg: '<password>', help: 'the initial password', required: true },
      name: { type: 'string', arg: '<name>', help: 'the name shown in the portal' },
      'platform-admin': { type: 'boolean', help: 'make the user a platform administrator' },
    },
    examples: ["npx sightline create-user --email ops@example.com --password 'a long passphrase' --platform-admin"],
    run: lazy(users, (m) => m.createUserCommand),
  },
  'reset-password': {
    summary: "set a user's password (generated when omitted) and sign them out everywhere",
    description:
      'For a locked-out user or administrator: sets the password, invalidates unused reset links and ends every ' +
      'portal session of the user. Without --password a strong one is generated and printed once.',
    flags: {
      email: { type: 'string', arg: '<address>', help: 'the account to reset', required: true },
      password: { type: 'string', arg: '<password>', help: 'the new password (default: generate one and print it)' },
    },
    examples: ['npx sightline reset-password --email ops@example.com'],
    run: lazy(users, (m) => m.resetPasswordCommand),
  },
  'create-org': {
    summary: 'create an organization and its OWNER',
    description:
      'Creates an organization with a new or existing user as its OWNER. An existing user must be given with ' +
      'their current password, so this cannot take over an account.',
    flags: {
      name: { type: 'string', arg: '<name>', help: 'the organization name', required: true },
      'owner-email': { type: 'string', arg: '<address>', help: "the owner's email address", required: true },
      'owner-password': {
        type: 'string',
        arg: '<password>',
        help: "the owner's password (new or current)",
        required: true,
      },
    },
    examples: [
      "npx sightline create-org --name 'Acme' --owner-email owner@acme.example --owner-password 'a long passphrase'",
    ],
    run: lazy(tenancy, (m) => m.createOrgCommand),
  },
  'create-app': {
    summary: 'create an app with its pk_ ingest key',
    description: 'Creates an app in an organization and prints its id, its pk_ ingest key and its Sentry DSN.',
    flags: {
      org: { type: 'string', arg: '<org id>', help: 'the organization id (create-org prints it)', required: true },
      name: { type: 'string', arg: '<name>', help: 'the app name', required: true },
      'bundle-id': {
        type: 'string',
        arg: '<id>',
        help: 'a bundle id unique in the org, e.g. com.acme.shop',
        required: true,
      },
      platform: {
        type: 'string',
        arg: '<platform>',
        help: 'WEB, NODE, NEXTJS, IOS, ANDROID, REACT_NATIVE, FLUTTER, LUA or OTHER',
      },
    },
    examples: ['npx sightline create-app --org <org id> --name Shop --bundle-id com.acme.shop --platform web'],
    run: lazy(tenancy, (m) => m.createAppCommand),
  },
  'create-api-key': {
    summary: 'create a secret sk_ key for an organization',
    description: 'Creates a secret API key with the given scopes; the secret is printed once and stored hashed.',
    flags: {
      org: { type: 'string', arg: '<org id>', help: 'the organization id', required: true },
      name: { type: 'string', arg: '<name>', help: 'what the key is for', required: true },
      scopes: { type: 'string', arg: '<list>', help: 'comma-separated: read, write, ingest, admin', required: true },
    },
    examples: ['npx sightline create-api-key --org <org id> --name CI --scopes read,write'],
    run: lazy(tenancy, (m) => m.createApiKeyCommand),
  },
  'grant-platform-admin': {
    summary: 'make a user a platform administrator',
    description: 'Platform administrators see every organization on the admin pages and can suspend them.',
    flags: { email: { type: 'string', arg: '<address>', help: "the user's email address", required: true } },
    examples: ['npx sightline grant-platform-admin --email ops@example.com'],
    run: lazy(tenancy, (m) => m.grantPlatformAdminCommand),
  },
  'seed-demo': {
    summary: 'fill a demo organization with synthetic telemetry',
    description:
      'Creates a demo organization with apps, devices, sessions, events and crashes, and prints how to sign in.',
    flags: {
      events: { type: 'string', arg: '<n>', help: 'how many events (default 200000)' },
      days: { type: 'string', arg: '<n>', help: 'spread over this many past days (default 30)' },
      devices: { type: 'string', arg: '<n>', help: 'how many devices (default: events / 60, 50 to 20000)' },
    },
    examples: ['npx sightline seed-demo --events 20000 --days 7'],
    run: lazy(
      () => import('./seed-demo.ts'),
      (m) => m.seedDemoCommand,
    ),
  },
  serve: {
    summary: 'production mode: run api, worker and web from the build, restart on crash',
    description:
      'Runs the api, the worker and the web portal from what `npm run build` built (it never builds), restarts ' +
      'one that exits (1 s doubling to 30 s) and stops all of them on SIGTERM or SIGINT. Every line it prints is ' +
      'one JSON object with a `process` field. It does not start PostgreSQL or Redis and makes no secret: ' +
      'configuration comes from the environment. Pending migrations stop it, naming `npx sightline migrate`, ' +
      'unless --migrate is given.',
    flags: {
      migrate: { type: 'boolean', help: 'apply pending database migrations first' },
      only: { type: 'string', arg: '<list>', help: 'run only these processes, comma-separated: api, worker, web' },
    },
    examples: ['npx sightline serve --migrate   # after npm run build', 'npx sightline serve --only api,worker'],
    run: lazy(
      () => import('./serve.ts'),
      (m) => m.serveCommand,
    ),
  },
  'dead-letters list': {
    summary: 'what the writers could not store, newest first',
    description: 'Lists ingestion entries the worker could not store, with the reason, newest first.',
    flags: { limit: { type: 'string', arg: '<n>', help: 'show at most n (default 100)' } },
    examples: ['npx sightline dead-letters list --limit 20'],
    run: lazy(deadLetters, (m) => m.deadLettersListCommand),
  },
  'dead-letters replay': {
    summary: 're-append dead letters to the buffer and remove them from the list',
    description:
      'Re-appends dead letters to their ingestion stream; the writers store them idempotently, or dead-letter ' +
      'them again with the reason.',
    flags: { id: { type: 'string', arg: '<id>', help: 'replay only this one (default: all)' } },
    examples: ['npx sightline dead-letters replay', 'npx sightline dead-letters replay --id crashes/1700000000000-0'],
    run: lazy(deadLetters, (m) => m.deadLettersReplayCommand),
  },
};
