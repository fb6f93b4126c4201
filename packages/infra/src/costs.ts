/**
 * What a host costs while it runs. On-demand Linux prices in us-east-1 (USD per hour, AWS EC2
 * on-demand pricing page); other regions differ by a few percent, so the `cost-per-hour` input
 * overrides the table. EBS storage is billed while stopped too and is not included here.
 */
export const ON_DEMAND_USD_PER_HOUR: Readonly<Record<string, number>> = {
  't3.micro': 0.0104,
  't3.small': 0.0208,
  't3.medium': 0.0416,
  't3.large': 0.0832,
  't3.xlarge': 0.1664,
  't3a.small': 0.0188,
  't3a.medium': 0.0376,
  't3a.large': 0.0752,
  't4g.small': 0.0168,
  't4g.medium': 0.0336,
  't4g.large': 0.0672,
  'm5.large': 0.096,
  'm5.xlarge': 0.192,
  'm6i.large': 0.096,
  'm6i.xlarge': 0.192,
  'm7g.large': 0.0816,
  'c5.large': 0.085,
  'c6i.large': 0.085,
  'r6i.large': 0.126,
  'g4dn.xlarge': 0.526,
};

/** USD per hour for the type, the override when given, undefined when the type is not in the table. */
export function hourlyPrice(instanceType: string | undefined, override?: number): number | undefined {
  if (override !== undefined) return override;
  if (!instanceType) return undefined;
  return ON_DEMAND_USD_PER_HOUR[instanceType];
}

export interface RunCost {
  runSeconds: number;
  usdPerHour: number | undefined;
  /** undefined when the price is unknown. */
  usd: number | undefined;
}

/** EC2 bills Linux on-demand per second with a 60-second minimum per start. */
export function runCost(startedAt: Date, endedAt: Date, usdPerHour: number | undefined): RunCost {
  const runSeconds = Math.max(0, Math.round((endedAt.getTime() - startedAt.getTime()) / 1000));
  const billed = Math.max(60, runSeconds);
  return { runSeconds, usdPerHour, usd: usdPerHour === undefined ? undefined : (billed / 3600) * usdPerHour };
}

export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${s} s`;
}

export function formatUsd(usd: number | undefined): string {
  if (usd === undefined) return 'unknown (type not in the price table; set cost-per-hour)';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
