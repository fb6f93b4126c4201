/**
 * The scheduled safety net: stops every running host carrying the pipeline's tag that has been up
 * longer than a maximum lifetime (since its last start, EC2's LaunchTime), whatever left it running.
 */
import { mdHeading, mdTable, type Logger } from '@wms/core';
import { formatDuration, formatUsd, hourlyPrice, runCost } from './costs';
import type { HostControl, HostInfo } from './host-control';
import { stopHost, type StateWaitOptions } from './host-lifecycle';

export interface ReaperOptions extends StateWaitOptions {
  /** Hosts with this tag (any value, or exactly tagValue) are the pipeline's. */
  tagKey: string;
  tagValue?: string;
  maxLifetimeMs: number;
  /** List what would be stopped without stopping it. */
  dryRun?: boolean;
}

export interface ReapedHost {
  host: HostInfo;
  upSeconds: number;
  action: 'stopped' | 'would-stop' | 'kept' | 'failed';
  error?: string;
}

export interface ReaperResult {
  checked: number;
  hosts: ReapedHost[];
  summary: string;
}

export async function reapOverdueHosts(
  options: ReaperOptions,
  deps: { control: HostControl; logger: Logger; now?: () => number; sleep?: (ms: number) => Promise<void> },
): Promise<ReaperResult> {
  const now = deps.now ?? Date.now;
  const running = await deps.control.describe({
    ...(options.tagValue ? { tags: { [options.tagKey]: options.tagValue } } : { tagKeys: [options.tagKey] }),
    states: ['running'],
  });
  const hosts: ReapedHost[] = [];
  for (const host of running) {
    const upSeconds = host.launchTime ? Math.round((now() - host.launchTime.getTime()) / 1000) : 0;
    if (!host.launchTime || upSeconds * 1000 <= options.maxLifetimeMs) {
      hosts.push({ host, upSeconds, action: 'kept' });
      continue;
    }
    if (options.dryRun) {
      deps.logger.warning(`${host.instanceId} has run ${formatDuration(upSeconds)}: would stop it (dry run).`);
      hosts.push({ host, upSeconds, action: 'would-stop' });
      continue;
    }
    deps.logger.warning(`${host.instanceId} has run ${formatDuration(upSeconds)}, over the limit: stopping it.`);
    try {
      await stopHost({ instanceId: host.instanceId }, options, { ...deps, now });
      hosts.push({ host, upSeconds, action: 'stopped' });
    } catch (error) {
      // One stuck host must not keep the others running.
      deps.logger.error(`Could not stop ${host.instanceId}: ${(error as Error).message}`);
      hosts.push({ host, upSeconds, action: 'failed', error: (error as Error).message });
    }
  }
  return { checked: running.length, hosts, summary: renderReaperSummary(options, hosts) };
}

function renderReaperSummary(options: ReaperOptions, hosts: ReapedHost[]): string {
  const limit = formatDuration(Math.round(options.maxLifetimeMs / 1000));
  const acted = hosts.filter((h) => h.action !== 'kept').length;
  const title = `EC2 reaper: ${acted === 0 ? '✅ nothing left running' : `⚠️ ${acted} host(s) over ${limit}`}`;
  if (hosts.length === 0) return `${mdHeading(title)}\n\nNo running host tagged ${options.tagKey}.`;
  const rows = hosts.map((h) => {
    const price = hourlyPrice(h.host.instanceType);
    const cost = h.host.launchTime
      ? runCost(h.host.launchTime, new Date(h.host.launchTime.getTime() + h.upSeconds * 1000), price)
      : undefined;
    return [h.host.instanceId, h.host.instanceType ?? '?', formatDuration(h.upSeconds), formatUsd(cost?.usd), h.action];
  });
  return `${mdHeading(title)}\n\n${mdTable(['Instance', 'Type', 'Up for', 'Cost so far', 'Action'], rows, ['l', 'l', 'r', 'r', 'l'])}\n\nLimit: ${limit} since the last start.`;
}
