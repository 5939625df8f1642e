// The integration API's types. Ids of apps are integers (the DSN project id), as strings.
export const typeDefs = /* GraphQL */ `
  enum Role {
    OWNER
    ADMIN
    MEMBER
    VIEWER
  }
  enum Platform {
    WEB
    NODE
    NEXTJS
    IOS
    ANDROID
    REACT_NATIVE
    FLUTTER
    LUA
    OTHER
  }
  enum ApiScope {
    ingest
    read
    write
    admin
  }

  type Organization {
    id: ID!
    name: String!
    slug: String!
    plan: String!
    monthlyEventQuota: Float!
    suspended: Boolean!
  }
  type App {
    id: ID!
    name: String!
    bundleId: String!
    platform: Platform!
    allowedOrigins: [String!]!
    sampleRate: Float!
    rawEventRetentionDays: Int!
    crashReportRetentionDays: Int!
    aggregateRetentionDays: Int!
    ipPolicy: String!
    scrubFields: [String!]!
    createdAt: String!
  }
  type CreatedApp {
    app: App!
    ingestKey: String!
    dsn: String!
  }
  type RotatedIngestKey {
    ingestKey: String!
    dsn: String!
  }
  type Member {
    userId: ID!
    email: String!
    name: String
    role: Role!
  }
  type Invitation {
    id: ID!
    email: String!
    role: Role!
    expiresAt: String!
  }
  type ApiKey {
    id: ID!
    name: String!
    prefix: String!
    scopes: [ApiScope!]!
    createdAt: String!
    lastUsedAt: String
    revokedAt: String
  }
  type CreatedApiKey {
    apiKey: ApiKey!
    secret: String!
  }
  type AuditEntry {
    id: ID!
    actorType: String!
    actorId: String
    action: String!
    targetType: String
    targetId: String
    createdAt: String!
  }

  input UpdateAppInput {
    name: String
    platform: Platform
    allowedOrigins: [String!]
    sampleRate: Float
    rawEventRetentionDays: Int
    crashReportRetentionDays: Int
    aggregateRetentionDays: Int
    ipPolicy: String
    scrubFields: [String!]
  }

  type Query {
    organization: Organization!
    apps: [App!]!
    app(id: ID!): App!
    members: [Member!]!
    apiKeys: [ApiKey!]!
    auditLog(limit: Int = 50): [AuditEntry!]!
    invitations: [Invitation!]!
  }

  type Mutation {
    createApp(name: String!, bundleId: String!, platform: Platform = OTHER, allowedOrigins: [String!] = []): CreatedApp!
    updateApp(id: ID!, input: UpdateAppInput!): App!
    deleteApp(id: ID!): Boolean!
    rotateIngestKey(appId: ID!, graceHours: Int = 0): RotatedIngestKey!
    createApiKey(name: String!, scopes: [ApiScope!]!): CreatedApiKey!
    revokeApiKey(id: ID!): Boolean!
    inviteMember(email: String!, role: Role!): Invitation!
    changeMemberRole(userId: ID!, role: Role!): Member!
    removeMember(userId: ID!): Boolean!
    revokeInvitation(id: ID!): Boolean!
    updateOrganization(name: String, slug: String): Organization!
    revokeDeviceTokens(appId: ID!, deviceId: ID): Int!
  }
`;
