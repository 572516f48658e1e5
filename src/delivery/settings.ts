/** Delivery settings of one repository: repos.yaml `delivery:`, `defaults:`, then its own overrides. */
import { overrideFor, type ReposConfig } from '../config/repos-config.ts';
import type { DeliverySettings } from './deliver.ts';

export const TOOL_VERSION = '0.1.0';

export function deliverySettingsFor(config: ReposConfig, repo: string): DeliverySettings {
  const o = overrideFor(config, repo);
  return {
    botBranch: o.botBranch ?? config.delivery.branch,
    author: { ...config.delivery.author },
    labels: o.labels ?? config.defaults.labels,
    reviewers: o.reviewers ?? config.defaults.reviewers,
    recreateClosed: o.recreateClosed ?? false,
    platforms: o.platforms ?? config.defaults.platforms,
    signOff: o.signOff ?? config.defaults.signOff,
    tool: TOOL_VERSION,
  };
}
