'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { ChannelForm, ChannelTable } from '~/components/alerts/channels';
import { DeliveryLog } from '~/components/alerts/deliveries';
import { useRefreshAlerts } from '~/components/alerts/refresh';
import { RuleForm, RuleTable } from '~/components/alerts/rules';
import { Notice, Section } from '~/components/ui';
import { errorMessage, useTRPC } from '~/lib/trpc';
import { useOrg } from '~/lib/use-org';

/** Where alerts go (channels), when they fire (rules), and what was sent (the delivery log). */
export default function AlertsPage() {
  const { orgId, role, atLeast } = useOrg();
  const trpc = useTRPC();
  const refresh = useRefreshAlerts();
  const channels = useQuery(trpc.alerts.channels.queryOptions({ orgId }));
  const rules = useQuery(trpc.alerts.rules.queryOptions({ orgId }));
  const deliveries = useQuery(trpc.alerts.deliveries.queryOptions({ orgId, limit: 50 }));
  const apps = useQuery(trpc.apps.list.queryOptions({ orgId }));
  // The row buttons' calls live here so one notice at the top reports them with the lists' errors.
  const deleteChannel = useMutation(trpc.alerts.deleteChannel.mutationOptions({ onSuccess: refresh }));
  const testAlert = useMutation(trpc.alerts.sendTestAlert.mutationOptions({ onSuccess: refresh }));
  const deleteRule = useMutation(trpc.alerts.deleteRule.mutationOptions({ onSuccess: refresh }));
  const canManage = atLeast('MEMBER');
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? id;
  const error = channels.error ?? rules.error ?? deleteChannel.error ?? deleteRule.error ?? testAlert.error;

  return (
    <>
      <h1>Alerts</h1>
      {!canManage ? <Notice kind="info">Your role ({role}) can see alert settings but not change them.</Notice> : null}
      <Notice kind="error">{error ? errorMessage(error) : null}</Notice>
      <Section title="Channels">
        <ChannelTable
          channels={channels.data}
          canManage={canManage}
          onTest={(channelId) => testAlert.mutate({ orgId, channelId })}
          onDelete={(channelId) => deleteChannel.mutate({ orgId, channelId })}
        />
        {testAlert.data ? <Notice kind="ok">Test alert queued; see the delivery log below.</Notice> : null}
        {canManage ? <ChannelForm orgId={orgId} /> : null}
      </Section>
      <Section title="Rules">
        <RuleTable
          rules={rules.data}
          apps={apps.data}
          channelName={channelName}
          canManage={canManage}
          onDelete={(ruleId) => deleteRule.mutate({ orgId, ruleId })}
        />
        {canManage && channels.data && channels.data.length > 0 ? (
          <RuleForm orgId={orgId} apps={apps.data} channels={channels.data} />
        ) : null}
      </Section>
      <Section title="Delivery log">
        <DeliveryLog deliveries={deliveries.data} channelName={channelName} />
      </Section>
    </>
  );
}
