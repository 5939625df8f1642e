// Over 400 lines because it is the whole GraphQL schema (SDL) of the public integration API:
// one document, read top to bottom like the reference it is.
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
    "Usage analytics only from devices that said yes"
    analyticsOptIn: Boolean!
    "Usage events from browsers sending Do-Not-Track or Global Privacy Control are not stored"
    respectDoNotTrack: Boolean!
    scrubFields: [String!]!
    createdAt: String!
    "Headline figures for a date range (default the last 30 days), batched across apps."
    overview(start: String, end: String): AnalyticsOverview!
  }
  type OverviewFigures {
    start: String!
    end: String!
    "Average daily active users (devices)"
    dau: Float!
    "Distinct users over the range (HyperLogLog, about 1%)"
    users: Float!
    events: Float!
    sessions: Float!
    avgSessionSeconds: Float
    bounceRate: Float
    "Unhandled errors: each is a crash of its session"
    crashes: Float!
    "Handled errors (reported by the app, not crashes)"
    errors: Float!
    "Percent of users without an unhandled crash"
    crashFreeUsers: Float
    "Percent of sessions without an unhandled crash"
    crashFreeSessions: Float
    lcpP75: Float
  }
  "Change against the previous range of the same length, in percent (null when there is nothing to compare)."
  type OverviewChange {
    dau: Float
    users: Float
    events: Float
    sessions: Float
    avgSessionSeconds: Float
    bounceRate: Float
    crashes: Float
    errors: Float
    crashFreeUsers: Float
    crashFreeSessions: Float
    lcpP75: Float
  }
  type AnalyticsOverview {
    current: OverviewFigures!
    previous: OverviewFigures!
    change: OverviewChange!
    "When the app's figures were last rolled up (ISO 8601); null before its first rollup"
    rolledUpAt: String
    "Hours that received events not yet in the figures"
    pendingHours: Int!
    "The range includes the current hour, which is still being counted"
    currentHourPartial: Boolean!
  }
  type EventDay {
    "The day (YYYY-MM-DD), or the hour's start (ISO 8601) for hourly series"
    date: String!
    count: Float!
    uniqueDevices: Int!
  }
  type EventSeries {
    start: String!
    end: String!
    eventType: String
    interval: String!
    data: [EventDay!]!
  }
  type HealthDay {
    date: String!
    dau: Int!
    sessions: Float!
    crashes: Float!
    crashedUsers: Int!
    crashFreeUsers: Float
  }
  type VersionStat {
    version: String
    deviceDays: Float!
    share: Float
    crashes: Float!
    starts: Float!
    "Crashes (unhandled errors) per 100 starts"
    crashRate: Float
    crashFreeUsers: Float
  }
  type Percentiles {
    count: Float!
    p50: Float
    p75: Float
    p95: Float
    p99: Float
  }
  type PerformanceDay {
    date: String!
    count: Float!
    p50: Float
    p75: Float
    p95: Float
    p99: Float
  }
  type PerformanceSeries {
    eventType: String!
    name: String
    overall: Percentiles!
    daily: [PerformanceDay!]!
  }
  type NamedPercentiles {
    name: String!
    count: Float!
    p50: Float
    p75: Float
    p95: Float
    p99: Float
  }
  enum Breakdown {
    os
    browser
    country
    device_model
    screen
    feature
  }
  type BreakdownRow {
    value: String
    deviceDays: Float!
    count: Float!
    share: Float
  }
  input FunnelStepInput {
    type: String!
    name: String
  }
  type FunnelStep {
    type: String!
    name: String
    devices: Int!
    conversion: Float
    fromPrevious: Float
    dropOff: Int!
    medianSecondsFromPrevious: Float
  }
  type Funnel {
    start: String!
    end: String!
    windowMinutes: Int!
    steps: [FunnelStep!]!
  }
  enum RetentionPeriod {
    day
    week
  }
  enum RetentionMode {
    on
    on_or_after
  }
  type RetentionCohort {
    cohort: String!
    size: Int!
    "Devices active in each period since the cohort's (null: not yet happened)"
    retained: [Int]!
    percent: [Float]!
  }
  type Retention {
    period: RetentionPeriod!
    mode: RetentionMode!
    cohorts: [RetentionCohort!]!
  }
  type PathStep {
    "null: the session ended (next) or started (previous) here"
    screen: String
    count: Int!
    share: Float
  }
  type Paths {
    from: String!
    next: [PathStep!]!
    previous: [PathStep!]!
  }
  type FeatureAdoption {
    feature: String!
    deviceDays: Int!
    adoption: Float
    firstHalf: Float
    secondHalf: Float
    trend: String!
  }
  input PropertyFilterInput {
    key: String!
    value: String!
  }
  input SegmentFiltersInput {
    browser: String
    os: String
    country: String
    version: String
    property: PropertyFilterInput
  }
  type Segment {
    start: String!
    end: String!
    devices: Int!
    shareOfAll: Float
    sessions: Int!
    bounceRate: Float
    avgSessionSeconds: Float
    pagesPerSession: Float
    conversionEvent: String
    conversionRate: Float
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
    analyticsOptIn: Boolean
    respectDoNotTrack: Boolean
    scrubFields: [String!]
  }

  enum CrashStatus {
    open
    resolved
    ignored
    regressed
  }
  enum CrashSort {
    last_seen
    first_seen
    occurrences
    users
  }
  type CrashGroup {
    fingerprint: String!
    crashType: String!
    message: String
    culprit: String
    level: String!
    "Occurrences that were unhandled (crashes of their session); the rest were handled errors"
    unhandledCount: Float!
    status: CrashStatus!
    firstSeenAt: String!
    lastSeenAt: String!
    occurrenceCount: Float!
    affectedDeviceCount: Int!
    affectedVersions: [String!]!
    firstVersion: String
    lastVersion: String
    resolvedAt: String
    resolvedInVersion: String
    ignoredUntilCount: Float
    regressedAt: String
    assigneeId: ID
  }
  type CrashGroupPage {
    groups: [CrashGroup!]!
    total: Int!
    page: Int!
    limit: Int!
  }
  type CrashOccurrence {
    id: ID!
    occurredAt: String!
    appVersion: String
    environment: String
    os: String
    browser: String
    deviceModel: String
    "false: unhandled, a crash of its session"
    handled: Boolean!
    message: String
    context: String!
  }
  type CrashComment {
    id: ID!
    body: String!
    authorId: ID
    createdAt: String!
  }
  "Occurrences on one UTC day (YYYY-MM-DD)."
  type CrashDay {
    day: String!
    occurrences: Int!
    devices: Int!
  }
  type CrashVersionCount {
    version: String
    occurrences: Int!
  }
  type CrashDeviceCount {
    "Device model, or browser on the web"
    device: String
    os: String
    occurrences: Int!
    devices: Int!
  }
  type CrashGroupDetail {
    group: CrashGroup!
    sampleStackTrace: String
    "The last 30 days, every day present."
    daily: [CrashDay!]!
    "The versions and devices it hit most in the last 30 days."
    versions: [CrashVersionCount!]!
    devices: [CrashDeviceCount!]!
    recentOccurrences: [CrashOccurrence!]!
    comments: [CrashComment!]!
  }
  input CrashGroupChange {
    status: CrashStatus
    resolvedInVersion: String
    ignoreForOccurrences: Int
    assigneeId: ID
  }

  enum ChannelKind {
    EMAIL
    SLACK
    WEBHOOK
  }
  enum AlertKind {
    NEW_CRASH_GROUP
    REGRESSION
    CRASH_SPIKE
    CRASH_FREE_DROP
    PERF_THRESHOLD
  }
  type AlertChannel {
    id: ID!
    kind: ChannelKind!
    name: String!
    "Recipients, Slack channel or the webhook URL's origin (https://host/…) as JSON; secrets and URL paths are never returned."
    config: String!
    enabled: Boolean!
    consecutiveFailures: Int!
    flaggedAt: String
  }
  type CreatedAlertChannel {
    channel: AlertChannel!
    "A webhook's signing secret, shown this once."
    signingSecret: String
  }
  input AlertChannelInput {
    kind: ChannelKind!
    name: String!
    recipients: [String!]
    token: String
    channel: String
    url: String
    secret: String
  }
  type AlertRule {
    id: ID!
    appId: ID
    name: String!
    kind: AlertKind!
    "The rule's conditions as JSON (threshold, windowMinutes, crashFreeBelow, eventType…)."
    conditions: String!
    throttleMinutes: Int!
    "At most one message per channel per this many minutes; the rest arrive as a digest."
    digestMinutes: Int
    quietHours: QuietHours
    enabled: Boolean!
    lastTriggeredAt: String
    channelIds: [ID!]!
  }
  type QuietHours {
    start: String!
    end: String!
    timeZone: String!
  }
  input QuietHoursInput {
    "HH:MM, local time in timeZone"
    start: String!
    end: String!
    "IANA time zone, default UTC"
    timeZone: String
  }
  enum MetricAggregate {
    p50
    p75
    p90
    p95
    p99
    avg
    max
    count
  }
  enum ThresholdOperator {
    above
    below
  }
  input AlertRuleInput {
    name: String!
    appId: ID
    kind: AlertKind!
    "CRASH_SPIKE: occurrences; PERF_THRESHOLD: the metric's value."
    threshold: Float
    windowMinutes: Int
    baselineFactor: Float
    "CRASH_FREE_DROP: alert below this percentage of crash-free users."
    crashFreeBelow: Float
    minUsers: Int
    "PERF_THRESHOLD: which events (web_vital, request…), which name (LCP…), how aggregated."
    eventType: String
    metricName: String
    aggregate: MetricAggregate
    operator: ThresholdOperator
    minSamples: Int
    throttleMinutes: Int
    digestMinutes: Int
    quietHours: QuietHoursInput
    channelIds: [ID!]!
  }
  type AlertDelivery {
    id: ID!
    channelId: ID!
    ruleId: ID
    status: String!
    attempts: Int!
    "Why the last attempt failed, as a category: blocked_address, dns_failure, timeout, connection_refused, connection_reset, tls_error, redirect_refused, http_4xx, http_5xx, slack_rejected, email_failed or network_error."
    lastError: String
    sentAt: String
    createdAt: String!
    "NEW_CRASH_GROUP, REGRESSION, CRASH_SPIKE, CRASH_FREE_DROP, PERF_THRESHOLD, DIGEST or TEST"
    kind: String
    title: String
    "For a held or digested alert: the digest that summarised it."
    digestId: ID
  }

  "A GDPR request: a device's own, or the organization's on behalf of an end user, for an app or for itself."
  type PrivacyRequest {
    id: ID!
    "EXPORT or DELETE"
    kind: String!
    "SUBJECT (one end user), APP (all of an app's data) or ORG (the organization's export)"
    scope: String!
    appId: ID
    "DEVICE or USER"
    subjectType: String
    "The app's user id, or the device's stored (hashed) id"
    subject: String
    requestedByType: String!
    "PENDING, RUNNING, COMPLETED or FAILED"
    status: String!
    stepsDone: Int
    stepsTotal: Int
    createdAt: String!
    completedAt: String
    expiresAt: String
    "A finished export's signed download link, valid until expiresAt"
    downloadUrl: String
    error: String
  }

  type Query {
    organization: Organization!
    apps: [App!]!
    app(id: ID!): App!
    members: [Member!]!
    apiKeys: [ApiKey!]!
    auditLog(limit: Int = 50): [AuditEntry!]!
    invitations: [Invitation!]!
    crashGroups(
      appId: ID!
      status: CrashStatus
      version: String
      search: String
      sort: CrashSort = last_seen
      page: Int = 1
      limit: Int = 25
    ): CrashGroupPage!
    crashGroup(appId: ID!, fingerprint: String!): CrashGroupDetail!
    alertChannels: [AlertChannel!]!
    alertRules: [AlertRule!]!
    alertDeliveries(channelId: ID, status: String, limit: Int = 50): [AlertDelivery!]!
    privacyRequests(appId: ID, limit: Int = 50): [PrivacyRequest!]!
    privacyRequest(id: ID!): PrivacyRequest!
    "interval: day (default) or hour (at most 14 days)"
    analyticsEvents(appId: ID!, start: String, end: String, eventType: String, interval: String): EventSeries!
    analyticsVersions(appId: ID!, start: String, end: String): [VersionStat!]!
    analyticsHealth(appId: ID!, start: String, end: String): [HealthDay!]!
    analyticsPerformance(appId: ID!, eventType: String!, name: String, start: String, end: String): PerformanceSeries!
    analyticsSlowest(
      appId: ID!
      eventType: String!
      name: String
      percentile: String = "p75"
      limit: Int = 10
      start: String
      end: String
    ): [NamedPercentiles!]!
    analyticsBreakdown(appId: ID!, by: Breakdown!, start: String, end: String, limit: Int = 20): [BreakdownRow!]!
    analyticsFunnel(appId: ID!, steps: [FunnelStepInput!]!, windowMinutes: Int, start: String, end: String): Funnel!
    analyticsRetention(
      appId: ID!
      period: RetentionPeriod
      mode: RetentionMode
      periods: Int
      start: String
      end: String
    ): Retention!
    analyticsPaths(appId: ID!, from: String!, limit: Int, start: String, end: String): Paths!
    analyticsFeatureAdoption(appId: ID!, limit: Int, start: String, end: String): [FeatureAdoption!]!
    analyticsSegment(
      appId: ID!
      filters: SegmentFiltersInput
      conversionEvent: String
      start: String
      end: String
    ): Segment!
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
    updateCrashGroup(appId: ID!, fingerprint: String!, change: CrashGroupChange!): CrashGroup!
    commentOnCrashGroup(appId: ID!, fingerprint: String!, body: String!): CrashComment!
    createAlertChannel(input: AlertChannelInput!): CreatedAlertChannel!
    deleteAlertChannel(id: ID!): Boolean!
    sendTestAlert(channelId: ID!): ID!
    createAlertRule(input: AlertRuleInput!): AlertRule!
    deleteAlertRule(id: ID!): Boolean!
    "Export an end user's data on their behalf: deviceId as the SDK sent it, or the app's userId."
    requestSubjectExport(appId: ID!, deviceId: String, userId: String): PrivacyRequest!
    "Delete an end user's data on their behalf: deviceId as the SDK sent it, or the app's userId."
    requestSubjectDeletion(appId: ID!, deviceId: String, userId: String): PrivacyRequest!
    "Delete all of an app's telemetry; confirm repeats the app's name."
    deleteAppData(appId: ID!, confirm: String!): PrivacyRequest!
    exportOrganization: PrivacyRequest!
  }
`;
