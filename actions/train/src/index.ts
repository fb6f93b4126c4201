import { runAction } from '@wms/core/action';
import { runTrainAction } from './main';
import { spec } from './spec';

void runAction(spec, (inputs, ctx) => runTrainAction(inputs, ctx));
