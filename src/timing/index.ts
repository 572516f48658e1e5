/**
 * The timing room's interface for the rest of the bot (delivery, the CLI, the fleet): measure a
 * before/after pair, render the Markdown table, read the headline figures.
 */
export { measureTiming, DEFAULT_PLATFORMS, DEFAULT_TIMEOUT_MS, type TimingRequest, type TimingSection, type VariantInput } from './measure.ts';
export { renderTimingTable } from './table.ts';
export { headline, headlineText, measurement, parseTimingResult, sectionsOf, sectionTitle, TimingResultSchema, TIMING_SCHEMA_VERSION, type TimingResult, type TimingHeadline, type Measurement, type Section } from './result.ts';
export { NoBuilderError, type Builder, type BuilderInfo } from './builder.ts';
export { probeBuilder } from './probe.ts';
export { FileTimingStore, type TimingStore } from './store.ts';
