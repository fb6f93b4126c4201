import { runAction } from '@wms/core/action';
import { runOpenDataPrAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runOpenDataPrAction(inputs, ctx));
