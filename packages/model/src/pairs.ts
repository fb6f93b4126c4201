/** The image/mask pair shape shared with @wms/dataset (which discovers and validates them). */
export type { Pair } from '@wms/dataset';
