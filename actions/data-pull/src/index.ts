import { runAction } from '@wms/core/action';
import { runDataPullAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runDataPullAction(inputs, ctx));
