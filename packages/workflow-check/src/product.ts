/**
 * The product as consumers name it. The owner is the placeholder the docs use; the consumer
 * fixture and the checks agree on it, and `uses:` of the product inside its own files never name
 * an owner at all (they are `$/path`).
 */
import type { Product } from './consumer';

export const PRODUCT: Product = { owner: 'your-org', repo: 'wms-pipeline' };
/** The moving major tag a consumer pins (release.yml moves it). */
export const CONSUMER_REF = 'v1';
/** A complete consumer workflow, as docs/USAGE.md shows it. */
export const CONSUMER_FIXTURE = 'packages/workflow-check/__fixtures__/consumer/.github/workflows/train-model.yml';
