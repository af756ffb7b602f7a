/**
 * The gateway with one feature switched off (BENCH_WITHOUT, a key of bench/without/features.ts),
 * for the cost table: otherwise exactly bench/servers/gateway.ts.
 */
import { withoutFeature } from '../without/hooks.js';

const checkAllReplaced = withoutFeature(process.env['BENCH_WITHOUT']!);
await import('./gateway.js');
checkAllReplaced();
